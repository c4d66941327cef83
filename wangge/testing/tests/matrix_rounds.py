"""Permission-matrix cases of the rounds pages and the laboratory API.

Every principal's role contains grid A; the round of these cases covers grid A, and its
objects (point, team, tubes, box, exemption) lie in grid A too, so only the permission
decides. The same objects in the other district must answer 404 to everyone but the
superuser. Pages that name no object answer 404 to those who may not use them.
"""

import datetime as dt

from django.utils import timezone

from tests.factories import UserFactory, grant, make_resident
from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm, Role
from wangge.lib.uuid7 import uuid7
from wangge.testing import lab_import
from wangge.testing.actions import rounds as round_actions
from wangge.testing.actions import shipments as shipment_actions
from wangge.testing.choices import TubeStatus
from wangge.testing.models import Registration, Tube
from wangge.testing.tests.factories import make_round

# Pages of tubes and boxes are for samplers and volunteers too (REGISTER_SAMPLES).
SAMPLERS = {Role.SAMPLER: 200, Role.VOLUNTEER: 200}
# A POST whose body names objects of grid A: on the other district's round the superuser
# gets the form again (200) or, for a person of grid A, 404 — never a change.
SUPERUSER_FORM = {"superuser": (302, 200)}
SUPERUSER_PERSON = {"superuser": (302, 404)}


def _objects(world: World, key: str, grid, suffix: str, over=None) -> None:  # type: ignore[no-untyped-def]
    """A round over `over` (default: the grid) with its objects in the grid."""
    place = getattr(world, key)
    round_ = make_round(over or grid, name=f"矩阵轮次{suffix}")
    resident = make_resident(grid, f"矩阵居民{suffix}", room=f"9{len(suffix)}1", phone="")
    exempted = make_resident(grid, f"矩阵豁免{suffix}", room=f"9{len(suffix)}2", phone="")
    now = timezone.now()
    tubes = []
    for index in range(2):
        tube = Tube.objects.create(
            barcode=f"MX-{suffix}-{index}",
            round=round_,
            capacity=10,
            filled=1,
            status=TubeStatus.SEALED,
            area=grid,
            opened_at=now,
            sealed_at=now,
        )
        Registration.objects.create(
            client_id=uuid7(), round=round_, tube=tube, resident=resident, sampled_at=now
        )
        tubes.append(tube)
    place["rounds_round"] = round_
    place["rounds_resident"] = resident
    place["rounds_tube"] = tubes[0]
    place["rounds_point"] = round_actions.add_sampling_point(
        round_, round_actions.PointData(area=grid, location=f"矩阵点{suffix}"), acting_user=None
    )
    place["rounds_team"] = round_actions.save_door_team(
        round_, name=f"矩阵上门队{suffix}", area=grid, members=[], acting_user=None
    )
    place["rounds_shipment"] = shipment_actions.create_shipment(
        round_, [tubes[1]], box_code=f"MX-BOX-{suffix}", acting_user=None
    )
    recorder = grant(UserFactory(username=f"matrix_recorder_{suffix}"), Role.GRID_LEADER, grid)
    place["rounds_exemption"] = round_actions.record_exemption(
        round_, exempted, reason="away", acting_user=recorder
    )


def build(world: World) -> None:
    _objects(world, "mine", world.tree["grid_a"], "A")
    _objects(world, "foreign", world.other["grid_a"], "外")
    # The write cases: the community's round, with its objects in grid B (beside grid A).
    _objects(world, "sibling", world.tree["grid_b"], "B", over=world.tree["community"])
    world.foreign_markers += ["矩阵轮次外", "MX-外-0", "MX-外-1", "MX-BOX-外", "矩阵居民外"]
    world.mine["lab_uploader"] = world.users[Role.LAB_LIAISON]
    world.foreign["lab_uploader"] = UserFactory(username="matrix_stranger_lab")
    world.sibling["lab_uploader"] = world.sibling_user


def _round(key: str):  # type: ignore[no-untyped-def]
    return lambda w: {"pk": getattr(w, key)["rounds_round"].pk}


def _beside(**names: str) -> Sibling:
    """The write case on the community's round, naming its objects in grid B."""
    return Sibling(kwargs=_with("sibling", **names))


