"""Permission-matrix cases of the inbox and the deliveries page.

Format: tests/test_permission_matrix.py. A notification is its recipient's alone: the grid
leader's matrix user owns the one in scope, and every other principal, the superuser
included, finds nothing there.
"""

from typing import Any

from django.utils import timezone

from tests.factories import UserFactory
from wangge.accounts.tests.permission_matrix import SUPERUSER, Case, World
from wangge.core.permissions import Perm, Role

OWNER = Role.GRID_LEADER
NOT_THE_OWNER: dict[str, Any] = {
    **{role: 404 for role in Role.values if role != OWNER},
    SUPERUSER: 404,
    "nobody": 404,
}


def build(world: World) -> None:
    from wangge.notifications.actions import Message, notify

    now = timezone.now()
    (world.mine["notification"],) = notify(
        [world.users[OWNER]],
        Message("本格阳性混管", "请复核", "/"),
        area=world.tree["grid_a"],
        at=now,
    )
    stranger = UserFactory(username="matrix_foreign_recipient")
    (world.foreign["notification"],) = notify(
        [stranger], Message("外区阳性混管通知", "外区", "/"), area=world.other["grid_a"], at=now
    )
    world.foreign_markers.append("外区阳性混管通知")


CASES = [
    Case("notifications:inbox"),
    Case(
        "notifications:read",
        method="POST",
        kwargs=lambda w: {"pk": w.mine["notification"].pk},
        foreign=lambda w: {"pk": w.foreign["notification"].pk},
        ok=302,
        expect=NOT_THE_OWNER,
        unscoped_write="one's own inbox: a notification is its recipient's alone",
    ),
    Case(
        "notifications:read_all",
        method="POST",
        ok=302,
        unscoped_write="one's own inbox",
    ),
    # Outbound messages about the areas where one reads the audit log.
    Case("notifications:deliveries", perm=Perm.VIEW_AUDIT, denied=403),
]
