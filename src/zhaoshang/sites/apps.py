from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SitesConfig(AppConfig):
    name = "zhaoshang.sites"
    verbose_name = _("要素保障")

    def ready(self) -> None:
        from zhaoshang.sites import demo, jobs, registry  # noqa: F401  (registers models, demo step, job runner)
