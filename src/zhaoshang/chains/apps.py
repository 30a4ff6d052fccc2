from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ChainsConfig(AppConfig):
    name = "zhaoshang.chains"
    verbose_name = _("产业链")

    def ready(self) -> None:
        from zhaoshang.chains import demo, registry  # noqa: F401  (registers models, demo step, job runner)
