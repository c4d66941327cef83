"""Permission-matrix cases of the tracing pages. Format: tests/test_permission_matrix.py."""

import datetime as dt
from typing import Any

from tests.factories import UserFactory, grant, id_number
from wangge.accounts.tests.permission_matrix import SUPERUSER, Case, Sibling, World
from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.core.permissions import Perm, Role
from wangge.tracing import actions, importing
from wangge.tracing.models import TracedList
from wangge.tracing.tests.factories import xlsx

SYSTEM = Actor(user=None, label="matrix")
# A staged upload is its uploader's alone: every other principal, the superuser included,
# finds nothing there.
# The administrator, as in the registry's cases: the page-security test (tests/test_security_csp.py)
# reads the preview as the administrator.
UPLOADER = Role.ADMINISTRATOR
NOT_THE_UPLOADER: dict[str, Any] = {
    **{role: 404 for role in Role.values if role != UPLOADER},
    SUPERUSER: 404,
}


def _list(area: Area, title: str, name: str) -> TracedList:
    analysis = importing.analyse(xlsx([[1, name, id_number(), "", "", ""]]), "m.xlsx")
    return actions.import_list(
        analysis,
        area=area,
        title=title,
        reason="密接",
        deadline=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        acting_user=SYSTEM,
    )


def build(world: World) -> None:
    mine = _list(world.tree["grid_a"], "本地协查名单", "本地协查对象")
    theirs = _list(world.other["grid_a"], "外地协查名单", "外地协查对象")
    beside = _list(world.tree["grid_b"], "邻格协查名单", "邻格协查对象")
    world.mine["traced_list"] = mine
    world.mine["traced"] = mine.people.get()
    world.foreign["traced_list"] = theirs
    world.foreign["traced"] = theirs.people.get()
    world.sibling["traced_list"] = beside
    world.sibling["traced"] = beside.people.get()
    world.foreign_markers += ["外地协查名单", "外地协查对象"]


def _token(world: World, side: str) -> str:
    """A checked upload waiting for its uploader's decision."""
    store = world.mine if side == "mine" else world.foreign
    if "token" not in store:
        if side == "mine":
            owner, area = world.users[UPLOADER], world.tree["grid_a"]
        else:
            owner = grant(
                UserFactory(username="matrix_tracing_foreign"),
                Role.COMMUNITY_STAFF,
                world.other["community"],
            )
            area = world.other["grid_a"]
        store["token"], _analysis = actions.stage_list(
            xlsx([[1, "待导入", id_number(), "", "", ""]]),
            "待导入.xlsx",
            owner=owner,
            meta={
                "area": area.pk,
                "title": "待导入名单",
                "reason": "",
                "deadline": "2030-01-01T00:00:00+00:00",
            },
        )
    return str(store["token"])


def _token_beside(world: World) -> dict[str, Any]:
    """The grid-A actor's own upload, meant for grid B: confirming it must change nothing."""
    assert world.sibling_user is not None
    token, _analysis = actions.stage_list(
        xlsx([[1, "邻格待导入", id_number(), "", "", ""]]),
        "邻格.xlsx",
        owner=world.sibling_user,
        meta={
            "area": world.tree["grid_b"].pk,
            "title": "邻格名单",
            "reason": "",
            "deadline": "2030-01-01T00:00:00+00:00",
        },
    )
    return {"token": token}


def _list_form(world: World, area: str = "grid_a") -> dict[str, Any]:
    return {"area": world.tree[area].pk, "title": "本格摸排", "deadline": "2030-01-01"}


