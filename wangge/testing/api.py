"""The sampling station's API (docs/api.md), mounted at /api/v1/testing/.

Every route authenticates a device token and reads through the device's scope: its
area's subtree, where its user may register samples. Anything outside it answers 404.
Routes stay thin: they parse, call one action or read, and answer.
"""

from typing import Any, cast

import msgspec
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import P, PathEx, QueryEx, Router, Status

from wangge.accounts.api_auth import device_auth
from wangge.accounts.models import DeviceToken
from wangge.audit.log import Actor
from wangge.core.api_input import MAX_ID, read_body
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, overlapping
from wangge.lib import idnumbers
from wangge.risk.selectors import consequences
from wangge.testing import roster
from wangge.testing.actions import station
from wangge.testing.actions.registrations.home_visits import record_home_visits
from wangge.testing.actions.registrations.storing import register_batch, seal_tube
from wangge.testing.choices import RoundStatus
from wangge.testing.errors import RoundError
from wangge.testing.models import DoorToDoorTeam, Round, SamplingPoint, Tube
from wangge.testing.schemas import (
    BODY_ERRORS,
    ERRORS,
    ErrorOut,
    HomeVisitBatchIn,
    HomeVisitBatchOut,
    HomeVisitHouseholdOut,
    LookupIn,
    LookupOut,
    RegistrationBatchIn,
    RegistrationBatchOut,
    RosterPage,
    RoundOut,
    SampledPage,
    SealOut,
    StationMeOut,
    inline_schema,
    parse_batch,
    parse_registrations,
)
from wangge.testing.selectors import closest_place
from wangge.testing.station_items import (
    BARCODE_PATTERN,
    HomeVisitIn,
)

router = Router(tags=["testing"])

STATION = "station/"

# Parameters, bounded like every body field (docs/api.md, "Bounds and errors"): out of
# bounds is a 422.
RoundId = PathEx[int, P(ge=1, le=MAX_ID)]
TeamId = QueryEx[int | None, P(ge=1, le=MAX_ID)]
Cursor = QueryEx[str | None, P(max_length=1000)]
Limit = QueryEx[int | None, P(ge=1, le=roster.MAX_PAGE)]


def _device(request: HttpRequest) -> DeviceToken:
    return cast(DeviceToken, request.auth)  # type: ignore[attr-defined]


def _actor(device: DeviceToken) -> Actor:
    return Actor(
        user=device.user,
        source=f"device {device.pk} ({device.prefix})",
        label=device.label,
        device=device,
    )


def _json(payload: Any, status: int = 200) -> HttpResponse:
    """A JSON answer written directly by msgspec (the batch answers are large and already
    plain): UTF-8, compact, as `json.dumps(ensure_ascii=False)` writes it, 5× faster."""
    return HttpResponse(
        msgspec.json.encode(payload), content_type="application/json", status=status
    )


def _body_schema(model: Any) -> dict[str, Any]:
    return {
        "requestBody": {
            "content": {"application/json": {"schema": inline_schema(model)}},
            "required": True,
        }
    }


@router.get(
    STATION + "me", auth=device_auth, response={200: StationMeOut, **ERRORS}, summary="This device"
)
def station_me(request: HttpRequest) -> dict[str, Any]:
    device = _device(request)
    area = device.area
    user = device.user
    return {
        "device_id": device.pk,
        "label": device.label,
        "area": {
            "id": area.pk,
            "name": area.name,
            "kind": area.kind,
            "path_names": [node.name for node in area.ancestors_and_self()],
        },
        "user": {"username": user.get_username(), "display_name": user.display_name},
        "limited": device.limited,
        "expires_at": device.expires_at,
        "server_time": timezone.now(),
        **_risk_here(device),
    }


def _risk_here(device: DeviceToken) -> dict[str, Any]:
    here = consequences([device.area], 0)[device.area.pk]
    return {"risk_level": here.level, "door_to_door": here.door_to_door}


@router.get(
    STATION + "rounds",
    auth=device_auth,
    response={200: list[RoundOut], **ERRORS},
    summary="Open rounds here",
)
def station_rounds(request: HttpRequest) -> list[dict[str, Any]]:
    device = _device(request)
    paths = device.scope_paths(Perm.REGISTER_SAMPLES) or []
    rounds = (
        Round.objects.visible_to(device, Perm.REGISTER_SAMPLES)
        .filter(status=RoundStatus.OPEN)
        .prefetch_related(
            Prefetch(
                "sampling_points",
                SamplingPoint.objects.filter(overlapping(paths, "area__path"))
                .select_related("area")
                .order_by("number"),
            ),
            Prefetch(
                "door_teams",
                DoorToDoorTeam.objects.filter(overlapping(paths, "area__path"))
                .select_related("area")
                .order_by("name"),
            ),
        )
        .order_by("starts_at", "pk")
    )
    here = device.area.path
    # The pool size of the device area's risk level (0: none, the round's own holds; a
    # round of single tubes stays single).
    level_pool = consequences([device.area], 0)[device.area.pk].pool_size
    answer = []
    for round_ in rounds:
        points, teams = list(round_.sampling_points.all()), list(round_.door_teams.all())
        point, team = closest_place(points, here), closest_place(teams, here)
        answer.append(
            {
                "id": round_.pk,
                "name": round_.name,
                "status": round_.status,
                "pool_size": level_pool
                if level_pool and round_.pool_size != 1
                else round_.pool_size,
                "round_pool_size": round_.pool_size,
                "starts_at": round_.starts_at,
                "ends_at": round_.ends_at,
                "sampling_points": [
                    {"id": p.pk, "number": p.number, "name": p.name} for p in points
                ],
                "door_teams": [{"id": t.pk, "name": t.name} for t in teams],
                "default_sampling_point_id": point.pk if point else None,
                "default_team_id": team.pk if team else None,
            }
        )
    return answer


