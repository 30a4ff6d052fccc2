from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhaoshang.core"
    verbose_name = _("基础")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from simple_history import register

        from zhaoshang.core.audit import AuditedHistory, _history_user

        User = get_user_model()
        # Accounts are audited too, but never their secrets.
        if not hasattr(User, "history"):
            register(
                User,
                app=__package__,
                excluded_fields=["password", "last_login"],
                get_user=_history_user,
                records_class=AuditedHistory,
            )

        from zhaoshang.core import import_jobs, views  # noqa: F401  (registers models and job runners)
