from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "wangge.residents"
    verbose_name = _("Resident registry")

    def ready(self) -> None:
        from wangge.areas.extensions import register_area_actions
        from wangge.residents.navigation import area_buttons

        register_area_actions(area_buttons)
