"""Permission-matrix cases of the alarms for results that reached no tube.

An alarm in grid A is seen by everyone who may view testing there; closing it takes
loading results or managing rounds on its area. The other district's alarm is 404.
"""

from django.utils import timezone

from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import ROLE_PERMISSIONS, Perm, Role
from wangge.testing.choices import ResultSource, TestResult
from wangge.testing.models import UnknownResult


def build(world: World) -> None:
    for place, grid, barcode in (
        (world.mine, world.tree["grid_a"], "MX-ALARM-A"),
        (world.sibling, world.tree["grid_b"], "MX-ALARM-B"),
        (world.foreign, world.other["grid_a"], "MX-ALARM-外"),
    ):
        place["alarm"] = UnknownResult.objects.create(
            barcode=barcode,
            result=TestResult.POSITIVE,
            source=ResultSource.API,
            area=grid,
            reported_at=timezone.now(),
        )
    world.foreign_markers.append("MX-ALARM-外")


def _closers() -> dict[str, int]:
    """Who may close an alarm: who views testing and loads results or manages rounds."""
    return {
        role: 302
        if Perm.VIEW_TESTING in ROLE_PERMISSIONS[role]
        and ROLE_PERMISSIONS[role] & {Perm.LOAD_RESULTS, Perm.MANAGE_ROUNDS}
        else 404
        for role in Role.values
    }


CASES = [
    Case("testing:unknown_results", perm=Perm.VIEW_TESTING),
    Case(
        "testing:unknown_result_resolve",
        method="POST",
        perm=Perm.VIEW_TESTING,
        kwargs=lambda w: {"alarm_pk": w.mine["alarm"].pk},
        foreign=lambda w: {"alarm_pk": w.foreign["alarm"].pk},
        data=lambda w: {"note": "条码录入错误，已找到原管"},
        ok=302,
        expect=_closers(),
        # An actor of grid A cannot close grid B's alarm: it does not exist for them.
        sibling=Sibling(kwargs=lambda w: {"alarm_pk": w.sibling["alarm"].pk}),
    ),
]
