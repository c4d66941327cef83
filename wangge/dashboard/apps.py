"""The command dashboard and the map: the day's figures of any area, down the tree."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    name = "wangge.dashboard"
    verbose_name = _("Command dashboard")

    def ready(self) -> None:
        from wangge.core import cards, nav
        from wangge.dashboard import cards as dashboard_cards
        from wangge.dashboard import navigation

        nav.register(navigation.dashboard_links)
        cards.register(dashboard_cards.dashboard_cards)
