from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "zhaoshang.projects"
    verbose_name = _("项目库")

    def ready(self) -> None:
        from zhaoshang.projects import demo, registry  # noqa: F401  (models, demo step)
        from zhaoshang.projects.delivery import registry as delivery_registry  # noqa: F401
