"""Frozen days for the dashboard's tests: a whole branch's figures that add up."""

import datetime as dt

from wangge.areas.models import Area
from wangge.snapshots.models import DaySnapshot
from wangge.snapshots.tests.factories import frozen_day

DAY = dt.date(2026, 3, 10)


def figures(
    *,
    expected: int = 100,
    sampled: int = 90,
    positives: int = 0,
    incidents_open: int = 1,
    missed: int = 0,
    late: int = 0,
    level: int = 0,
    key_persons: int = 3,
    overdue: int = 0,
) -> dict[str, int]:
    """A snapshot's figures, the few the tests look at set, the rest consistent."""
    return {
        "population.residents": expected + 5,
        "population.households": expected // 3,
        "testing.expected": expected,
        "testing.sampled": sampled,
        "testing.exempt": 5,
        "testing.untested": expected - sampled,
        "testing.followed_up": (expected - sampled) // 2,
        "testing.positive_pools": positives,
        "testing.positive_cases": positives,
        "testing.open_recalls": positives * 10,
        "control.risk_level": level,
        "control.grids_lockdown": 1 if level == 3 else 0,
        "control.grids_control": 1 if level == 2 else 0,
        "control.grids_prevention": 1 if level == 1 else 0,
        "control.central_quarantine": key_persons,
        "control.home_quarantine": 0,
        "control.health_monitoring": 0,
        "control.checks_overdue": overdue,
        "control.tests_overdue": 0,
        "control.traced": 4,
        "control.traced_answered": 3,
        "control.traced_overdue": 0,
        "checkpoints.vehicles": 20,
        "checkpoints.people": 31,
        "checkpoints.fevers": 0,
        "checkpoints.codes": 0,
        "services.opened": 2,
        "services.open": 2 + late,
        "services.late": late,
        "services.done": 1,
        "incidents.raised": 1,
        "incidents.open": incidents_open,
        "incidents.missed": missed,
        "incidents.arrived": 2,
        "incidents.arrive_minutes": 50,
        "workforce.on_duty": 12,
        "workforce.gaps": 0,
    }


def day_of(area: Area, day: dt.date = DAY, **kwargs: int) -> DaySnapshot:
    return frozen_day(area, day, figures(**kwargs))


def history(tree: dict[str, Area], until: dt.date = DAY, days: int = 14) -> None:
    """`days` days for the whole tree, up to `until`: coverage rising a point a day in grid
    A, grid B far behind; the community, street, district and city the sums."""
    for back in range(days):
        day = until - dt.timedelta(days=back)
        a = figures(expected=100, sampled=90 - back, incidents_open=1, level=2)
        b = figures(expected=50, sampled=20, incidents_open=2, late=1, overdue=2)
        total = {key: a[key] + b[key] for key in a}
        total["control.risk_level"] = max(a["control.risk_level"], b["control.risk_level"])
        frozen_day(tree["grid_a"], day, a)
        frozen_day(tree["grid_b"], day, b)
        for name in ("community", "street", "district", "city"):
            frozen_day(tree[name], day, total)
