"""Permission-matrix cases of the areas pages. Format: tests/test_permission_matrix.py."""

import json
from typing import Any

from tests.factories import UserFactory, grant
from wangge.accounts.tests.permission_matrix import SUPERUSER, Case, Sibling, World
from wangge.areas import pending
from wangge.areas.importing import TreeRow
from wangge.core.permissions import Perm, Role

# A checked upload waiting for "apply" is its uploader's alone: the command centre's
# matrix user uploads it; every other principal, the superuser included, finds nothing.
UPLOADER = Role.COMMAND_CENTRE
NOT_THE_UPLOADER: dict[str, Any] = {
    **{role: 404 for role in Role.values if role != UPLOADER},
    SUPERUSER: 404,
}


def _pending(world: World, side: str) -> str:
    """An upload checked by the command centre of this side's district, made once."""
    store = world.mine if side == "mine" else world.foreign
    if "tree_upload" not in store:
        district = world.tree["district"] if side == "mine" else world.other["district"]
        if side == "mine":
            uploader = world.users[UPLOADER]
        else:
            uploader = grant(
                UserFactory(username="matrix_foreign_command"), Role.COMMAND_CENTRE, district
            )
        rows = [TreeRow(2, "", "矩阵街道", "街道", district.code or "")]
        store["tree_upload"] = pending.save(uploader.pk, None, "tree.csv", rows)
    return str(store["tree_upload"])


def _pending_beside(world: World) -> dict[str, str]:
    """An upload of the grid-A actor checked within grid B (when its uploader still
    managed grid B, say): applying it must change nothing."""
    assert world.sibling_user is not None  # noqa: S101
    rows = [TreeRow(2, "", "矩阵楼", "楼栋", "")]
    grid_b = world.tree["grid_b"].pk
    return {"token": pending.save(world.sibling_user.pk, grid_b, "tree.csv", rows)}


def _outline(path: str) -> bytes:
    ring = [[103.0, 36.0], [103.01, 36.0], [103.01, 36.01], [103.0, 36.01], [103.0, 36.0]]
    feature = {
        "type": "Feature",
        "properties": {"path": path},
        "geometry": {"type": "Polygon", "coordinates": [ring]},
    }
    return json.dumps({"type": "FeatureCollection", "features": [feature]}).encode()


def _tree_path(tree: dict[str, Any], grid: str) -> str:
    return "/".join(tree[key].name for key in ("district", "street", "community", grid))


def _pending_outlines(world: World, side: str) -> str:
    """A file of outlines checked by the command centre of this side's district."""
    store = world.mine if side == "mine" else world.foreign
    if "outline_upload" not in store:
        if side == "mine":
            uploader = world.users[UPLOADER]
            data = _outline(_tree_path(world.tree, "grid_a"))
        else:
            uploader = grant(
                UserFactory(username="matrix_foreign_command_outlines"),
                Role.COMMAND_CENTRE,
                world.other["district"],
            )
            data = _outline(_tree_path(world.other, "grid_a"))
        store["outline_upload"] = pending.save_boundaries(uploader.pk, "outlines.geojson", data)
    return str(store["outline_upload"])


def _pending_outlines_beside(world: World) -> dict[str, str]:
    """A file of the grid-A actor outlining grid B (checked when they still managed it, say):
    applying it must change nothing."""
    assert world.sibling_user is not None  # noqa: S101
    data = _outline(_tree_path(world.tree, "grid_b"))
    return {"token": pending.save_boundaries(world.sibling_user.pk, "outlines.geojson", data)}


