"""The daily docking (一天一对接): units confirm or correct their day's figures by a deadline."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How often the worker looks for units late to answer (the deadline is a time of day).
LATE_CHECK = dt.timedelta(minutes=5)


class DockingConfig(AppConfig):
    name = "wangge.docking"
    verbose_name = _("Daily docking")

    def ready(self) -> None:
        from wangge.core import cards, nav, schedule
        from wangge.docking import cards as docking_cards
        from wangge.docking import checks, navigation, tasks

        del checks  # registered on import
        schedule.register_periodic("docking.late", LATE_CHECK, tasks.check_late_units)
        nav.register(navigation.docking_links)
        cards.register(docking_cards.unit_card)
        cards.register(docking_cards.units_below_card)
