from importlib import import_module

from django.apps import AppConfig, apps
from django.contrib.admin.apps import SimpleAdminConfig
from django.utils.module_loading import module_has_submodule
from django.utils.translation import gettext_lazy as _

# Apps whose admin module we do not load: import-export's only offers admin mix-ins we do not use, and importing
# it loads openpyxl (and with it numpy) into every command and web worker at start.
ADMIN_SKIPPED = frozenset({"import_export"})


class WebConfig(AppConfig):
    name = "zhaoshang.web"
    verbose_name = _("界面")


class AdminConfig(SimpleAdminConfig):
    """Django's admin with the usual discovery of every app's `admin` module, but those in ADMIN_SKIPPED."""

    default = False

    def ready(self) -> None:
        super().ready()
        for config in apps.get_app_configs():
            if config.name not in ADMIN_SKIPPED and module_has_submodule(config.module, "admin"):
                import_module(f"{config.name}.admin")
