"""Permission-matrix cases of the station's pages (format: tests/test_permission_matrix.py).

The shell, its service worker and manifest are public: they hold no data, and the device's
token (kept in the browser) is what the station's API asks for. Setting a device up needs a
session and "register samples" somewhere; an area outside the user's scope is a 404.
"""

from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm


def _new_device(world: World) -> dict[str, object]:
    return {"area": world.tree["grid_a"].pk, "label": "矩阵采样台"}


CASES = [
    Case("station:app", public=True),
    Case("station:service_worker", public=True),
    Case("station:manifest", public=True),
    Case("station:setup", perm=Perm.REGISTER_SAMPLES, denied=403),
    Case(
        "station:setup",
        method="POST",
        perm=Perm.REGISTER_SAMPLES,
        data=_new_device,
        sibling=Sibling(data=lambda w: {"area": w.tree["grid_b"].pk, "label": "矩阵采样台"}),
    ),
]
