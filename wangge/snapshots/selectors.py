"""Reading the frozen days: an area's day, the day before, its trend, its children's day.

Everything here reads `DaySnapshot` rows only (current versions unless a version is asked
for), never the raw rows of the apps, so a past day reads as it was reported and the
dashboard costs the same whatever the size of the district.
"""

import datetime as dt

from django.db.models import QuerySet

from wangge.areas.models import Area
from wangge.snapshots.models import DaySnapshot

TREND_DAYS = 14


def current(area: Area, day: dt.date) -> DaySnapshot | None:
    """The current version of the area's day, or None when the day was not made."""
    return DaySnapshot.objects.filter(area=area, day=day, current=True).first()


def previous(area: Area, day: dt.date) -> DaySnapshot | None:
    """The current version of the last day before `day` that was made (for the change
    since yesterday: the day before, or the last one the worker made before it)."""
    return DaySnapshot.objects.filter(area=area, day__lt=day, current=True).order_by("-day").first()


def trend(area: Area, until: dt.date, days: int = TREND_DAYS) -> list[DaySnapshot]:
    """The current versions of the area's last `days` days up to `until`, oldest first
    (days that were not made are missing from the list)."""
    since = until - dt.timedelta(days=days - 1)
    return list(
        DaySnapshot.objects.filter(
            area=area, day__gte=since, day__lte=until, current=True
        ).order_by("day")
    )


def children(area: Area, day: dt.date) -> list[tuple[Area, DaySnapshot | None]]:
    """The area's children in tree order, each with its current snapshot of the day."""
    kids = list(Area.objects.get_children(area))
    found = {
        snapshot.area_id: snapshot
        for snapshot in DaySnapshot.objects.filter(area__in=kids, day=day, current=True)
    }
    return [(kid, found.get(kid.pk)) for kid in kids]


def versions(area: Area, day: dt.date) -> QuerySet[DaySnapshot]:
    """Every version of the area's day, newest first, with who made each."""
    return (
        DaySnapshot.objects.filter(area=area, day=day)
        .select_related("run", "run__made_by")
        .order_by("-version")
    )


def days_made(area: Area, limit: int = 60) -> list[dt.date]:
    """The days the area has figures for, newest first (the day picker)."""
    return list(
        DaySnapshot.objects.filter(area=area, current=True)
        .order_by("-day")
        .values_list("day", flat=True)[:limit]
    )
