from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "wangge.workforce"
    verbose_name = _("Workforce")

    def ready(self) -> None:
        from wangge.areas.extensions import area_actions
        from wangge.core import nav
        from wangge.notifications.addresses import register_phone_lookup
        from wangge.workforce import navigation, phones

        register_phone_lookup("workforce.worker", phones.phone_of_user)
        nav.register(navigation.workforce_links)
        area_actions.register(navigation.area_buttons)
