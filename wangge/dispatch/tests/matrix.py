"""Permission-matrix cases of the dispatch boards (format: tests/test_permission_matrix.py).

A team serving grid A with today's tasks is in every role's scope: viewing its board takes
VIEW_WORKFORCE on its area; assigning, copying and acting on its tasks take DISPATCH (the
matrix users are no team's leader and no task's worker). The other district's team and
tasks are 404; an actor of grid A naming grid B's team or task changes nothing.
"""

import uuid

from django.utils import timezone

from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm
from wangge.dispatch.tests.factories import make_crew, make_task


def build(world: World) -> None:
    for place, grid, prefix in (
        (world.mine, world.tree["grid_a"], "mxa"),
        (world.sibling, world.tree["grid_b"], "mxb"),
        (world.foreign, world.other["grid_a"], "外mx"),
    ):
        crew = make_crew(grid, size=2, name=f"{prefix}蓝马甲", prefix=prefix)
        place["dispatch_team"] = crew.team
        place["dispatch_worker"] = crew.members[1]
        place["dispatch_place"] = grid
        place["dispatch_task"] = make_task(crew.team, crew.members[0], grid, kind="sampling")
    world.foreign_markers.append("外mx蓝马甲")


def _save_data(place: dict) -> dict:
    return {
        "day": timezone.localdate().isoformat(),
        "worker": [str(place["dispatch_worker"].pk)],
        "task": [str(uuid.uuid4())],
        "kind": ["patrol"],
        "place": [str(place["dispatch_place"].pk)],
        "note": [""],
    }


def _team(place: dict) -> dict:
    return {"team_pk": place["dispatch_team"].pk}


def _task(place: dict) -> dict:
    return {"pk": place["dispatch_task"].pk}


def _task_case(url: str, data: dict) -> Case:
    return Case(
        url,
        method="POST",
        perm=Perm.DISPATCH,
        kwargs=lambda w: _task(w.mine),
        foreign=lambda w: _task(w.foreign),
        data=lambda w: data,
        ok=302,
        sibling=Sibling(kwargs=lambda w: _task(w.sibling)),
    )


CASES = [
    Case("dispatch:overview", perm=Perm.VIEW_WORKFORCE, denied=403),
    # Anyone signed in may look for their own tasks (none: an empty page).
    Case("dispatch:mine"),
    Case(
        "dispatch:board",
        perm=Perm.VIEW_WORKFORCE,
        kwargs=lambda w: _team(w.mine),
        foreign=lambda w: _team(w.foreign),
    ),
    Case(
        "dispatch:board_save",
        method="POST",
        perm=Perm.DISPATCH,
        kwargs=lambda w: _team(w.mine),
        foreign=lambda w: _team(w.foreign),
        data=lambda w: _save_data(w.mine),
        ok=302,
        sibling=Sibling(kwargs=lambda w: _team(w.sibling), data=lambda w: _save_data(w.sibling)),
    ),
    Case(
        "dispatch:board_copy",
        method="POST",
        perm=Perm.DISPATCH,
        kwargs=lambda w: _team(w.mine),
        foreign=lambda w: _team(w.foreign),
        data=lambda w: {"day": timezone.localdate().isoformat()},
        ok=302,
        sibling=Sibling(kwargs=lambda w: _team(w.sibling)),
    ),
    _task_case("dispatch:task_check_in", {}),
    _task_case("dispatch:task_check_out", {}),
    _task_case("dispatch:task_close", {"outcome": "not_done", "reason": "人手不足"}),
]
