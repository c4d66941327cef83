import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "wangge.testing"
    verbose_name = _("Mass testing")

    def ready(self) -> None:
        from wangge.areas.extensions import area_actions
        from wangge.core import cards, nav, schedule
        from wangge.testing import cards as testing_cards
        from wangge.testing import notify, station_views, tasks
        from wangge.testing.views import navigation

        nav.register(navigation.testing_links)
        # Risk asks testing whether an area has been quiet long enough to go down a level.
        from wangge.risk.downgrade import register_facts
        from wangge.testing.risk_facts import quiet_facts

        register_facts(quiet_facts)
        nav.register(station_views.station_links)
        area_actions.register(navigation.area_testing_actions)
        notify.register()
        schedule.register_periodic(
            "testing.refresh_open_rounds", dt.timedelta(minutes=10), tasks.refresh_open_rounds
        )
        schedule.register_periodic(
            "testing.report_overdue_recalls",
            dt.timedelta(minutes=15),
            tasks.report_overdue_recalls_task,
        )
        schedule.register_periodic(
            "testing.purge_old_rounds", dt.timedelta(days=1), tasks.purge_old_rounds
        )
        for provider in (
            testing_cards.unknown_result_cards,
            testing_cards.recall_cards,
            testing_cards.round_cards,
            testing_cards.tube_cards,
            testing_cards.lab_cards,
        ):
            cards.register(provider)
