"""Helpers of the snapshots' tests: make a day and read an area's current figures."""

import datetime as dt

from django.utils import timezone

from wangge.snapshots.actions import make_day
from wangge.snapshots.models import DaySnapshot, RunTrigger


def today() -> dt.date:
    return timezone.localdate()


def make(area, day=None, *, acting_user=None, trigger=RunTrigger.ON_DEMAND, now=None):
    return make_day(area, day or today(), trigger=trigger, acting_user=acting_user, now=now)


def figures(area, day=None) -> dict[str, int]:
    return DaySnapshot.objects.get(area=area, day=day or today(), current=True).figures


def lists(area, day=None) -> dict[str, list]:
    return DaySnapshot.objects.get(area=area, day=day or today(), current=True).lists
