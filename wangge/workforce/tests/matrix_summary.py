"""Permission-matrix cases of the workforce summary (/workforce/summary/?area=<id>).

Without an area the page shows the user's first area: refused (403) to someone who may see
the workforce nowhere. With an area in grid A's chain it is shown to whoever may see the
workforce there; the other district's area is 404 to everyone but the superuser.
"""

from wangge.accounts.tests.permission_matrix import Case, World
from wangge.core.permissions import Perm, Role
from wangge.workforce.choices import WorkerKind
from wangge.workforce.tests.factories import make_team, make_worker


def build(world: World) -> None:
    make_worker(world.tree["grid_a"], "矩阵网格长", kind=WorkerKind.GRID_LEADER)
    # The other district's workforce: its team's name must show nowhere.
    make_worker(world.other["grid_a"], "外区网格长", kind=WorkerKind.GRID_LEADER)
    make_team(world.other["community"], "MX-外区党员先锋队")
    world.foreign_markers.append("MX-外区党员先锋队")


CASES = [
    Case("workforce:summary", perm=Perm.VIEW_WORKFORCE, denied=403),
    Case(
        "workforce:summary",
        perm=Perm.VIEW_WORKFORCE,
        data=lambda w: {"area": w.tree["grid_a"].pk},
    ),
    # The other district's grid, named in the query: not found for everyone in grid A's tree.
    Case(
        "workforce:summary",
        perm=Perm.VIEW_WORKFORCE,
        data=lambda w: {"area": w.other["grid_a"].pk},
        expect={"nobody": 404, **{role: 404 for role in Role.values}},
    ),
]
