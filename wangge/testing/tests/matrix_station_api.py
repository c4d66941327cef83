"""Permission-matrix cases of the station API (format: tests/test_permission_matrix.py).

Each principal's device token is issued for grid A. Routes that name a round or a tube need
"register samples" on it (samplers and volunteers; a superuser's device is limited to its
area); routes without an object answer every device with what its scope holds (nothing,
for a device whose user may not register samples).
"""

from django.utils import timezone

from tests.factories import id_number, make_resident
from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm
from wangge.lib.uuid7 import uuid7
from wangge.testing.actions import rounds as round_actions
from wangge.testing.models import Tube
from wangge.testing.tests.factories import make_round

NUMBER = id_number()
BESIDE = id_number()


def build(world: World) -> None:
    mine = make_round(world.tree["community"], name="站点矩阵轮次")
    theirs = make_round(world.other["community"], name="外区站点矩阵轮次")
    resident = make_resident(world.tree["grid_a"], "站点矩阵居民", number=NUMBER, room="808")
    now = timezone.now()
    world.mine["station_round"] = mine
    world.foreign["station_round"] = theirs
    world.mine["station_resident"] = resident
    # Every registration names its point: grid A's own.
    world.mine["station_point"] = round_actions.add_sampling_point(
        mine,
        round_actions.PointData(area=world.tree["grid_a"], name="本格采样点"),
        acting_user=None,
    )
    world.mine["station_tube"] = Tube.objects.create(
        barcode="MATRIX-MINE",
        round=mine,
        capacity=10,
        filled=1,
        area=world.tree["grid_a"],
        opened_at=now,
    )
    world.foreign["station_tube"] = Tube.objects.create(
        barcode="MATRIX-THEIRS",
        round=theirs,
        capacity=10,
        filled=1,
        area=world.other["grid_a"],
        opened_at=now,
    )
    world.foreign_markers += [theirs.name, "MATRIX-THEIRS"]
    # Grid B, beside grid A, in the same community's round: an open tube a station of grid
    # B opened, that station's point and team, and a household there.
    grid_b = world.tree["grid_b"]
    world.sibling["station_tube"] = Tube.objects.create(
        barcode="MATRIX-BESIDE",
        round=mine,
        capacity=10,
        filled=1,
        area=grid_b,
        opened_at=now,
    )
    world.sibling["station_point"] = round_actions.add_sampling_point(
        mine, round_actions.PointData(area=grid_b, name="邻格采样点"), acting_user=None
    )
    world.sibling["station_team"] = round_actions.save_door_team(
        mine, name="邻格上门队", area=grid_b, members=[], acting_user=None
    )
    world.sibling["station_resident"] = make_resident(
        grid_b, "站点邻格居民", number=BESIDE, room="818"
    )


def _registration(world: World) -> dict[str, object]:
    return {
        "items": [
            {
                "client_id": str(uuid7()),
                "round_id": world.mine["station_round"].pk,
                "tube_barcode": "MATRIX-NEW",
                "tube_capacity": 10,
                "sampled_at": timezone.now().isoformat(),
                "sampling_point_id": world.mine["station_point"].pk,
                "person": {"resident_code": world.mine["station_resident"].code},
            }
        ]
    }


def _registration_beside(world: World) -> dict[str, object]:
    """Grid A's station fills grid B's open tube, and opens a tube at grid B's point."""
    first, second = _registration(world)["items"], _registration(world)["items"]
    first[0]["tube_barcode"] = world.sibling["station_tube"].barcode
    second[0]["sampling_point_id"] = world.sibling["station_point"].pk
    return {"items": first + second}


def _visit_beside(world: World) -> dict[str, object]:
    """Grid A's station records a visit of grid B's team, and a visit to a home of grid B."""
    first, second = _visit(world)["items"], _visit(world)["items"]
    first[0]["team_id"] = world.sibling["station_team"].pk
    second[0]["household_id"] = world.sibling["station_resident"].household_id
    return {"items": first + second}


def _visit(world: World) -> dict[str, object]:
    return {
        "items": [
            {
                "client_id": str(uuid7()),
                "round_id": world.mine["station_round"].pk,
                "household_id": world.mine["station_resident"].household_id,
                "outcome": "nobody_home",
                "visited_at": timezone.now().isoformat(),
            }
        ]
    }


def _round(key: str):  # type: ignore[no-untyped-def]
    return lambda w: {"round_id": getattr(w, key)["station_round"].pk}


def _tube(key: str):  # type: ignore[no-untyped-def]
    return lambda w: {"barcode": getattr(w, key)["station_tube"].barcode}


CASES = [
    # The device itself, and lists that hold only what the device's scope holds.
    Case("api-v1:station_me"),
    Case("api-v1:station_rounds"),
    Case("api-v1:station_roster"),
    # Batches answer every device per item; out of scope is a per-item refusal.
    Case(
        "api-v1:station_registrations",
        method="POST",
        data=_registration,
        sibling=Sibling(
            data=_registration_beside,
            status=200,
            item_codes=("unknown_tube", "unknown_sampling_point"),
        ),
    ),
    Case(
        "api-v1:station_home_visit_batch",
        method="POST",
        data=_visit,
        sibling=Sibling(
            data=_visit_beside, status=200, item_codes=("unknown_team", "unknown_household")
        ),
    ),
    # A lookup finds residents of the device's area only ({"found": false} elsewhere).
    Case(
        "api-v1:station_lookup",
        method="POST",
        data=lambda w: {"id_type": "resident_card", "id_number": NUMBER},
        sibling=Sibling(
            data=lambda w: {"id_type": "resident_card", "id_number": BESIDE},
            status=200,
            answer=lambda answer: answer["found"] is False,
        ),
    ),
    # Routes naming a round or a tube: 404 outside the device's scope.
    Case(
        "api-v1:station_sampled",
        perm=Perm.REGISTER_SAMPLES,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
    ),
    Case(
        "api-v1:station_home_visits",
        perm=Perm.REGISTER_SAMPLES,
        kwargs=_round("mine"),
        foreign=_round("foreign"),
    ),
    Case(
        "api-v1:station_seal",
        method="POST",
        perm=Perm.REGISTER_SAMPLES,
        kwargs=_tube("mine"),
        foreign=_tube("foreign"),
        sibling=Sibling(kwargs=_tube("sibling")),
    ),
]
