"""Permission-matrix cases of the station API (format: tests/test_permission_matrix.py).

Each principal's device token is issued for grid A. Routes that name a round or a tube need
"register samples" on it (samplers and volunteers; a superuser's device is limited to its
area); routes without an object answer every device with what its scope holds (nothing,
for a device whose user may not register samples).
"""

from django.utils import timezone

from tests.factories import id_number, make_resident
from wangge.accounts.roles import Perm
from wangge.accounts.tests.permission_matrix import Case, World
from wangge.lib.uuid7 import uuid7
from wangge.testing.models import Tube
from wangge.testing.tests.factories import make_round

NUMBER = id_number()


def build(world: World) -> None:
    mine = make_round(world.tree["community"], name="站点矩阵轮次")
    theirs = make_round(world.other["community"], name="外区站点矩阵轮次")
    resident = make_resident(world.tree["grid_a"], "站点矩阵居民", number=NUMBER, room="808")
    now = timezone.now()
    world.mine["station_round"] = mine
    world.foreign["station_round"] = theirs
    world.mine["station_resident"] = resident
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


def _registration(world: World) -> dict[str, object]:
    return {
        "items": [
            {
                "client_id": str(uuid7()),
                "round_id": world.mine["station_round"].pk,
                "tube_barcode": "MATRIX-NEW",
                "tube_capacity": 10,
                "sampled_at": timezone.now().isoformat(),
                "person": {"resident_code": world.mine["station_resident"].code},
            }
        ]
    }


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
    Case("api-v1:station_registrations", method="POST", data=_registration),
    Case("api-v1:station_home_visit_batch", method="POST", data=_visit),
    # A lookup finds residents of the device's area only ({"found": false} elsewhere).
    Case(
        "api-v1:station_lookup",
        method="POST",
        data=lambda w: {"id_type": "resident_card", "id_number": NUMBER},
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
    ),
]