def _round_form(w: World) -> dict[str, object]:
    now = timezone.localtime()
    return {
        "name": "矩阵改名轮次",
        "starts_at": now.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (now + dt.timedelta(hours=20)).strftime("%Y-%m-%dT%H:%M"),
        "pool_size": 10,
        "exempt_infants_under_years": 0,
        "scope": [w.tree["grid_a"].pk],
    }


def _area(name: str):  # type: ignore[no-untyped-def]
    return lambda w: {"area": w.tree[name].pk, "desks": 2, "name": "矩阵队"}


# A form naming an area of grid B (a point or a team to serve it, a round over it, its
# tubes to pack) comes back (200): it offers only what is in the actor's scope.
FORM_AGAIN = 200


def _with(key: str, **names: str):  # type: ignore[no-untyped-def]
    """The round's pk plus other objects' pks under the URL's parameter names."""

    def kwargs(world: World) -> dict[str, object]:
        place = getattr(world, key)
        values: dict[str, object] = {"pk": place["rounds_round"].pk}
        for param, object_key in names.items():
            values[param] = place[object_key].pk
        return values

    return kwargs


def _grid(key: str):  # type: ignore[no-untyped-def]
    def kwargs(world: World) -> dict[str, object]:
        place, areas = (world.mine, world.tree) if key == "mine" else (world.foreign, world.other)
        return {"pk": place["rounds_round"].pk, "grid_pk": areas["grid_a"].pk}

    return kwargs


def _shipment(key: str, **extra: str):  # type: ignore[no-untyped-def]
    return lambda w: {"shipment_pk": getattr(w, key)["rounds_shipment"].pk, **extra}


def _lab_result(key: str):  # type: ignore[no-untyped-def]
    return lambda w: {
        "items": [{"barcode": getattr(w, key)["rounds_tube"].barcode, "result": "阴性"}]
    }


def _token(key: str):  # type: ignore[no-untyped-def]
    """A checked laboratory file kept for its uploader, written only when this case runs
    (the world is built for every case of the matrix; the files live under var/imports)."""

    def kwargs(world: World) -> dict[str, object]:
        place = getattr(world, key)
        if "lab_token" not in place:
            barcode = place["rounds_tube"].barcode
            lab_file = lab_import.read_lab_file(f"条码,结果\n{barcode},阴性\n".encode(), "r.csv")
            place["lab_token"] = lab_import.save_pending(lab_file, place["lab_uploader"].pk)
        return {"token": place["lab_token"]}

    return kwargs


