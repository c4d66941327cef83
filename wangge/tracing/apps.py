"""Lists to trace (协查, 人员摸排): people named from above or by a grid, matched against the registry and followed until feedback."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How often the worker looks for people past their deadline without feedback.
OVERDUE_CHECK = dt.timedelta(minutes=10)


class TracingConfig(AppConfig):
    name = "wangge.tracing"
    verbose_name = _("Lists to trace")

    def ready(self) -> None:
        from wangge.core import cards, nav, schedule
        from wangge.tracing import tasks
        from wangge.tracing.cards import tracing_cards
        from wangge.tracing.navigation import tracing_links

        schedule.register_periodic("tracing.overdue", OVERDUE_CHECK, tasks.raise_overdue)
        nav.register(tracing_links)
        cards.register(tracing_cards)
