"""Permission-matrix cases of the docking pages (format: tests/test_permission_matrix.py).

The page reads its area and day from the query (`?area=&day=`, as the dashboard links it),
so the matrix requests it without them (the user's own area) and its out-of-scope answer
(404) is tested in test_pages.py. Answering names the unit in the form: a unit outside
one's scope — the community, to a grid's leader or the sibling grid's actor — is 404.
"""

from django.utils import timezone

from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm, Role
from wangge.docking.tests.factories import make_day


def build(world: World) -> None:
    today = timezone.localdate()
    for name in ("street", "community"):
        make_day(world.tree[name], today)
        make_day(world.other[name], today)


def _answer(world: World) -> dict[str, object]:
    return {
        "area": world.tree["community"].pk,
        "day": timezone.localdate().isoformat(),
        "answer": "correct",
        "fix-testing.sampled": "1108",
        "why-testing.sampled": "补录外地采样 8 人",
        "comment": "",
    }


CASES = [
    Case("docking:day", perm=Perm.VIEW_ANALYSIS, denied=403),
    Case(
        "docking:answer",
        method="POST",
        perm=Perm.DOCK_FIGURES,
        data=_answer,
        ok=302,
        # The grid's leader docks nothing: the community is above their grid.
        expect={Role.GRID_LEADER: 404},
        sibling=Sibling(data=_answer),
    ),
]
