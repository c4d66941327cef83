"""The daily analysis (一天一分析): each area's figures of a day, frozen in versions."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How often the worker looks whether today's figures are due (made once, after the set
# time: WANGGE_SNAPSHOT_AT).
CHECK_EVERY = dt.timedelta(minutes=5)


class SnapshotsConfig(AppConfig):
    name = "wangge.snapshots"
    verbose_name = _("Daily figures")

    def ready(self) -> None:
        from wangge.core import schedule
        from wangge.snapshots import tasks

        schedule.register_periodic("snapshots.daily", CHECK_EVERY, tasks.make_todays_figures)
