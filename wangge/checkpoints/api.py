"""The checkpoint device's API (docs/api.md, "Checkpoints"), mounted at /api/v1/checkpoints/.

Device tokens as for the sampling station: a device acts as its user, limited to its
area's subtree where the user may register at checkpoints. Routes stay thin.
"""

import json
from typing import Any, cast

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Router

from wangge.accounts.api_auth import device_auth
from wangge.accounts.models import DeviceToken
from wangge.audit.log import Actor
from wangge.checkpoints.actions import register_entries
from wangge.checkpoints.checkpoint_items import MAX_PEOPLE, EntryIn
from wangge.checkpoints.models import Checkpoint
from wangge.checkpoints.schemas import CheckpointMeOut, EntryBatchIn, EntryBatchOut
from wangge.core.api_input import read_body
from wangge.core.permissions import Perm
from wangge.testing.schemas import BODY_ERRORS, ERRORS, MAX_BATCH, inline_schema, parse_batch

router = Router(tags=["checkpoints"])


def _device(request: HttpRequest) -> DeviceToken:
    return cast(DeviceToken, request.auth)  # type: ignore[attr-defined]


def _actor(device: DeviceToken) -> Actor:
    return Actor(
        user=device.user,
        source=f"device {device.pk} ({device.prefix})",
        label=device.label,
        device=device,
    )


@router.get(
    "me", auth=device_auth, response={200: CheckpointMeOut, **ERRORS}, summary="This device"
)
def checkpoint_me(request: HttpRequest) -> dict[str, Any]:
    device = _device(request)
    checkpoints = (
        Checkpoint.objects.visible_to(device, Perm.REGISTER_CHECKPOINT)
        .filter(active=True)
        .order_by("name", "pk")
    )
    return {
        "device": {"label": device.label, "area": device.area.name},
        "server_time": timezone.now(),
        "fever_threshold": float(settings.WANGGE_FEVER_THRESHOLD),
        "checkpoints": [{"id": c.pk, "name": c.name, "kind": c.kind} for c in checkpoints],
        "max_batch": MAX_BATCH,
        "max_people": MAX_PEOPLE,
    }


@router.post(
    "entries/batch",
    auth=device_auth,
    response={200: EntryBatchOut, **BODY_ERRORS},
    summary="Upload a batch of checkpoint entries",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": inline_schema(EntryBatchIn)}},
            "required": True,
        }
    },
)
def entries_batch(request: HttpRequest) -> HttpResponse:
    """Validated from the raw body item by item (testing.schemas.parse_batch): a bad entry
    is answered by itself instead of failing the batch with a 422."""
    device = _device(request)
    items = parse_batch(read_body(request), EntryBatchIn, EntryIn)
    batch = register_entries(items, checkpoint_scope=device, acting_user=_actor(device))
    return HttpResponse(
        json.dumps(
            {"results": [result.as_dict() for result in batch.results]},
            ensure_ascii=False,
            separators=(",", ":"),
        ),
        content_type="application/json",
    )
