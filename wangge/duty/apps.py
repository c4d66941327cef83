"""Duty posts (值守), their 24-hour rosters, and scheduled tasks at fixed places and times (定时定点消杀, patrols)."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The unmanned-post check runs this often (a late worker is seen within this much more).
UNMANNED_CHECK = dt.timedelta(minutes=5)


class DutyConfig(AppConfig):
    name = "wangge.duty"
    verbose_name = _("Duty posts")

    def ready(self) -> None:
        from wangge.areas.extensions import area_actions
        from wangge.core import cards, nav, schedule
        from wangge.duty import cards as duty_cards
        from wangge.duty import navigation, tasks

        schedule.register_periodic("duty.unmanned", UNMANNED_CHECK, tasks.check_unmanned_posts)
        nav.register(navigation.duty_links)
        area_actions.register(navigation.area_duty_actions)
        cards.register(duty_cards.my_shift_cards)
        cards.register(duty_cards.my_task_cards)
        cards.register(duty_cards.area_cards)