CASES = [
    Case("tracing:index", perm=Perm.VIEW_CONTROL),
    Case("tracing:mine", perm=Perm.FOLLOW_UP),
    Case("tracing:template", perm=Perm.MANAGE_CONTROL),
    Case("tracing:import", perm=Perm.MANAGE_CONTROL),
    # Without a file the form comes back; into grid B it is not found.
    Case(
        "tracing:import",
        method="POST",
        perm=Perm.MANAGE_CONTROL,
        data=lambda w: _list_form(w),
        sibling=Sibling(data=lambda w: _list_form(w, "grid_b")),
    ),
    Case(
        "tracing:import_preview",
        perm=Perm.MANAGE_CONTROL,
        kwargs=lambda w: {"token": _token(w, "mine")},
        foreign=lambda w: {"token": _token(w, "foreign")},
        expect=NOT_THE_UPLOADER,
    ),
    Case(
        "tracing:import_confirm",
        method="POST",
        perm=Perm.MANAGE_CONTROL,
        kwargs=lambda w: {"token": _token(w, "mine")},
        foreign=lambda w: {"token": _token(w, "foreign")},
        ok=302,
        expect=NOT_THE_UPLOADER,
        sibling=Sibling(kwargs=_token_beside),
    ),
    Case(
        "tracing:import_discard",
        method="POST",
        perm=Perm.MANAGE_CONTROL,
        kwargs=lambda w: {"token": _token(w, "mine")},
        foreign=lambda w: {"token": _token(w, "foreign")},
        ok=302,
        expect=NOT_THE_UPLOADER,
        unscoped_write="deletes the uploader's own staged file; nothing in an area changes",
    ),
    Case("tracing:start", perm=Perm.FOLLOW_UP),
    Case(
        "tracing:start",
        method="POST",
        perm=Perm.FOLLOW_UP,
        data=lambda w: _list_form(w),
        ok=302,
        sibling=Sibling(data=lambda w: _list_form(w, "grid_b")),
    ),
    Case(
        "tracing:detail",
        perm=Perm.VIEW_CONTROL,
        kwargs=lambda w: {"pk": w.mine["traced_list"].pk},
        foreign=lambda w: {"pk": w.foreign["traced_list"].pk},
    ),
    Case(
        "tracing:export",
        perm=Perm.VIEW_CONTROL,
        kwargs=lambda w: {"pk": w.mine["traced_list"].pk},
        foreign=lambda w: {"pk": w.foreign["traced_list"].pk},
    ),
    Case(
        "tracing:add",
        perm=Perm.FOLLOW_UP,
        kwargs=lambda w: {"pk": w.mine["traced_list"].pk},
        foreign=lambda w: {"pk": w.foreign["traced_list"].pk},
    ),
    Case(
        "tracing:add",
        method="POST",
        perm=Perm.FOLLOW_UP,
        kwargs=lambda w: {"pk": w.mine["traced_list"].pk},
        foreign=lambda w: {"pk": w.foreign["traced_list"].pk},
        data=lambda w: {"name": "新增对象", "id_type": "resident_card", "phone": "13900005555"},
        ok=302,
        sibling=Sibling(kwargs=lambda w: {"pk": w.sibling["traced_list"].pk}),
    ),
    Case(
        "tracing:person",
        perm=Perm.VIEW_CONTROL,
        kwargs=lambda w: {"pk": w.mine["traced"].pk},
        foreign=lambda w: {"pk": w.foreign["traced"].pk},
    ),
    Case(
        "tracing:person",
        method="POST",
        perm=Perm.FOLLOW_UP,
        kwargs=lambda w: {"pk": w.mine["traced"].pk},
        foreign=lambda w: {"pk": w.foreign["traced"].pk},
        data=lambda w: {"status": "not_found", "note": "查无此人"},
        ok=302,
        sibling=Sibling(kwargs=lambda w: {"pk": w.sibling["traced"].pk}),
    ),
    Case(
        "tracing:assign",
        method="POST",
        perm=Perm.MANAGE_CONTROL,
        kwargs=lambda w: {"pk": w.mine["traced"].pk},
        foreign=lambda w: {"pk": w.foreign["traced"].pk},
        data=lambda w: {"area": w.tree["grid_a"].pk},
        ok=302,
        sibling=Sibling(kwargs=lambda w: {"pk": w.sibling["traced"].pk}),
    ),
]
