"""Made days and answers for the docking's tests."""

import datetime as dt

from django.utils import timezone

from wangge.areas.models import Area
from wangge.docking.actions import CorrectionItem, answer_day
from wangge.docking.models import Docking
from wangge.snapshots.models import DaySnapshot
from wangge.snapshots.tests.factories import frozen_day

FIGURES = {
    "population.residents": 1200,
    "population.households": 410,
    "testing.expected": 1150,
    "testing.sampled": 1100,
    "testing.untested": 50,
    "control.risk_level": 2,
    "incidents.arrive_minutes": 95,
    "services.open": 3,
}

# 2026-03-02, 10:00 and 21:00 in Asia/Shanghai (the deadline is 20:00).
DAY = dt.date(2026, 3, 2)
BEFORE = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)
AFTER = dt.datetime(2026, 3, 2, 13, 0, tzinfo=dt.UTC)


def make_day(area: Area, day: dt.date = DAY, **figures: int) -> DaySnapshot:
    """A new current version of the area's day with FIGURES (keys with "__" for ".")."""
    values = dict(FIGURES)
    values.update({key.replace("__", "."): value for key, value in figures.items()})
    return frozen_day(area, day, values)


def make_days(tree: dict[str, Area], day: dt.date = DAY) -> None:
    """The day made for every area of the tree (as a run does)."""
    for area in tree.values():
        make_day(area, day)


def answer(
    unit: Area,
    user: object,
    day: dt.date = DAY,
    *,
    fixes: dict[str, tuple[int, str]] | None = None,
    comment: str = "",
    at: dt.datetime | None = None,
) -> Docking:
    return answer_day(
        unit,
        day,
        corrections=[
            CorrectionItem(key, value, reason) for key, (value, reason) in (fixes or {}).items()
        ],
        comment=comment,
        acting_user=user,  # type: ignore[arg-type]
        at=at or timezone.now(),
    )
