from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "wangge.dispatch"
    verbose_name = _("Daily dispatch")

    def ready(self) -> None:
        from wangge.areas.extensions import area_actions
        from wangge.core import cards, nav
        from wangge.dispatch import cards as dispatch_cards
        from wangge.dispatch import navigation

        nav.register(navigation.dispatch_links)
        area_actions.register(navigation.area_dispatch_actions)
        cards.register(dispatch_cards.my_task_cards)
        cards.register(dispatch_cards.board_cards)
