"""Permission-matrix cases of the registry pages. Format: tests/test_permission_matrix.py."""

from typing import Any

from tests.factories import UserFactory, grant, id_number, make_resident
from wangge.accounts.tests.permission_matrix import SUPERUSER, Case, Sibling, World
from wangge.core.permissions import Perm, Role

# The same name in both districts: a search shows only the one in scope.
NAME = "张三丰"
# A register upload is its uploader's alone: the district's administrator uploads it (the
# CSP check renders pages as alice or as that administrator), and every other principal,
# the superuser included, finds nothing there.
UPLOADER = Role.ADMINISTRATOR
NOT_THE_UPLOADER: dict[str, Any] = {
    **{role: 404 for role in Role.values if role != UPLOADER},
    SUPERUSER: 404,
}


def build(world: World) -> None:
    mine = make_resident(world.tree["grid_a"], NAME, room="101", phone="13900001111")
    theirs = make_resident(
        world.other["grid_a"],
        NAME,
        number=id_number(region="620981"),
        room="外909",
        phone="13900002222",
    )
    world.mine["resident"] = mine
    world.foreign["resident"] = theirs
    world.foreign_markers += [theirs.id_number_masked, theirs.household.label, theirs.code]
    world.sibling["resident"] = make_resident(world.tree["grid_b"], "邻格居民", room="202")


def _register(person_number: str) -> bytes:
    return f"姓名,身份证号,房号\n张无忌,{person_number},808\n".encode()


def _batch(world: World, side: str) -> int:
    """An uploaded register, made when a case first needs it (it writes encrypted files)."""
    from wangge.residents import actions

    store = world.mine if side == "mine" else world.foreign
    if "batch" not in store:
        if side == "mine":
            uploader = world.users[UPLOADER]
            grid = world.tree["grid_a"]
        else:
            uploader = grant(
                UserFactory(username="matrix_foreign_uploader"),
                Role.COMMUNITY_STAFF,
                world.other["community"],
            )
            grid = world.other["grid_a"]
            world.foreign_markers.append("外地底册.csv")
        store["batch"] = actions.stage_import(
            _register(id_number(region="620103" if side == "mine" else "620981")),
            "底册.csv" if side == "mine" else "外地底册.csv",
            grid,
            acting_user=uploader,
        )
    return int(store["batch"].pk)


def _batch_beside(world: World) -> dict[str, Any]:
    """A register upload of the grid-A actor into grid B (staged when they still kept grid
    B's register, say): applying or discarding it must change nothing."""
    from wangge.residents import actions
    from wangge.residents.models import ImportBatch

    batch = actions.stage_import(
        _register(id_number()),
        "邻格底册.csv",
        world.tree["grid_b"],
        acting_user=world.users[UPLOADER],
    )
    ImportBatch.objects.filter(pk=batch.pk).update(uploaded_by=world.sibling_user)
    return {"pk": batch.pk}


def _resident_beside(world: World) -> dict[str, Any]:
    return {"pk": world.sibling["resident"].pk}


def _household_beside(world: World) -> dict[str, Any]:
    return {"pk": world.sibling["resident"].household_id}


def _person(world: World) -> dict[str, Any]:
    return {"name": "张无忌", "id_type": "none", "birth_date": "2021-06-01", "status": "present"}


