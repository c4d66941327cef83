import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "wangge.events"
    verbose_name = _("Events")

    def ready(self) -> None:
        from wangge.core import schedule
        from wangge.events import actions, tasks

        schedule.register_drain("events", actions.dispatch_pending)
        schedule.register_periodic(
            "events.prune_worker_records", dt.timedelta(days=1), tasks.prune_worker_records
        )
