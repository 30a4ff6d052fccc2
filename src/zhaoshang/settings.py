"""Settings come from the environment (Healthchecks style); defaults run an embedded SQLite demo."""

import datetime
import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("ZHAOSHANG_DATA_DIR", Path.cwd() / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def _secret_key() -> str:
    # A key generated once into the data folder survives restarts without anyone handling it.
    if key := os.environ.get("SECRET_KEY"):
        return key
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = _env_bool("DEBUG")
ALLOWED_HOSTS = [h.strip() for h in os.environ.get("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "zhaoshang.web.apps.AdminConfig",  # django.contrib.admin, see web/apps.py
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "axes",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_filters",
    "simple_history",
    # Before import_export: our `import`/`export` commands must win over its own of the same names.
    "zhaoshang.core",
    "import_export",
    "django_tasks",
    "django_tasks_db",
    "zhaoshang.geo",
    "zhaoshang.industries",
    "zhaoshang.chains",
    "zhaoshang.enterprises",
    "zhaoshang.targeting",
    "zhaoshang.sites",
    "zhaoshang.projects",
    "zhaoshang.assessment",
    "zhaoshang.notifications",
    "zhaoshang.web",
    "zhaoshang.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "zhaoshang.web.csp.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "zhaoshang.core.audit.AuditMiddleware",
    "zhaoshang.core.routers.ReplicaMiddleware",
    # Last: turns a sign-in that django-axes refused (too many failures) into the lock-out page or JSON body.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "zhaoshang.urls"
WSGI_APPLICATION = "zhaoshang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "zhaoshang.web.context.navigation",
                "zhaoshang.web.context.notifications",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'zhaoshang.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # Imports and jobs write while pages read; WAL and a busy timeout keep SQLite from "database is locked".
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"}
    )
    DATABASES["default"]["CONN_MAX_AGE"] = 0
# A streaming replica: reports and dashboards read from it (core/routers.py), everything else and every write go to
# the primary; a user who just wrote reads from the primary for ZHAOSHANG_REPLICA_PIN_SECONDS (read-your-writes).
if os.environ.get("DATABASE_REPLICA_URL"):
    DATABASES["replica"] = dj_database_url.parse(
        os.environ["DATABASE_REPLICA_URL"], conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60"))
    )
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
# Reads go to the replica only when one is configured (the test suite keeps a mirror alias with this off).
REPLICA_ENABLED = bool(os.environ.get("DATABASE_REPLICA_URL"))
DATABASE_ROUTERS = ["zhaoshang.core.routers.ReplicaRouter"]
REPLICA_READ_PATHS = tuple(
    p for p in os.environ.get("ZHAOSHANG_REPLICA_PATHS", "/assessment/").split(",") if p.strip()
)
REPLICA_PIN_SECONDS = int(os.environ.get("ZHAOSHANG_REPLICA_PIN_SECONDS", "30"))

# Caches and cached sessions: local memory on one machine; with ZHAOSHANG_CACHE_URL (redis://…) every web node and
# worker shares one Redis, so a cached figure, a lock-out or a read-your-writes pin holds across nodes.
CACHE_URL = os.environ.get("ZHAOSHANG_CACHE_URL", "")
if CACHE_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("ZHAOSHANG_CACHE_PREFIX", "zhaoshang"),
        }
    }
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": int(os.environ.get("PASSWORD_MIN_LENGTH", "10"))},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# The doors (web login, admin login, API token): django-axes counts failed sign-ins per account and per address
# and refuses both for a while after AXES_FAILURE_LIMIT of them. The first backend only watches; the second signs in.
AUTHENTICATION_BACKENDS = [
    "zhaoshang.core.doors.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = _env_bool("AXES_ENABLED", True)
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = datetime.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
# Comma-separated; "username+ip_address" counts the pair. Default: an account is locked after the limit from any
# address, and an address after the limit on any accounts.
AXES_LOCKOUT_PARAMETERS = [
    p.split("+") if "+" in p else p
    for p in (x.strip() for x in os.environ.get("AXES_LOCKOUT_PARAMETERS", "username,ip_address").split(","))
    if p
]
AXES_RESET_ON_SUCCESS = _env_bool("AXES_RESET_ON_SUCCESS", True)
# A failure during the lock-out does not restart the cool-off: it ends AXES_COOLOFF_MINUTES after it began.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "zhaoshang.web.views.lockout"
# Behind nginx every request comes from the proxy: the client is the address nginx appended to X-Forwarded-For.
AXES_CLIENT_IP_CALLABLE = "zhaoshang.core.doors.client_ip"

# Sessions end after a working day or when the browser closes; the cookies go over HTTPS only once the site is.
SESSION_COOKIE_AGE = int(os.environ.get("SESSION_COOKIE_AGE", str(8 * 60 * 60)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = _env_bool("SESSION_EXPIRE_AT_BROWSER_CLOSE", True)
# API tokens expire this many hours after they were issued; a new POST /api/auth/token/ then issues a new one.
TOKEN_TTL_HOURS = int(os.environ.get("ZHAOSHANG_TOKEN_TTL_HOURS", str(24 * 30)))

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", DATA_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
# Never served: uploaded files go out through the scope-checked view (core/generic/files.py).
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", DATA_DIR / "media"))
# Uploads are read and written through the storage API only: another backend (e.g. S3) is a settings change,
# ZHAOSHANG_STORAGE_BACKEND with its options as JSON in ZHAOSHANG_STORAGE_OPTIONS.
STORAGES = {
    "default": {
        "BACKEND": os.environ.get("ZHAOSHANG_STORAGE_BACKEND", "django.core.files.storage.FileSystemStorage"),
        "OPTIONS": json.loads(os.environ.get("ZHAOSHANG_STORAGE_OPTIONS", "{}")),
    },
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Behind nginx: the download view checks the scope, then hands the file to nginx's `internal` location with this
# prefix (X-Accel-Redirect), e.g. "/protected-media/"; empty: the view streams the file itself.
X_ACCEL_PREFIX = os.environ.get("ZHAOSHANG_X_ACCEL_PREFIX", "")
# Without collectstatic (tests, `runserver`) whitenoise serves from the apps' static folders.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

TASKS = {
    "default": {
        "BACKEND": os.environ.get("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}
# A running job beats every few seconds; one silent for this long lost its worker and is requeued (kinds safe to
# retry, up to 3 attempts) or failed by the next worker that polls (docs/deployment.md).
ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT = float(os.environ.get("ZHAOSHANG_JOB_HEARTBEAT_TIMEOUT", "120"))

# E-mail (notifications): Django's SMTP backend, configured from the environment only (docs/deployment.md).
# Without EMAIL_HOST mail goes to the console log, so a demo never tries to reach a server.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _env_bool("EMAIL_USE_TLS")
EMAIL_USE_SSL = _env_bool("EMAIL_USE_SSL")
EMAIL_TIMEOUT = int(os.environ.get("EMAIL_TIMEOUT", "10"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "zhaoshang@localhost")
# Notifications: the worker runs the rules every ZHAOSHANG_NOTIFY_EVERY seconds; a failed send is tried again
# after RETRY_SECONDS × 2^(n−1), at most MAX_ATTEMPTS times; digests go out from DIGEST_HOUR (local time).
ZHAOSHANG_NOTIFY_EVERY = float(os.environ.get("ZHAOSHANG_NOTIFY_EVERY", "3600"))
# Blockers past their deadline go up one level a day: the worker submits the run once per period across the cluster.
ZHAOSHANG_ESCALATE_EVERY = float(os.environ.get("ZHAOSHANG_ESCALATE_EVERY", str(24 * 60 * 60)))
ZHAOSHANG_NOTIFY_RETRY_SECONDS = float(os.environ.get("ZHAOSHANG_NOTIFY_RETRY_SECONDS", "300"))
ZHAOSHANG_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("ZHAOSHANG_NOTIFY_MAX_ATTEMPTS", "5"))
ZHAOSHANG_NOTIFY_DIGEST_HOUR = int(os.environ.get("ZHAOSHANG_NOTIFY_DIGEST_HOUR", "8"))
ZHAOSHANG_NOTIFY_TIMEOUT = float(os.environ.get("ZHAOSHANG_NOTIFY_TIMEOUT", "10"))
# The site's address as people reach it (e.g. https://zhaoshang.example.gov.cn): links in mails and group posts.
ZHAOSHANG_SITE_URL = os.environ.get("ZHAOSHANG_SITE_URL", "")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        # Token first: an unauthenticated call then gets 401 with WWW-Authenticate, not 403.
        "zhaoshang.api.authentication.ExpiringTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["zhaoshang.api.permissions.ScopedActionPermission"],
    "DEFAULT_FILTER_BACKENDS": ["zhaoshang.api.filters.StrictFilterBackend"],  # yes/no filters: true or false
    # Records are written in JSON: a form encoding has no null (an empty reference or amount), so it could not
    # say what the schema says. (The token door also reads forms: `curl -d username=…`, api/tokens.py.)
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "zhaoshang.api.pagination.CappedLimitOffsetPagination",
    "PAGE_SIZE": 50,
    # drf-spectacular's, plus the errors, ETag/If-Match and value bounds the views really have (api/schema.py).
    "DEFAULT_SCHEMA_CLASS": "zhaoshang.api.schema.ApiSchema",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "zhaoshang API",
    "DESCRIPTION": _("招商 精准招商与项目建设平台 API"),
    "VERSION": "0.1.0",
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema and its docs describe every table: signed-in users only (401 otherwise).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    # No validator badge from validator.swagger.io: no network at run time, and the CSP allows only this host.
    "SWAGGER_UI_SETTINGS": {"deepLinking": True, "validatorUrl": None},
    # Request bodies described apart from responses: read-only fields (id, created …) are not asked for.
    "COMPONENT_SPLIT_REQUEST": True,
}

IMPORT_EXPORT_USE_TRANSACTIONS = True
FILTERS_EMPTY_CHOICE_LABEL = _("全部")
IMPORT_MAX_ROWS = int(os.environ.get("IMPORT_MAX_ROWS", "100000"))
# The national enterprise registry (Parquet, the schema of zhaoshang.analytics.registry.store) used for gap analysis
# and target search; `zhaoshang registry generate` writes a synthetic one for demos.
# Map tiles: a URL template (天地图 with its key, an intranet tile server, OpenStreetMap...); empty = no basemap,
# which works on an offline intranet. MAP_TILES_CRS says whether the tiles are GCJ-02 (Amap/Tencent style).
MAP_TILES = os.environ.get("ZHAOSHANG_MAP_TILES", "")
MAP_TILES_ATTRIBUTION = os.environ.get("ZHAOSHANG_MAP_TILES_ATTRIBUTION", "")
MAP_TILES_CRS = os.environ.get("ZHAOSHANG_MAP_TILES_CRS", "wgs84")
MAP_TILES_LABELS = os.environ.get(
    "ZHAOSHANG_MAP_TILES_LABELS", ""
)  # a second layer drawn on top (place names)
MAP_TILES_SUBDOMAINS = os.environ.get("ZHAOSHANG_MAP_TILES_SUBDOMAINS", "abc")
# 天地图, the national basemap government systems use: its browser key (tk) gives the vector map and its labels.
TIANDITU_KEY = os.environ.get("ZHAOSHANG_TIANDITU_KEY", "")
if TIANDITU_KEY and not MAP_TILES:
    _TIANDITU = (
        "https://t{s}.tianditu.gov.cn/%s_w/wmts?SERVICE=WMTS&REQUEST=GetTile&VERSION=1.0.0&LAYER=%s&STYLE=default"
        "&TILEMATRIXSET=w&FORMAT=tiles&TILEMATRIX={z}&TILEROW={y}&TILECOL={x}&tk=" + TIANDITU_KEY
    )
    MAP_TILES, MAP_TILES_LABELS = _TIANDITU % ("vec", "vec"), _TIANDITU % ("cva", "cva")
    MAP_TILES_SUBDOMAINS = "01234567"
    MAP_TILES_CRS = "wgs84"  # 天地图 is CGCS2000, which matches WGS84 to well under a metre
    MAP_TILES_ATTRIBUTION = MAP_TILES_ATTRIBUTION or "天地图 · 国家地理信息公共服务平台"
NATIONAL_REGISTRY = Path(
    os.environ.get("ZHAOSHANG_NATIONAL_REGISTRY", DATA_DIR / "registry" / "national.parquet")
)
FILE_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 20 * 1024 * 1024
# Uploads (core/uploads.py) are checked by content; the largest file of each type, in MB.
UPLOAD_MAX_MB = {
    "image": float(os.environ.get("ZHAOSHANG_UPLOAD_MAX_IMAGE_MB", "10")),  # JPEG, PNG
    "pdf": float(os.environ.get("ZHAOSHANG_UPLOAD_MAX_PDF_MB", "20")),
    "document": float(os.environ.get("ZHAOSHANG_UPLOAD_MAX_DOCUMENT_MB", "20")),  # OFD, docx
    "spreadsheet": float(os.environ.get("ZHAOSHANG_UPLOAD_MAX_SPREADSHEET_MB", "20")),  # xlsx, csv
    "text": float(os.environ.get("ZHAOSHANG_UPLOAD_MAX_TEXT_MB", "5")),
    "geo": float(os.environ.get("ZHAOSHANG_UPLOAD_MAX_GEO_MB", "50")),  # GeoJSON, zipped Shapefiles
}
# A zip (xlsx, docx, OFD, Shapefile) is refused before it is unpacked when it declares more than this.
ZIP_MAX_UNCOMPRESSED_MB = int(os.environ.get("ZHAOSHANG_ZIP_MAX_UNCOMPRESSED_MB", "200"))
ZIP_MAX_MEMBER_MB = int(os.environ.get("ZHAOSHANG_ZIP_MAX_MEMBER_MB", "100"))
ZIP_MAX_RATIO = int(os.environ.get("ZHAOSHANG_ZIP_MAX_RATIO", "100"))
ZIP_MAX_MEMBERS = int(os.environ.get("ZHAOSHANG_ZIP_MAX_MEMBERS", "10000"))
# An import preview reads the whole table inside the request only up to this size (uncompressed); larger files
# get the cheap checks (zip, declared rows) in the request and are read by the background worker.
IMPORT_INLINE_MB = float(os.environ.get("ZHAOSHANG_IMPORT_INLINE_MB", "2"))
# Site polygons: at most this many vertices each on import; pages and the map get a copy simplified to
# SITE_DISPLAY_VERTICES; one answer of the map's polygon endpoint carries at most MAP_SHAPES_MAX_VERTICES.
SITE_MAX_VERTICES = int(os.environ.get("ZHAOSHANG_SITE_MAX_VERTICES", "20000"))
SITE_DISPLAY_VERTICES = int(os.environ.get("ZHAOSHANG_SITE_DISPLAY_VERTICES", "1000"))
MAP_SHAPES_MAX_VERTICES = int(os.environ.get("ZHAOSHANG_MAP_SHAPES_MAX_VERTICES", "200000"))

BEHIND_PROXY = _env_bool("BEHIND_PROXY")
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
SECURE_SSL_REDIRECT = _env_bool("SECURE_SSL_REDIRECT")
# HTTPS-only cookies: on with SECURE_COOKIES (or SECURE_SSL_REDIRECT); each can be set on its own. Off by default
# because the demo runs on plain http://localhost, where secure cookies would make signing in impossible.
SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", _env_bool("SECURE_COOKIES", SECURE_SSL_REDIRECT))
CSRF_COOKIE_SECURE = _env_bool("CSRF_COOKIE_SECURE", SESSION_COOKIE_SECURE)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
