"""Frozen days with every figure of the catalogue, for the bulletins' tests and benchmark."""

import datetime as dt

from wangge.areas.models import Area
from wangge.snapshots.figures import FIGURES, RISK_ORDER
from wangge.snapshots.models import DaySnapshot
from wangge.snapshots.tests.factories import frozen_day


def figures_for(seed: int, *, expected: int = 1000, untested: int = 40) -> dict[str, int]:
    """Every figure of the catalogue, plausible and different for each seed."""
    values = {figure.key: (seed * 7 + index * 3) % 11 for index, figure in enumerate(FIGURES)}
    values.update(
        {
            "population.residents": expected + 50,
            "population.households": expected // 2,
            "testing.expected": expected,
            "testing.exempt": 12,
            "testing.sampled": expected - untested,
            "testing.untested": untested,
            "control.risk_level": RISK_ORDER["control"],
            "incidents.arrive_minutes": 90,
            "incidents.arrived": 3,
        }
    )
    return values


def late_requests(area: Area, count: int) -> list[dict[str, object]]:
    return [
        {
            "area_id": area.pk,
            "area": area.name,
            "ref": f"FW-2026-{index:04d}",
            "text": f"送药上门 {index}",
            "due": "2026-03-01T10:00:00+08:00",
            "url": "/services/1/",
        }
        for index in range(count)
    ]


def make_day(area: Area, day: dt.date, seed: int = 0, **kwargs: int) -> DaySnapshot:
    return frozen_day(area, day, figures_for(seed, **kwargs))
