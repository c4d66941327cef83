"""Permission-matrix cases of the bulletins (format: tests/test_permission_matrix.py).

Whoever reads the daily analysis of an area downloads its bulletins (made on the spot the
first time); the other district's area is 404, and so is a day that was never made.
"""

import datetime as dt

from django.utils import timezone

from wangge.accounts.tests.permission_matrix import Case, World
from wangge.bulletins.tests.factories import make_day
from wangge.core.permissions import Perm


def _day() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def build(world: World) -> None:
    make_day(world.tree["grid_a"], _day())
    make_day(world.other["grid_a"], _day())


def _mine(w: World) -> dict[str, object]:
    return {"area": w.tree["grid_a"].pk, "day": _day().isoformat()}


def _foreign(w: World) -> dict[str, object]:
    return {"area": w.other["grid_a"].pk, "day": _day().isoformat()}


CASES = [
    Case("bulletins:list", perm=Perm.VIEW_ANALYSIS, denied=403),
    Case("bulletins:pdf", perm=Perm.VIEW_ANALYSIS, kwargs=_mine, foreign=_foreign),
    Case("bulletins:xlsx", perm=Perm.VIEW_ANALYSIS, kwargs=_mine, foreign=_foreign),
]
