from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "wangge.workforce"
    verbose_name = _("Workforce")

    def ready(self) -> None:
        from wangge.notifications.addresses import register_phone_lookup
        from wangge.workforce import phones

        register_phone_lookup("workforce.worker", phones.phone_of_user)
