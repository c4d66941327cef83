"""The laboratory's API (docs/api.md, "Laboratory API"), mounted at /api/v1/lab/.

A laboratory information system (or the lab liaison's PC) posts results as they are
released, with a device token of a user who may load results. Each item is answered on
its own — accepted, duplicate (the same result again) or rejected with a reason — and a
batch sent twice changes nothing. A positive or invalid pool is a recall list by the time
the answer leaves.
"""

import datetime as dt
import json
from typing import Annotated, Any, cast

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from ninja import Router
from pydantic import BaseModel, ConfigDict, Field

from wangge.accounts.api_auth import device_auth
from wangge.accounts.models import DeviceToken
from wangge.audit.log import Actor
from wangge.core.api_input import (
    CLOCK_AHEAD,
    Timestamp,
    clock_skew,
    field_reason,
    plain,
    read_body,
)
from wangge.core.batch import ItemAnswerOut, ItemStatus, item_answer
from wangge.core.permissions import Perm
from wangge.testing.actions.alarms import record_results_with_alarms
from wangge.testing.actions.results import ResultItem
from wangge.testing.choices import ResultSource
from wangge.testing.lab_import import normalise_barcode, parse_ct, parse_result
from wangge.testing.models import Tube
from wangge.testing.schemas import (
    BODY_ERRORS,
    MAX_BATCH,
    ErrorOut,
    inline_schema,
    parse_batch,
)
from wangge.testing.station_items import (
    InvalidItem,
)

router = Router(tags=["laboratory"])

Barcode = Annotated[str, plain(40, min_length=1)]
ResultWord = Annotated[str, plain(20)]
Target = Annotated[str, plain(20, min_length=1)]


class LabResultIn(BaseModel):
    """One tube's result as the laboratory released it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    barcode: Barcode
    result: ResultWord = Field(
        description="negative, positive or invalid (阴性, 阳性, 无效 are read too)."
    )
    ct_values: dict[Target, float | None] = Field(
        default_factory=dict,
        max_length=10,
        description='Ct value per target, e.g. {"ORF1ab": 31.2, "N": 30.8}; null: none.',
    )
    tested_at: Timestamp | None = Field(
        default=None, description="When the laboratory tested the tube (with an offset)."
    )


class LabBatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    items: list[LabResultIn] = Field(max_length=MAX_BATCH)


class LabResultOut(ItemAnswerOut):
    barcode: str
    reason_code: str = Field(
        description="When rejected: invalid, clock_ahead, unknown_barcode, unknown_result, "
        "conflicting_result, conflicting_rows, tube_not_sealed, empty_tube."
    )
    recalls_opened: int = Field(description="People put on the recall list by this result.")
    recalls_closed: int = Field(description="Recalls this individual result closed.")
    case_opened: bool = Field(description="A positive individual result: a positive case.")


class LabBatchOut(BaseModel):
    results: list[LabResultOut]


def _item(parsed: LabResultIn, latest: dt.datetime) -> ResultItem | tuple[str, str, str]:
    """The result item, or why it is refused: reason code, field and reason."""
    ct_values: dict[str, float] = {}
    for target, value in parsed.ct_values.items():
        try:
            number = parse_ct(value)
        except ValueError:
            reason = field_reason(
                f"ct_values.{target}", str(_("A Ct value lies between 0 and 60."))
            )
            return "invalid", f"ct_values.{target}", reason
        if number is not None:
            ct_values[target] = number
    if parsed.tested_at is not None and parsed.tested_at > latest:
        return "clock_ahead", "tested_at", str(CLOCK_AHEAD)
    result = parse_result(parsed.result) or parsed.result
    return ResultItem(normalise_barcode(parsed.barcode), result, ct_values, parsed.tested_at)


@router.post(
    "results",
    auth=device_auth,
    response={200: LabBatchOut, 403: ErrorOut, **BODY_ERRORS},
    summary="Post a batch of laboratory results",
    openapi_extra={
        "requestBody": {
            "content": {"application/json": {"schema": inline_schema(LabBatchIn)}},
            "required": True,
        }
    },
)
def post_results(request: HttpRequest) -> HttpResponse:
    """Per-item answers, in order; idempotent. Tubes outside the device's scope are
    `unknown_barcode`, exactly like tubes that do not exist."""
    device = cast(DeviceToken, request.auth)  # type: ignore[attr-defined]
    if not device.scope_paths(Perm.LOAD_RESULTS):
        detail = _("This device may not load laboratory results.")
        return JsonResponse({"detail": str(detail)}, status=403)
    parsed = parse_batch(read_body(request), LabBatchIn, LabResultIn)
    items: list[ResultItem] = []
    answers: list[dict[str, Any] | None] = []
    latest = timezone.now() + clock_skew()
    for entry in parsed:
        item: ResultItem | tuple[str, str, str]
        if isinstance(entry, InvalidItem):
            item = ("invalid", entry.field, field_reason(entry.field, entry.problem))
        else:
            item = _item(entry, latest)
        if isinstance(item, tuple):
            code, field, reason = item
            answers.append(
                item_answer(
                    ItemStatus.REJECTED,
                    code,
                    reason,
                    field,
                    barcode="",
                    recalls_opened=0,
                    recalls_closed=0,
                    case_opened=False,
                )
            )
        else:
            items.append(item)
            answers.append(None)
    actor = Actor(
        user=device.user,
        source=f"device {device.pk} ({device.prefix})",
        label=device.label,
        device=device,
    )
    report, _alarms = record_results_with_alarms(
        items,
        tubes=Tube.objects.visible_to(device, Perm.LOAD_RESULTS),
        source=ResultSource.API,
        area=device.area,
        acting_user=actor,
    )
    outcomes = iter(report.outcomes)
    results = []
    for answer in answers:
        if answer is not None:
            results.append(answer)
            continue
        outcome = next(outcomes)
        results.append(
            item_answer(
                outcome.status,
                outcome.reason_code,
                outcome.reason,
                barcode=outcome.barcode,
                recalls_opened=outcome.recalls_opened,
                recalls_closed=outcome.recalls_closed,
                case_opened=outcome.case_opened,
            )
        )
    return HttpResponse(
        json.dumps({"results": results}, ensure_ascii=False),
        content_type="application/json",
    )
