"""Frozen days for tests of what reads them (dashboard, docking, bulletins)."""

import datetime as dt

from django.utils import timezone

from wangge.areas.models import Area
from wangge.snapshots.models import DaySnapshot, RunTrigger, SnapshotRun


def frozen_day(
    area: Area,
    day: dt.date,
    figures: dict[str, int],
    lists: dict[str, list[dict[str, object]]] | None = None,
) -> DaySnapshot:
    """A new current version of `area`'s day with these figures (the old one kept)."""
    last = DaySnapshot.objects.filter(area=area, day=day).order_by("-version").first()
    DaySnapshot.objects.filter(area=area, day=day, current=True).update(current=False)
    run = SnapshotRun.objects.create(
        root=area, day=day, trigger=RunTrigger.ON_DEMAND, made_at=timezone.now(), areas=1
    )
    return DaySnapshot.objects.create(
        run=run,
        area=area,
        day=day,
        version=(last.version + 1) if last else 1,
        figures=figures,
        lists=lists or {},
    )
