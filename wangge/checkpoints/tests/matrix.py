"""Permission-matrix cases of the checkpoints app (format: tests/test_permission_matrix.py).

A checkpoint at grid A (in scope), one in the other district (foreign) and one at grid B
(the sibling a device of grid A must not register at).
"""

from django.utils import timezone

from tests.factories import UserFactory, id_number
from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.checkpoints.actions import register_entries
from wangge.checkpoints.checkpoint_items import EntryIn
from wangge.checkpoints.models import Checkpoint, CheckpointPassenger
from wangge.core.permissions import Perm, Role
from wangge.lib.uuid7 import uuid7


def build(world: World) -> None:
    world.mine["checkpoint"] = Checkpoint.objects.create(area=world.tree["grid_a"], name="矩阵卡口")
    world.foreign["checkpoint"] = Checkpoint.objects.create(
        area=world.other["grid_a"], name="外区矩阵卡口"
    )
    world.sibling["checkpoint"] = Checkpoint.objects.create(
        area=world.tree["grid_b"], name="邻格矩阵卡口"
    )
    world.foreign_markers.append("外区矩阵卡口")
    # A person checked at each, to reveal.
    registrar = UserFactory(username="matrix_checkpoint_registrar", is_superuser=True)
    for side in (world.mine, world.foreign, world.sibling):
        item = EntryIn.model_validate(_entry(side["checkpoint"]))
        register_entries([item], checkpoint_scope=registrar, acting_user=registrar)
        side["passenger"] = CheckpointPassenger.objects.get(entry__checkpoint=side["checkpoint"])


def _pk(side: str, key: str):  # type: ignore[no-untyped-def]
    return lambda w: {"pk": getattr(w, side)[key].pk}


def _passenger(side: str):  # type: ignore[no-untyped-def]
    return lambda w: {"pk": getattr(w, side)["passenger"].pk, "field": "phone"}


def _setup(area_key: str):  # type: ignore[no-untyped-def]
    return lambda w: {
        "name": "矩阵新卡口",
        "kind": "road",
        "area": [w.tree[area_key].pk],
        "active": "on",
    }


def _form(w: World) -> dict[str, object]:
    return {
        "client_id": str(uuid7()),
        "direction": "in",
        "plate": "甘A54321",
        "vehicle_kind": "car",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "1",
        "people-MAX_NUM_FORMS": "60",
        "people-0-document": id_number(region="110101"),
        "people-0-name": "矩阵乘客",
        "people-0-temperature": "36.6",
        "people-0-health_code": "green",
        "people-0-action": "passed",
    }


# Pages to look at: VIEW_CONTROL holders and the checkpoint officer (REGISTER_CHECKPOINT).
OFFICER_TOO = {Role.CHECKPOINT_OFFICER: 200}


def _entry(checkpoint: Checkpoint) -> dict[str, object]:
    return {
        "client_id": str(uuid7()),
        "checkpoint_id": checkpoint.pk,
        "at": timezone.now().isoformat(),
        "direction": "in",
        "plate": "甘A12345",
        "vehicle_kind": "car",
        "people": [
            {
                "name": "矩阵司机",
                "id_number": id_number(region="110101"),
                "temperature": 36.4,
                "health_code": "green",
                "action": "passed",
            }
        ],
    }


CASES = [
    # The device itself: only the checkpoints its scope holds.
    Case("api-v1:checkpoint_me"),
    # A batch answers every device per item; a checkpoint out of scope is refused "unknown".
    Case(
        "api-v1:entries_batch",
        method="POST",
        data=lambda w: {"items": [_entry(w.mine["checkpoint"])]},
        sibling=Sibling(
            data=lambda w: {"items": [_entry(w.sibling["checkpoint"])]},
            status=200,
            item_codes=("unknown_checkpoint",),
        ),
    ),
]

CASES += [
    Case("checkpoints:list", perm=Perm.VIEW_CONTROL, denied=403, expect=OFFICER_TOO),
    Case("checkpoints:volumes", perm=Perm.VIEW_CONTROL, denied=403, expect=OFFICER_TOO),
    Case(
        "checkpoints:detail",
        perm=Perm.VIEW_CONTROL,
        kwargs=_pk("mine", "checkpoint"),
        foreign=_pk("foreign", "checkpoint"),
        expect=OFFICER_TOO,
    ),
    Case(
        "checkpoints:register",
        perm=Perm.REGISTER_CHECKPOINT,
        kwargs=_pk("mine", "checkpoint"),
        foreign=_pk("foreign", "checkpoint"),
    ),
    Case(
        "checkpoints:register",
        method="POST",
        perm=Perm.REGISTER_CHECKPOINT,
        kwargs=_pk("mine", "checkpoint"),
        foreign=_pk("foreign", "checkpoint"),
        data=_form,
        ok=302,
        sibling=Sibling(kwargs=_pk("sibling", "checkpoint"), data=_form),
    ),
    Case("checkpoints:create", perm=Perm.MANAGE_CONTROL, denied=403),
    Case(
        "checkpoints:create",
        method="POST",
        perm=Perm.MANAGE_CONTROL,
        denied=403,
        data=_setup("grid_a"),
        ok=302,
        # Grid B is not offered: the form comes back.
        sibling=Sibling(data=_setup("grid_b"), status=200),
    ),
    Case(
        "checkpoints:edit",
        perm=Perm.MANAGE_CONTROL,
        kwargs=_pk("mine", "checkpoint"),
        foreign=_pk("foreign", "checkpoint"),
    ),
    Case(
        "checkpoints:edit",
        method="POST",
        perm=Perm.MANAGE_CONTROL,
        kwargs=_pk("mine", "checkpoint"),
        foreign=_pk("foreign", "checkpoint"),
        data=_setup("grid_a"),
        ok=302,
        sibling=Sibling(kwargs=_pk("sibling", "checkpoint"), data=_setup("grid_a")),
    ),
    Case(
        "checkpoints:reveal",
        method="POST",
        perm=Perm.REVEAL_PERSONAL,
        kwargs=_passenger("mine"),
        foreign=_passenger("foreign"),
        sibling=Sibling(kwargs=_passenger("sibling")),
    ),
]
# The checkpoint device's pages (its shell and setup): wangge/checkpoints/tests/matrix_device.py.
from wangge.checkpoints.tests.matrix_device import CASES as DEVICE_CASES  # noqa: E402

CASES += DEVICE_CASES
