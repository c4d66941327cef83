from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "wangge.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from wangge.core import schedule
        from wangge.notifications import actions, checks  # noqa: F401 - registers the check

        schedule.register_drain("notifications", actions.send_due)
