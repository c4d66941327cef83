"""Permission-matrix cases of the checkpoint device's pages (format:
tests/test_permission_matrix.py).

The shell, its service worker and manifest are public: they hold no data, and the device's
token (kept in the browser) is what the checkpoint API asks for. Setting a device up needs a
session and "register at checkpoints" somewhere; a checkpoint outside the user's scope is a
404, and one of grid B for an officer of grid A too. The checkpoints are the app's
(`matrix.build`: world.mine / sibling / foreign["checkpoint"]).
"""

from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm


def _new_device(world: World) -> dict[str, object]:
    return {"checkpoint": world.mine["checkpoint"].pk, "label": "矩阵卡口机"}


def _sibling_device(world: World) -> dict[str, object]:
    return {"checkpoint": world.sibling["checkpoint"].pk, "label": "矩阵卡口机"}


CASES = [
    Case("checkpoint_device:app", public=True),
    Case("checkpoint_device:service_worker", public=True),
    Case("checkpoint_device:manifest", public=True),
    Case("checkpoint_device:setup", perm=Perm.REGISTER_CHECKPOINT, denied=403),
    Case(
        "checkpoint_device:setup",
        method="POST",
        perm=Perm.REGISTER_CHECKPOINT,
        data=_new_device,
        sibling=Sibling(data=_sibling_device),
    ),
]
