from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AreasConfig(AppConfig):
    name = "wangge.areas"
    verbose_name = _("Areas")

    def ready(self) -> None:
        from wangge.areas.cards import my_areas
        from wangge.core import cards

        cards.register(my_areas)