@router.get(
    STATION + "roster",
    auth=device_auth,
    response={200: RosterPage, **ERRORS},
    summary="Roster page",
)
def station_roster(
    request: HttpRequest, cursor: Cursor = None, limit: Limit = None
) -> HttpResponse:
    device = _device(request)
    answer = station.download_roster(device, cursor, limit, acting_user=_actor(device))
    return _json(
        {
            "items": answer.items,
            "removed": answer.removed,
            "next_cursor": answer.next_cursor,
            "complete": answer.complete,
            "reset": answer.reset,
        }
    )


def _round(device: DeviceToken, round_id: int) -> Round:
    round_: Round = get_visible_or_404(
        Round.objects.all(), device, Perm.REGISTER_SAMPLES, pk=round_id
    )
    return round_


@router.get(
    STATION + "rounds/{round_id}/sampled",
    auth=device_auth,
    response={200: SampledPage, 404: ErrorOut, **ERRORS},
    summary="Codes sampled in a round",
)
def station_sampled(
    request: HttpRequest, round_id: RoundId, cursor: Cursor = None, limit: Limit = None
) -> HttpResponse:
    device = _device(request)
    answer = roster.sampled_page(device, _round(device, round_id), cursor, limit)
    return _json(
        {
            "codes": answer.codes,
            "next_cursor": answer.next_cursor,
            "complete": answer.complete,
            "reset": answer.reset,
        }
    )


@router.post(
    STATION + "registrations",
    auth=device_auth,
    response={200: RegistrationBatchOut, **BODY_ERRORS},
    summary="Upload a batch of registrations",
    openapi_extra=_body_schema(RegistrationBatchIn),
)
def station_registrations(request: HttpRequest) -> HttpResponse:
    """Validated from the raw body in one msgspec pass (see schemas.parse_registrations),
    so that a bad item is answered by itself instead of failing the batch with a 422."""
    device = _device(request)
    items = parse_registrations(read_body(request))
    results = register_batch(items, device=device, acting_user=_actor(device))
    return _json({"results": [result.as_dict() for result in results]})


@router.post(
    STATION + "tubes/{path:barcode}/seal",  # a barcode may hold a "/" (percent-encoded)
    auth=device_auth,
    response={200: SealOut, 404: ErrorOut, 409: ErrorOut, **ERRORS},
    summary="Seal a tube before it is full",
)
def station_seal(request: HttpRequest, barcode: PathEx[str, P(pattern=BARCODE_PATTERN)]) -> Any:
    device = _device(request)
    tube: Tube = get_visible_or_404(
        Tube.objects.select_related("area"), device, Perm.REGISTER_SAMPLES, barcode=barcode.strip()
    )
    try:
        tube = seal_tube(tube, acting_user=_actor(device))
    except RoundError as exc:
        return Status(409, {"detail": str(exc)})
    return {
        "barcode": tube.barcode,
        "status": tube.status,
        "filled": tube.filled,
        "capacity": tube.capacity,
    }


@router.get(
    STATION + "rounds/{round_id}/home-visits",
    auth=device_auth,
    response={200: list[HomeVisitHouseholdOut], 404: ErrorOut, **ERRORS},
    summary="Homes a door-to-door team visits",
)
def station_home_visits(
    request: HttpRequest, round_id: RoundId, team: TeamId = None
) -> list[dict[str, Any]]:
    device = _device(request)
    round_ = _round(device, round_id)
    chosen = None
    if team is not None:
        paths = device.scope_paths(Perm.REGISTER_SAMPLES) or []
        chosen = get_object_or_404(
            DoorToDoorTeam.objects.select_related("area").filter(overlapping(paths, "area__path")),
            round=round_,
            pk=team,
        )
    return roster.home_visit_households(device, round_, chosen)


@router.post(
    STATION + "home-visits",
    auth=device_auth,
    response={200: HomeVisitBatchOut, **BODY_ERRORS},
    summary="Upload a batch of home-visit outcomes",
    openapi_extra=_body_schema(HomeVisitBatchIn),
)
def station_home_visit_batch(request: HttpRequest) -> HttpResponse:
    device = _device(request)
    items = parse_batch(read_body(request), HomeVisitBatchIn, HomeVisitIn)
    results = record_home_visits(items, device=device, acting_user=_actor(device))
    return _json({"results": [result.as_batch_dict() for result in results]})


@router.post(
    STATION + "lookup",
    auth=device_auth,
    response={200: LookupOut, 429: ErrorOut, **BODY_ERRORS},
    summary="Find a resident of this area by ID number (audited)",
)
def station_lookup(request: HttpRequest, payload: LookupIn) -> Any:
    """The number travels in the body, never in a URL (where logs would keep it)."""
    device = _device(request)
    try:
        resident = station.look_up_resident(
            device, payload.id_type, payload.id_number, acting_user=_actor(device)
        )
    except idnumbers.IdNumberError as exc:
        return Status(422, {"detail": str(exc), "field": "id_number"})
    except station.LookupLimited as exc:
        return Status(429, {"detail": str(exc)})
    return {"found": resident is not None, "resident": resident}
