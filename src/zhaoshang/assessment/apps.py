from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "zhaoshang.assessment"
    verbose_name = _("考核")

    def ready(self) -> None:
        from zhaoshang.assessment import demo, forecasting, registry, scoring  # noqa: F401  (models, jobs, demo)

        post_migrate.connect(_facts_triggers, sender=self)


def _facts_triggers(using: str = "default", **_kwargs: object) -> None:
    """The facts version triggers again after every migrate: SQLite drops a table's triggers when a migration
    rebuilds it (`assessment.facts_triggers`). Idempotent; skipped until the version table exists."""
    from django.db import connections

    from zhaoshang.assessment.facts_triggers import VERSIONS, install

    connection = connections[using]
    if VERSIONS in connection.introspection.table_names():
        install(connection)