CASES = [
    # Search answers everyone; it finds only residents in the searcher's registry scope.
    Case("residents:search", data=lambda w: {"q": NAME}),
    Case(
        "residents:detail",
        perm=Perm.VIEW_REGISTRY,
        kwargs=lambda w: {"pk": w.mine["resident"].pk},
        foreign=lambda w: {"pk": w.foreign["resident"].pk},
    ),
    Case(
        "residents:household",
        perm=Perm.VIEW_REGISTRY,
        kwargs=lambda w: {"pk": w.mine["resident"].household_id},
        foreign=lambda w: {"pk": w.foreign["resident"].household_id},
    ),
    Case(
        "residents:reveal",
        method="POST",
        perm=Perm.REVEAL_PERSONAL,
        kwargs=lambda w: {"pk": w.mine["resident"].pk, "field": "id_number"},
        foreign=lambda w: {"pk": w.foreign["resident"].pk, "field": "id_number"},
        sibling=Sibling(kwargs=lambda w: {"pk": w.sibling["resident"].pk, "field": "id_number"}),
    ),
    # The call: a redirect to the dialler for those who contact the grid's residents.
    Case(
        "residents:call",
        method="POST",
        perm=Perm.CONTACT_RESIDENTS,
        kwargs=lambda w: {"pk": w.mine["resident"].pk},
        foreign=lambda w: {"pk": w.foreign["resident"].pk},
        ok=302,
        sibling=Sibling(kwargs=lambda w: {"pk": w.sibling["resident"].pk}),
    ),
    # Adding and editing people and households.
    Case(
        "residents:create",
        perm=Perm.EDIT_REGISTRY,
        kwargs=lambda w: {"pk": w.mine["resident"].household_id},
        foreign=lambda w: {"pk": w.foreign["resident"].household_id},
    ),
    Case(
        "residents:create",
        method="POST",
        perm=Perm.EDIT_REGISTRY,
        kwargs=lambda w: {"pk": w.mine["resident"].household_id},
        foreign=lambda w: {"pk": w.foreign["resident"].household_id},
        data=_person,
        ok=302,
        sibling=Sibling(kwargs=_household_beside),
    ),
    Case(
        "residents:edit",
        perm=Perm.EDIT_REGISTRY,
        kwargs=lambda w: {"pk": w.mine["resident"].pk},
        foreign=lambda w: {"pk": w.foreign["resident"].pk},
    ),
    Case(
        "residents:edit",
        method="POST",
        perm=Perm.EDIT_REGISTRY,
        kwargs=lambda w: {"pk": w.mine["resident"].pk},
        foreign=lambda w: {"pk": w.foreign["resident"].pk},
        data=lambda w: {
            "name": NAME,
            "id_type": "resident_card",
            "id_number": "",
            "status": "away",
        },
        ok=302,
        sibling=Sibling(kwargs=_resident_beside),
    ),
    Case(
        "residents:household_create",
        perm=Perm.EDIT_REGISTRY,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
    ),
    Case(
        "residents:household_create",
        method="POST",
        perm=Perm.EDIT_REGISTRY,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
        data=lambda w: {"building": "9", "unit": "1", "room": "909"},
        ok=302,
        sibling=Sibling(kwargs=lambda w: {"pk": w.tree["grid_b"].pk}),
    ),
    # A grid's register, as Excel and as the printed PDF.
    Case(
        "residents:export_grid_xlsx",
        perm=Perm.EXPORT_REGISTRY,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
    ),
    Case(
        "residents:export_grid_pdf",
        perm=Perm.EXPORT_REGISTRY,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
    ),
    # The import: the upload page (the area is a query parameter; test_import_views
    # checks an area out of scope), then a batch that only its uploader sees.
    Case(
        "residents:import",
        perm=Perm.IMPORT_REGISTRY,
        data=lambda w: {"area": w.tree["grid_a"].pk},
    ),
    # Without a file the form comes back; into grid B it is not found.
    Case(
        "residents:import",
        method="POST",
        perm=Perm.IMPORT_REGISTRY,
        data=lambda w: {"area": w.tree["grid_a"].pk},
        sibling=Sibling(data=lambda w: {"area": w.tree["grid_b"].pk}),
    ),
    Case(
        "residents:import_batch",
        perm=Perm.IMPORT_REGISTRY,
        kwargs=lambda w: {"pk": _batch(w, "mine")},
        foreign=lambda w: {"pk": _batch(w, "foreign")},
        expect=NOT_THE_UPLOADER,
    ),
    Case(
        "residents:import_progress",
        perm=Perm.IMPORT_REGISTRY,
        kwargs=lambda w: {"pk": _batch(w, "mine")},
        foreign=lambda w: {"pk": _batch(w, "foreign")},
        expect=NOT_THE_UPLOADER,
    ),
    Case(
        "residents:import_report",
        perm=Perm.IMPORT_REGISTRY,
        kwargs=lambda w: {"pk": _batch(w, "mine")},
        foreign=lambda w: {"pk": _batch(w, "foreign")},
        expect=NOT_THE_UPLOADER,
    ),
    Case(
        "residents:import_apply",
        method="POST",
        perm=Perm.IMPORT_REGISTRY,
        kwargs=lambda w: {"pk": _batch(w, "mine")},
        foreign=lambda w: {"pk": _batch(w, "foreign")},
        ok=302,
        expect=NOT_THE_UPLOADER,
        sibling=Sibling(kwargs=_batch_beside),
    ),
    Case(
        "residents:import_discard",
        method="POST",
        perm=Perm.IMPORT_REGISTRY,
        kwargs=lambda w: {"pk": _batch(w, "mine")},
        foreign=lambda w: {"pk": _batch(w, "foreign")},
        ok=302,
        expect=NOT_THE_UPLOADER,
        sibling=Sibling(kwargs=_batch_beside),
    ),
]
