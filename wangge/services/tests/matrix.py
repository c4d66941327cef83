"""Permission-matrix cases of the door-to-door service (format: tests/test_permission_matrix.py).

Grid A is in lockdown, with a household, a request assigned to a volunteer of grid A and a
handout; grid B (the sibling) and the other district have the same. Seeing takes
VIEW_CONTROL; recording and cancelling FOLLOW_UP; assigning MANAGE_CONTROL or the grid's
leader (so the grid leader is allowed too); moving a request on is the assignee's (none of
the matrix users) or an assigner's; supplies are recorded with DELIVER_SERVICES.
"""

from django.core.files.base import ContentFile
from django.utils import timezone

from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm, Role
from wangge.incidents.tests.test_photos import jpeg_bytes
from wangge.risk.choices import RiskLevel
from wangge.services import actions
from wangge.services.tests.factories import make_household, make_request, set_level
from wangge.workforce.choices import WorkerKind
from wangge.workforce.tests.factories import make_worker


def build(world: World) -> None:
    for place, grid, marker in (
        (world.mine, world.tree["grid_a"], "本区送菜"),
        (world.sibling, world.tree["grid_b"], "隔壁送菜"),
        (world.foreign, world.other["grid_a"], "外区送菜上门"),
    ):
        set_level(grid, RiskLevel.LOCKDOWN)
        household = make_household(grid, "801")
        worker = make_worker(grid, f"{marker}志愿者", kind=WorkerKind.VOLUNTEER)
        request = make_request(household, detail=marker)
        actions.assign(request, worker=worker, acting_user=None)
        request.delivery_photo.save("photo.jpg", ContentFile(jpeg_bytes()))
        place["svc_household"] = household
        place["svc_worker"] = worker
        place["svc_request"] = request
    world.foreign_markers += ["外区送菜上门"]


def _request(place: dict) -> dict:
    return {"pk": place["svc_request"].pk}


def _household(place: dict) -> dict:
    return {"pk": place["svc_household"].pk}


def _new_data(place: dict) -> dict:
    return {
        "household": str(place["svc_household"].pk),
        "kind": "groceries",
        "urgency": "urgent",
        "channel": "phone",
        "detail": "米面油",
        "care": "",
        "override_reason": "",
    }


def _assign_data(place: dict) -> dict:
    return {"assignee": f"worker:{place['svc_worker'].pk}"}


def _handout_data() -> dict:
    return {"item_0": "rice", "quantity_0": "5", "unit_0": "kg"}


_ASSIGNERS = {Role.GRID_LEADER: 302}

CASES = [
    Case("services:list", perm=Perm.VIEW_CONTROL, denied=403),
    # Anyone signed in may look for the requests assigned to them (none: an empty page).
    Case("services:mine"),
    Case("services:new", perm=Perm.FOLLOW_UP, denied=403),
    Case(
        "services:new",
        method="POST",
        perm=Perm.FOLLOW_UP,
        data=lambda w: _new_data(w.mine),
        ok=302,
        denied=403,
        sibling=Sibling(data=lambda w: _new_data(w.sibling)),
    ),
    Case(
        "services:detail",
        perm=Perm.VIEW_CONTROL,
        kwargs=lambda w: _request(w.mine),
        foreign=lambda w: _request(w.foreign),
    ),
    Case(
        "services:assign",
        method="POST",
        perm=Perm.MANAGE_CONTROL,
        kwargs=lambda w: _request(w.mine),
        foreign=lambda w: _request(w.foreign),
        data=lambda w: _assign_data(w.mine),
        ok=302,
        expect=_ASSIGNERS,
        sibling=Sibling(
            kwargs=lambda w: _request(w.sibling), data=lambda w: _assign_data(w.sibling)
        ),
    ),
    Case(
        "services:step",
        method="POST",
        perm=Perm.MANAGE_CONTROL,
        kwargs=lambda w: _request(w.mine),
        foreign=lambda w: _request(w.foreign),
        data=lambda w: {"status": "accepted"},
        ok=302,
        expect=_ASSIGNERS,
        sibling=Sibling(kwargs=lambda w: _request(w.sibling)),
    ),
    Case(
        "services:cancel",
        method="POST",
        perm=Perm.FOLLOW_UP,
        kwargs=lambda w: _request(w.mine),
        foreign=lambda w: _request(w.foreign),
        data=lambda w: {"reason": "家属已送到"},
        ok=302,
        sibling=Sibling(kwargs=lambda w: _request(w.sibling)),
    ),
    Case(
        "services:photo",
        perm=Perm.VIEW_CONTROL,
        kwargs=lambda w: _request(w.mine),
        foreign=lambda w: _request(w.foreign),
    ),
    Case(
        "services:household",
        perm=Perm.VIEW_CONTROL,
        kwargs=lambda w: _household(w.mine),
        foreign=lambda w: _household(w.foreign),
    ),
    Case(
        "services:handout",
        method="POST",
        perm=Perm.DELIVER_SERVICES,
        kwargs=lambda w: _household(w.mine),
        foreign=lambda w: _household(w.foreign),
        data=lambda w: _handout_data(),
        ok=302,
        sibling=Sibling(kwargs=lambda w: _household(w.sibling), data=lambda w: _handout_data()),
    ),
    Case("services:supplies", perm=Perm.VIEW_CONTROL, denied=403),
    Case(
        "services:supplies_export",
        perm=Perm.VIEW_CONTROL,
        denied=403,
        data=lambda w: {"since": timezone.localdate().isoformat()},
    ),
]
