"""Permission-matrix cases of the checkpoints app (format: tests/test_permission_matrix.py).

A checkpoint at grid A (in scope), one in the other district (foreign) and one at grid B
(the sibling a device of grid A must not register at).
"""

from django.utils import timezone

from tests.factories import id_number
from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.checkpoints.models import Checkpoint
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

# The checkpoint device's pages (its shell and setup): wangge/checkpoints/tests/matrix_device.py.
from wangge.checkpoints.tests.matrix_device import CASES as DEVICE_CASES  # noqa: E402

CASES += DEVICE_CASES