def _outline_file(w: World) -> dict[str, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = _outline(_tree_path(w.tree, "grid_a"))
    return {
        "outlines": SimpleUploadedFile("outlines.geojson", data, content_type="application/json")
    }


def _grid(name: str):  # type: ignore[no-untyped-def]
    return lambda w: {"pk": w.tree[name].pk}


def _area_form(w: World) -> dict[str, str]:
    return {"name": "矩阵楼", "kind": "building"}


def _sheet(w: World) -> dict[str, object]:
    from django.core.files.uploadedfile import SimpleUploadedFile

    sheet = "区划代码,名称,类型,上级代码\n,矩阵楼,楼栋,\n".encode()
    return {"sheet": SimpleUploadedFile("tree.csv", sheet, content_type="text/csv")}


CASES = [
    # The tree starts from the user's own areas: empty, not forbidden, without a role.
    Case("areas:tree"),
    Case("areas:search", data=lambda w: {"q": "一号"}),
    # The tree picker answers everyone, with only the areas they hold the permission on.
    Case("areas:picker_search", data=lambda w: {"perm": Perm.MANAGE_ROUNDS, "q": "一号"}),
    Case(
        "areas:picker_branch",
        data=lambda w: {"perm": Perm.MANAGE_ROUNDS, "path": w.tree["community"].path},
    ),
    Case(
        "areas:detail",
        perm=Perm.VIEW_AREAS,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
    ),
    Case(
        "areas:branch",
        perm=Perm.VIEW_AREAS,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["community"].pk},
    ),
    Case(
        "areas:add",
        perm=Perm.MANAGE_AREAS,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
    ),
    Case(
        "areas:add",
        method="POST",
        perm=Perm.MANAGE_AREAS,
        kwargs=_grid("grid_a"),
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
        data=_area_form,
        ok=302,
        sibling=Sibling(kwargs=_grid("grid_b")),
    ),
    Case(
        "areas:edit",
        perm=Perm.MANAGE_AREAS,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
    ),
    Case(
        "areas:edit",
        method="POST",
        perm=Perm.MANAGE_AREAS,
        kwargs=_grid("grid_a"),
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
        data=lambda w: {"name": "矩阵改名小区", "code": ""},
        ok=302,
        sibling=Sibling(kwargs=_grid("grid_b")),
    ),
    # Import and export of everything the user manages: no object named.
    Case("areas:import", perm=Perm.MANAGE_AREAS),
    # Checking a sheet writes nothing in the tree (areas:import_apply does).
    Case(
        "areas:import",
        method="POST",
        perm=Perm.MANAGE_AREAS,
        data=_sheet,
        unscoped_write="keeps a checked sheet for its uploader; applying it is checked",
    ),
    Case("areas:export", perm=Perm.MANAGE_AREAS, data=lambda w: {"format": "csv"}),
    Case(
        "areas:import_within",
        perm=Perm.MANAGE_AREAS,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
    ),
    Case(
        "areas:import_within",
        method="POST",
        perm=Perm.MANAGE_AREAS,
        kwargs=_grid("grid_a"),
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
        data=_sheet,
        sibling=Sibling(kwargs=_grid("grid_b")),
    ),
    Case(
        "areas:export_within",
        perm=Perm.MANAGE_AREAS,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
        data=lambda w: {"format": "csv"},
    ),
    Case(
        "areas:import_apply",
        method="POST",
        perm=Perm.MANAGE_AREAS,
        kwargs=lambda w: {"token": _pending(w, "mine")},
        foreign=lambda w: {"token": _pending(w, "foreign")},
        ok=302,
        expect=NOT_THE_UPLOADER,
        sibling=Sibling(kwargs=_pending_beside),
    ),
    # Outlines for the map: the import page names no area (403 without the permission);
    # checking a file writes nothing but the file kept for its uploader.
    Case("areas:boundaries_import", perm=Perm.MANAGE_AREAS, denied=403),
    Case(
        "areas:boundaries_import",
        method="POST",
        perm=Perm.MANAGE_AREAS,
        denied=403,
        data=_outline_file,
        unscoped_write="keeps a checked file for its uploader; applying it is checked",
    ),
    Case(
        "areas:boundaries_apply",
        method="POST",
        perm=Perm.MANAGE_AREAS,
        kwargs=lambda w: {"token": _pending_outlines(w, "mine")},
        foreign=lambda w: {"token": _pending_outlines(w, "foreign")},
        ok=302,
        expect=NOT_THE_UPLOADER,
        # Checked again on applying: grid B is not the actor's, the report comes back.
        sibling=Sibling(kwargs=_pending_outlines_beside, status=200),
    ),
]
