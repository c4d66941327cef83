"""Permission-matrix cases of the dashboard (format: tests/test_permission_matrix.py).

The area is a query parameter, so the page names no object in its URL: someone who reads
the analysis nowhere gets 403; an area out of scope is 404 (wangge/dashboard/tests/
test_pages.py checks it, for the other district's areas and for a sibling grid).
"""

from wangge.accounts.tests.permission_matrix import Case, World
from wangge.core.permissions import Perm, Role
from wangge.dashboard.tests.factories import DAY, figures
from wangge.dashboard.tests.map_matrix import CASES as MAP_CASES
from wangge.snapshots.tests.factories import frozen_day


def build(world: World) -> None:
    """A day made for grid A and its community (the page then draws everything), and one
    for the other district's grid."""
    for name in ("grid_a", "community"):
        frozen_day(world.tree[name], DAY, figures())
    frozen_day(world.other["grid_a"], DAY, figures())


def _grid_a(w: World) -> dict[str, object]:
    return {"area": w.tree["grid_a"].pk, "day": DAY.isoformat()}


def _community(w: World) -> dict[str, object]:
    return {"area": w.tree["community"].pk, "day": DAY.isoformat()}


CASES = [
    # The user's own top area, its last day made.
    Case("dashboard:home", perm=Perm.VIEW_ANALYSIS, denied=403),
    Case("dashboard:home", perm=Perm.VIEW_ANALYSIS, denied=403, data=_grid_a),
    # The community with its children's table: above the grid leader's grid, so 404 to them.
    Case(
        "dashboard:home",
        perm=Perm.VIEW_ANALYSIS,
        denied=403,
        data=_community,
        expect={Role.GRID_LEADER: 404},
    ),
    *MAP_CASES,
]