CASES = [
    # Pages that name no object.
    Case("testing:rounds", perm=Perm.VIEW_TESTING),
    Case("testing:round_create", perm=Perm.MANAGE_ROUNDS),
    Case(
        "testing:round_create",
        method="POST",
        perm=Perm.MANAGE_ROUNDS,
        data=_round_form,
        ok=302,
        sibling=Sibling(
            data=lambda w: {**_round_form(w), "scope": [w.tree["grid_b"].pk]}, status=FORM_AGAIN
        ),
    ),
    Case("testing:planner", perm=Perm.VIEW_TESTING),
    Case("testing:results_import", perm=Perm.LOAD_RESULTS),
    # Without a file the form comes back; a file is only checked and kept for its uploader.
    Case(
        "testing:results_import",
        method="POST",
        perm=Perm.LOAD_RESULTS,
        unscoped_write="keeps a checked file for its uploader; importing it is checked",
    ),
    # A checked laboratory file belongs to the person who uploaded it (the lab liaison).
    Case(
        "testing:results_check",
        perm=Perm.LOAD_RESULTS,
        kwargs=_token("mine"),
        foreign=_token("foreign"),
        ok=404,
        expect={Role.LAB_LIAISON: 200},
    ),
    # Importing it: a barcode of grid B is unknown to the grid-A actor; nothing changes.
    Case(
        "testing:results_check",
        method="POST",
        perm=Perm.LOAD_RESULTS,
        kwargs=_token("mine"),
        foreign=_token("foreign"),
        data=lambda w: {"choice": "import"},
        ok=404,
        expect={Role.LAB_LIAISON: 302},
        sibling=Sibling(kwargs=_token("sibling"), status=302),
    ),
    # The round and its live coverage.
    Case("testing:round", perm=Perm.VIEW_TESTING, kwargs=_round("mine"), foreign=_round("foreign")),
    Case(
        "testing:round_coverage",
        perm=Perm.VIEW_TESTING,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
    ),
    Case(
        "testing:round_edit",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
    ),
    # The community's round is managed by those who manage all of it, not grid A's actor.
    Case(
        "testing:round_edit",
        method="POST",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
        data=_round_form,
        ok=302,
        sibling=_beside(),
    ),
    Case(
        "testing:round_open",
        method="POST",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
        ok=302,
        sibling=_beside(),
    ),
    Case(
        "testing:round_close",
        method="POST",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
        ok=302,
        sibling=_beside(),
    ),
    # Sampling points and door-to-door teams.
    Case(
        "testing:points", perm=Perm.VIEW_TESTING, kwargs=_round("mine"), foreign=_round("foreign")
    ),
    Case(
        "testing:points",
        method="POST",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
        data=_area("grid_a"),
        ok=302,
        expect=SUPERUSER_FORM,
        sibling=Sibling(kwargs=_round("sibling"), data=_area("grid_b"), status=FORM_AGAIN),
    ),
    Case(
        "testing:point_edit",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_with("mine", point_pk="rounds_point"),
        foreign=_with("foreign", point_pk="rounds_point"),
    ),
    Case(
        "testing:point_edit",
        method="POST",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_with("mine", point_pk="rounds_point"),
        foreign=_with("foreign", point_pk="rounds_point"),
        data=_area("grid_a"),
        ok=302,
        expect=SUPERUSER_FORM,
        sibling=Sibling(kwargs=_with("sibling", point_pk="rounds_point"), data=_area("grid_a")),
    ),
    Case(
        "testing:point_delete",
        method="POST",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_with("mine", point_pk="rounds_point"),
        foreign=_with("foreign", point_pk="rounds_point"),
        ok=302,
        sibling=_beside(point_pk="rounds_point"),
    ),
    Case("testing:teams", perm=Perm.VIEW_TESTING, kwargs=_round("mine"), foreign=_round("foreign")),
    Case(
        "testing:teams",
        method="POST",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
        data=_area("grid_a"),
        ok=302,
        expect=SUPERUSER_FORM,
        sibling=Sibling(kwargs=_round("sibling"), data=_area("grid_b"), status=FORM_AGAIN),
    ),
    Case(
        "testing:team",
        perm=Perm.VIEW_TESTING,
        kwargs=_with("mine", team_pk="rounds_team"),
        foreign=_with("foreign", team_pk="rounds_team"),
    ),
    Case(
        "testing:team_edit",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_with("mine", team_pk="rounds_team"),
        foreign=_with("foreign", team_pk="rounds_team"),
    ),
    Case(
        "testing:team_edit",
        method="POST",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_with("mine", team_pk="rounds_team"),
        foreign=_with("foreign", team_pk="rounds_team"),
        data=_area("grid_a"),
        ok=302,
        expect=SUPERUSER_FORM,
        sibling=Sibling(kwargs=_with("sibling", team_pk="rounds_team"), data=_area("grid_a")),
    ),
    Case(
        "testing:team_delete",
        method="POST",
        perm=Perm.MANAGE_ROUNDS,
        kwargs=_with("mine", team_pk="rounds_team"),
        foreign=_with("foreign", team_pk="rounds_team"),
        ok=302,
        sibling=_beside(team_pk="rounds_team"),
    ),
    # The untested list: testing figures and the registry of the grid; exports need the
    # export permission.
    Case(
        "testing:untested",
        perm=Perm.VIEW_TESTING,
        kwargs=_grid("mine"),
        foreign=_grid("foreign"),
        expect={Role.LAB_LIAISON: 404},
    ),
    Case(
        "testing:untested_xlsx",
        perm=Perm.EXPORT_REGISTRY,
        kwargs=_grid("mine"),
        foreign=_grid("foreign"),
    ),
    Case(
        "testing:untested_pdf",
        perm=Perm.EXPORT_REGISTRY,
        kwargs=_grid("mine"),
        foreign=_grid("foreign"),
    ),
    # Following up the untested: the progress is figures (testing view); recording an
    # attempt needs the contact permission on the person's grid.
    Case(
        "testing:followups",
        perm=Perm.VIEW_TESTING,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
    ),
    Case(
        "testing:followup_record",
        method="POST",
        perm=Perm.CONTACT_RESIDENTS,
        kwargs=_with("mine", resident_pk="rounds_resident"),
        foreign=_with("foreign", resident_pk="rounds_resident"),
        data=lambda w: {"outcome": "reached"},
        ok=302,
        sibling=_beside(resident_pk="rounds_resident"),
    ),
    # Exemptions.
    Case(
        "testing:exemptions",
        perm=Perm.VIEW_TESTING,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
    ),
    Case(
        "testing:exemption_add",
        method="POST",
        perm=Perm.RECORD_EXEMPTIONS,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
        data=lambda w: {"resident": w.mine["rounds_resident"].pk, "reason": "away"},
        ok=302,
        expect=SUPERUSER_PERSON,
        sibling=Sibling(
            kwargs=_round("sibling"),
            data=lambda w: {"resident": w.sibling["rounds_resident"].pk, "reason": "away"},
        ),
    ),
    Case(
        "testing:exemption_remove",
        method="POST",
        perm=Perm.RECORD_EXEMPTIONS,
        kwargs=_with("mine", exemption_pk="rounds_exemption"),
        foreign=_with("foreign", exemption_pk="rounds_exemption"),
        ok=302,
        sibling=_beside(exemption_pk="rounds_exemption"),
    ),
    # Recall and positive cases (people are listed only where the registry may be read).
    Case(
        "testing:recalls", perm=Perm.VIEW_TESTING, kwargs=_round("mine"), foreign=_round("foreign")
    ),
    Case("testing:cases", perm=Perm.VIEW_TESTING, kwargs=_round("mine"), foreign=_round("foreign")),
    # Tubes and boxes: staff, samplers and the laboratory see them; samplers and organisers
    # pack and ship; the laboratory receives.
    Case(
        "testing:tubes",
        perm=Perm.VIEW_TESTING,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
        expect=SAMPLERS,
    ),
    Case(
        "testing:tubes",
        method="POST",
        perm=Perm.REGISTER_SAMPLES,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
        data=lambda w: {"tubes": [w.mine["rounds_tube"].pk]},
        ok=302,
        expect=SUPERUSER_FORM,
        sibling=Sibling(
            kwargs=_round("sibling"),
            data=lambda w: {"tubes": [w.sibling["rounds_tube"].pk]},
            status=FORM_AGAIN,
        ),
    ),
    Case(
        "testing:shipments",
        perm=Perm.VIEW_TESTING,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
        expect=SAMPLERS,
    ),
    Case(
        "testing:shipment",
        perm=Perm.VIEW_TESTING,
        kwargs=_shipment("mine"),
        foreign=_shipment("foreign"),
        expect=SAMPLERS,
    ),
    Case(
        "testing:shipment_manifest",
        perm=Perm.VIEW_TESTING,
        kwargs=_shipment("mine", fmt="xlsx"),
        foreign=_shipment("foreign", fmt="xlsx"),
        expect=SAMPLERS,
    ),
    Case(
        "testing:shipment_ship",
        method="POST",
        perm=Perm.REGISTER_SAMPLES,
        kwargs=_shipment("mine"),
        foreign=_shipment("foreign"),
        ok=302,
        sibling=Sibling(kwargs=_shipment("sibling")),
    ),
    Case(
        "testing:shipment_unpack",
        method="POST",
        perm=Perm.REGISTER_SAMPLES,
        kwargs=_shipment("mine"),
        foreign=_shipment("foreign"),
        ok=302,
        sibling=Sibling(kwargs=_shipment("sibling")),
    ),
    Case(
        "testing:shipment_receive",
        method="POST",
        perm=Perm.LOAD_RESULTS,
        kwargs=_shipment("mine"),
        foreign=_shipment("foreign"),
        ok=302,
        sibling=Sibling(kwargs=_shipment("sibling")),
    ),
    # The laboratory API: a device whose user may not load results is refused as a whole
    # (403: the route names no object); a barcode outside the device's area is answered
    # `unknown_barcode` like one that does not exist.
    Case(
        "api-v1:post_results",
        method="POST",
        perm=Perm.LOAD_RESULTS,
        data=_lab_result("mine"),
        denied=403,
        sibling=Sibling(data=_lab_result("sibling"), status=200, item_codes=("unknown_barcode",)),
    ),
]
