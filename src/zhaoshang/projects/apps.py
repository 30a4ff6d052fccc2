from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "zhaoshang.projects"
    verbose_name = _("项目库")

    def ready(self) -> None:
        from zhaoshang.projects import demo, demo_leads, registry  # noqa: F401  (models, demo steps)
        from zhaoshang.projects.delivery import registry as delivery_registry  # noqa: F401
