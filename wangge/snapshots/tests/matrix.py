"""Permission-matrix cases of the snapshots' pages (format: tests/test_permission_matrix.py).

The versions of a day are read by whoever reads the analysis there; a day is made by the
leaders (MAKE_SNAPSHOTS) of the area it names; the other district's area is 404.
"""

from django.utils import timezone

from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm


def _day() -> str:
    return timezone.localdate().isoformat()


def _versions(key: str):
    def build(w: World) -> dict[str, object]:
        tree = w.tree if key == "mine" else w.other
        return {"area": tree["grid_a"].pk, "day": _day()}

    return build


def _make(tree_key: str, grid: str):
    def build(w: World) -> dict[str, object]:
        tree = w.tree if tree_key == "tree" else w.other
        return {"area": tree[grid].pk, "day": _day()}

    return build


CASES = [
    Case(
        "snapshots:versions",
        perm=Perm.VIEW_ANALYSIS,
        kwargs=_versions("mine"),
        foreign=_versions("foreign"),
    ),
    Case(
        "snapshots:make",
        method="POST",
        perm=Perm.MAKE_SNAPSHOTS,
        data=_make("tree", "grid_a"),
        ok=302,
        sibling=Sibling(data=_make("tree", "grid_b")),
    ),
]
