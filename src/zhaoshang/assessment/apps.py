from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "zhaoshang.assessment"
    verbose_name = _("考核")

    def ready(self) -> None:
        from zhaoshang.assessment import demo, forecasting, registry, scoring  # noqa: F401  (models, jobs, demo)
