from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "zhaoshang.core"
    verbose_name = _("基础")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth import get_user_model
        from django.db.models.signals import post_migrate, pre_migrate
        from simple_history import register

        from zhaoshang.core.audit import AuditedHistory, _history_user, migration_finished, migration_started

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

        # Data migrations write on the `migrate` channel, the only writes the audit lets through without an actor.
        pre_migrate.connect(migration_started, dispatch_uid="zhaoshang_audit_migrate_start")
        post_migrate.connect(migration_finished, dispatch_uid="zhaoshang_audit_migrate_end")

        from zhaoshang.core import import_jobs, registry  # noqa: F401  (registers models and job runners)
