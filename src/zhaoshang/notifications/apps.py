from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "zhaoshang.notifications"
    verbose_name = _("消息提醒")

    def ready(self) -> None:
        from zhaoshang.notifications import registry  # noqa: F401  (the job and its schedule)
