from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TargetingConfig(AppConfig):
    name = "zhaoshang.targeting"
    verbose_name = _("短板与目标")

    def ready(self) -> None:
        from zhaoshang.targeting import demo, gaps, registry  # noqa: F401  (demo steps, job runner, downloads)
