"""Changes to door-to-door service: recording a household's request, assigning it, the
assignee's steps up to the delivery, cancelling, the supplies handed out, and raising the
requests past their limit as incidents. Each is atomic and audited; free text (what is
needed, notes, reasons) stays out of the audit log, since people type names and numbers
into it."""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import OutOfScope, in_scope, overlapping, require_in_scope
from wangge.incidents.actions import raise_incident
from wangge.incidents.choices import IncidentKind, IncidentSource
from wangge.keypersons.choices import KeyPersonStatus
from wangge.keypersons.models import KeyPerson
from wangge.notifications.actions import Message, notify
from wangge.residents.models import Household
from wangge.services import selectors
from wangge.services.choices import (
    OPEN_STATUSES,
    URGENCY_SEVERITY,
    Channel,
    MedicalCare,
    ServiceKind,
    ServiceStatus,
    StepKind,
    SupplyItem,
    Urgency,
)
from wangge.services.defaults import DEFAULT_LIMITS
from wangge.services.errors import ServiceError
from wangge.services.models import ServiceRequest, ServiceStep, SupplyHandout
from wangge.workforce.models import Team, Worker

Acting = User | Actor | None

DETAIL_LENGTH = 300
NOTE_LENGTH = 300
REASON_LENGTH = 200
# The largest quantity of one handout line (a sanity bound: 10,000 kg of rice is a typo).
MAX_QUANTITY = Decimal(10_000)
UNIT_LENGTH = 12
# Requests past their limit raised per pass of the periodic job.
ESCALATE_CHUNK = 500

SYSTEM = Actor(user=None, source="worker", label="worker")


def _holder(acting_user: Acting) -> Any:
    return log.scope_holder(acting_user)


def _user(acting_user: Acting) -> User | None:
    return log.as_actor(acting_user).user


def _step(
    request: ServiceRequest,
    step: str,
    at: dt.datetime,
    acting_user: Acting,
    *,
    note: str = "",
    worker: Worker | None = None,
    team: Team | None = None,
) -> ServiceStep:
    return ServiceStep.objects.create(
        request=request,
        step=step,
        at=at,
        user=_user(acting_user),
        worker=worker,
        team=team,
        note=note[:NOTE_LENGTH],
    )


def _audit(acting_user: Acting, event: AuditEvent, request: ServiceRequest, **more: Any) -> None:
    log.record(
        acting_user,
        event,
        obj=request,
        area_path=request.area.path,
        details={
            "household": request.household_id,
            "kind": request.kind,
            "urgency": request.urgency,
            "status": request.status,
            **more,
        },
    )


def time_limit(urgency: str) -> dt.timedelta:
    """The urgency's time limit (its policy; the default when an administrator removed it)."""
    minutes = selectors.time_limits().get(urgency, DEFAULT_LIMITS[Urgency(urgency)])
    return dt.timedelta(minutes=minutes)


# --- recording a request ---------------------------------------------------------------


@dataclass(frozen=True)
class NewRequest:
    """What grid staff take down on the phone or at the door."""

    kind: str
    urgency: str
    channel: str
    detail: str = ""
    care: str = ""
    key_person_id: int | None = None
    # A reason to serve a household that is not eligible (MANAGE_CONTROL only).
    override_reason: str = ""
    request_id: uuid.UUID | None = None


def may_override(acting_user: Acting, area: Area) -> bool:
    """Who may serve a household outside lockdown, control and home measures, with a
    reason: MANAGE_CONTROL on its grid (community staff and the leaders above them)."""
    holder = _holder(acting_user)
    return holder is None or in_scope(holder.scope_paths(Perm.MANAGE_CONTROL), area.path)


@transaction.atomic
def record_request(
    household: Household, new: NewRequest, *, at: dt.datetime, acting_user: Acting
) -> ServiceRequest:
    """Record a household's request (FOLLOW_UP on its grid).

    Only a household in a lockdown or control area, or with someone under a home measure,
    may ask (`selectors.eligibility`); anyone else is refused with the reason, unless
    someone holding MANAGE_CONTROL on the grid writes why it is served all the same (an
    old person living alone next to a closed compound). The limit counts from `at` by the
    urgency's policy. A retry with the same request id returns the first request.
    """
    grid = household.grid
    require_in_scope(_holder(acting_user), Perm.FOLLOW_UP, [grid])
    if new.request_id is not None:
        found: ServiceRequest | None = ServiceRequest.objects.filter(pk=new.request_id).first()
        if found is not None:
            if found.household_id != household.pk:
                raise ServiceError(_("this request id belongs to another request"))
            return found
    if new.kind not in ServiceKind.values:
        raise ServiceError(_("choose what is needed"), "kind")
    if new.urgency not in Urgency.values:
        raise ServiceError(_("choose how urgent it is"), "urgency")
    if new.channel not in Channel.values:
        raise ServiceError(_("choose how the request came in"), "channel")
    care = ""
    if new.kind == ServiceKind.MEDICAL_CARE:
        care = new.care or MedicalCare.OTHER
        if care not in MedicalCare.values:
            raise ServiceError(_("choose the medical care"), "care")
    detail = new.detail.strip()[:DETAIL_LENGTH]
    if new.kind in (ServiceKind.OTHER, ServiceKind.MEDICINE) and not detail:
        raise ServiceError(_("say what is needed"), "detail")
    reason = new.override_reason.strip()[:REASON_LENGTH]
    found_eligibility = selectors.eligibility(household)
    if found_eligibility.eligible:
        reason = ""
    elif not reason:
        raise ServiceError(found_eligibility.reason, "override_reason")
    elif not may_override(acting_user, grid):
        raise ServiceError(
            _("Only community staff and the leaders above them may make an exception."),
            "override_reason",
        )
    key_person = None
    if new.key_person_id is not None:
        key_person = KeyPerson.objects.filter(
            pk=new.key_person_id, household=household, status=KeyPersonStatus.UNDER_MEASURE
        ).first()
        if key_person is None:
            raise ServiceError(_("this key person is not of this household"), "key_person")
    elif found_eligibility.key_persons:
        key_person = found_eligibility.key_persons[0]
    request = ServiceRequest.objects.create(
        id=new.request_id or uuid.uuid4(),
        household=household,
        area=grid,
        key_person=key_person,
        kind=new.kind,
        care=care,
        detail=detail,
        urgency=new.urgency,
        channel=new.channel,
        override_reason=reason,
        requested_at=at,
        requested_by=_user(acting_user),
        due_at=at + time_limit(new.urgency),
    )
    _step(request, StepKind.REQUESTED, at, acting_user, note=reason)
    _audit(
        acting_user, AuditEvent.SERVICE_REQUEST, request, channel=new.channel, override=bool(reason)
    )
    return request


# --- assigning -------------------------------------------------------------------------


def assignable_workers(request: ServiceRequest) -> "Any":
    """Who may be sent: active workers based in the request's grid or below it, or above
    it (the community's and street's volunteers serve its grids)."""
    return assignable_workers_of(request.area)


def assignable_workers_of(grid: Area) -> "Any":
    return Worker.objects.filter(overlapping([grid.path], "area__path"), active=True)


def assignable_teams(request: ServiceRequest) -> "Any":
    return Team.objects.filter(overlapping([request.area.path], "area__path"))


def _locked(request: ServiceRequest) -> ServiceRequest:
    locked: ServiceRequest = (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("area", "household", "assigned_worker", "assigned_team")
        .get(pk=request.pk)
    )
    return locked


def _require_assigner(acting_user: Acting, request: ServiceRequest) -> None:
    holder = _holder(acting_user)
    if holder is None:
        return
    actor = log.as_actor(acting_user)
    if in_scope(holder.scope_paths(Perm.MANAGE_CONTROL), request.area.path):
        return
    # The grid leader assigns the grid's requests, signed in as themselves.
    if (
        actor.device is None
        and actor.user is not None
        and selectors.leads_grid(actor.user, request.area)
    ):
        return
    raise OutOfScope


def recipients_of(request: ServiceRequest) -> list[User]:
    """The logins told of an assignment: the worker's, or the team leader's and members'."""
    if request.assigned_worker is not None:
        user = request.assigned_worker.user
        return [user] if user is not None and user.is_active else []
    if request.assigned_team is not None:
        return list(
            User.objects.filter(is_active=True)
            .filter(
                Q(worker__memberships__team=request.assigned_team, worker__active=True)
                | Q(worker__teams_led=request.assigned_team)
            )
            .distinct()
        )
    return []


def _message(request: ServiceRequest) -> Message:
    with translation.override(settings.LANGUAGE_CODE):
        return Message(
            title=_("Door-to-door service: %(kind)s") % {"kind": request.get_kind_display()},
            body=_("%(household)s · %(urgency)s · due %(due)s")
            % {
                "household": request.household.label,
                "urgency": request.get_urgency_display(),
                "due": timezone.localtime(request.due_at).strftime("%m-%d %H:%M"),
            },
            link=reverse("services:detail", args=[request.pk]),
        )


@transaction.atomic
def assign(
    request: ServiceRequest,
    *,
    worker: Worker | None = None,
    team: Team | None = None,
    at: dt.datetime | None = None,
    acting_user: Acting,
) -> ServiceRequest:
    """Send a worker or a team (MANAGE_CONTROL on the grid, or the grid's leader); they are
    told through their inbox. A request may be handed to someone else until it is on the
    way; the same assignee again changes nothing."""
    _require_assigner(acting_user, request)
    request = _locked(request)
    if (worker is None) == (team is None):
        raise ServiceError(_("choose one worker or one team"), "assignee")
    if request.status not in (
        ServiceStatus.REQUESTED,
        ServiceStatus.ASSIGNED,
        ServiceStatus.ACCEPTED,
    ):
        raise ServiceError(_("the request is already on its way or closed"))
    if worker is not None and not assignable_workers(request).filter(pk=worker.pk).exists():
        raise ServiceError(_("choose a worker of this area"), "worker")
    if team is not None and not assignable_teams(request).filter(pk=team.pk).exists():
        raise ServiceError(_("choose a team of this area"), "team")
    if (request.assigned_worker_id, request.assigned_team_id) == (
        worker.pk if worker else None,
        team.pk if team else None,
    ):
        return request
    now = at or timezone.now()
    request.assigned_worker, request.assigned_team = worker, team
    request.status = ServiceStatus.ASSIGNED
    request.assigned_at = now
    request.save(update_fields=["assigned_worker", "assigned_team", "status", "assigned_at"])
    _step(request, StepKind.ASSIGNED, now, acting_user, worker=worker, team=team)
    _audit(
        acting_user,
        AuditEvent.SERVICE_ASSIGN,
        request,
        worker=str(worker.pk) if worker else "",
        team=team.pk if team else "",
    )
    notify(recipients_of(request), _message(request), area=request.area, at=now)
    return request


# --- the assignee's steps --------------------------------------------------------------

# Where each step may be taken from: the assignee may skip a step (delivered straight
# after accepting), never go back.
ALLOWED_FROM: dict[str, set[str]] = {
    ServiceStatus.ACCEPTED: {ServiceStatus.ASSIGNED},
    ServiceStatus.ON_THE_WAY: {ServiceStatus.ASSIGNED, ServiceStatus.ACCEPTED},
    ServiceStatus.DELIVERED: {
        ServiceStatus.ASSIGNED,
        ServiceStatus.ACCEPTED,
        ServiceStatus.ON_THE_WAY,
    },
}


def may_deliver(acting_user: Acting, request: ServiceRequest) -> bool:
    """The assignee (their own login, holding DELIVER_SERVICES somewhere), or whoever may
    assign the request (for a volunteer without a phone)."""
    holder = _holder(acting_user)
    if holder is None:
        return True
    actor = log.as_actor(acting_user)
    user = actor.user
    if (
        actor.device is None
        and user is not None
        and user.has_any_area_permission(Perm.DELIVER_SERVICES)
        and selectors.is_assignee(user, request)
    ):
        return True
    try:
        _require_assigner(acting_user, request)
    except OutOfScope:
        return False
    return True


@dataclass(frozen=True)
class HandoutLine:
    """One line of supplies handed out: item, quantity, unit."""

    item: str
    quantity: Decimal | None
    unit: str
    note: str = ""


@transaction.atomic
def advance(
    request: ServiceRequest,
    status: str,
    *,
    note: str = "",
    handouts: Sequence[HandoutLine] = (),
    photo: File[bytes] | None = None,
    at: dt.datetime | None = None,
    acting_user: Acting,
) -> ServiceRequest:
    """The assignee moves the request on: accepted, on the way, delivered (with a note, the
    supplies handed out and a photo, if any; the photo already cleaned by
    `incidents.photos.clean_photo`). The same step again is a retry and changes nothing."""
    if not may_deliver(acting_user, request):
        raise OutOfScope
    request = _locked(request)
    if status not in ALLOWED_FROM:
        raise ServiceError(_("unknown step"))
    if request.status == status:
        return request
    if request.status not in ALLOWED_FROM[status]:
        if request.status == ServiceStatus.REQUESTED:
            raise ServiceError(_("the request is not assigned yet"))
        raise ServiceError(_("the request has moved on already"))
    lines = _checked_lines(handouts) if status == ServiceStatus.DELIVERED else []
    now = at or timezone.now()
    request.status = status
    fields = ["status"]
    if status == ServiceStatus.DELIVERED:
        request.delivered_at = request.closed_at = now
        fields += ["delivered_at", "closed_at"]
        if photo is not None:
            request.delivery_photo.save("photo.jpg", photo, save=False)
            fields.append("delivery_photo")
    request.save(update_fields=fields)
    _step(request, status, now, acting_user, note=note.strip())
    if lines:
        _write_handouts(request.household, lines, request=request, at=now, acting_user=acting_user)
    _audit(
        acting_user,
        AuditEvent.SERVICE_STEP,
        request,
        handouts=len(lines),
        photo=bool(request.delivery_photo),
    )
    return request


@transaction.atomic
def cancel(
    request: ServiceRequest,
    *,
    reason: str,
    at: dt.datetime | None = None,
    acting_user: Acting,
) -> ServiceRequest:
    """Cancel an open request with the reason (the household no longer needs it): FOLLOW_UP
    on its grid, as recording it."""
    require_in_scope(_holder(acting_user), Perm.FOLLOW_UP, [request.area])
    request = _locked(request)
    if request.status == ServiceStatus.CANCELLED:
        return request
    if request.status not in OPEN_STATUSES:
        raise ServiceError(_("the request is already closed"))
    reason = reason.strip()[:REASON_LENGTH]
    if not reason:
        raise ServiceError(_("say why the request is cancelled"), "reason")
    now = at or timezone.now()
    request.status = ServiceStatus.CANCELLED
    request.closed_at = now
    request.save(update_fields=["status", "closed_at"])
    _step(request, StepKind.CANCELLED, now, acting_user, note=reason)
    _audit(acting_user, AuditEvent.SERVICE_CANCEL, request)
    return request


# --- supplies --------------------------------------------------------------------------


def _checked_lines(lines: Sequence[HandoutLine]) -> list[HandoutLine]:
    """The lines with an item, each checked; a bad line refuses the whole handout (said
    with its number), so nothing is half recorded."""
    checked = []
    for number, line in enumerate(lines, start=1):
        if not line.item and line.quantity is None and not line.unit.strip():
            continue
        if line.item not in SupplyItem.values:
            raise ServiceError(_("line %(n)s: choose the item") % {"n": number}, "item")
        if line.quantity is None or not (0 < line.quantity <= MAX_QUANTITY):
            raise ServiceError(
                _("line %(n)s: the quantity must be more than 0 and at most 10,000")
                % {"n": number},
                "quantity",
            )
        unit = line.unit.strip()[:UNIT_LENGTH]
        if not unit:
            raise ServiceError(_("line %(n)s: give the unit") % {"n": number}, "unit")
        checked.append(
            HandoutLine(
                line.item, line.quantity.quantize(Decimal("0.01")), unit, line.note.strip()[:100]
            )
        )
    return checked


def _write_handouts(
    household: Household,
    lines: Sequence[HandoutLine],
    *,
    request: ServiceRequest | None,
    at: dt.datetime,
    acting_user: Acting,
) -> list[SupplyHandout]:
    return SupplyHandout.objects.bulk_create(
        SupplyHandout(
            household=household,
            area=household.grid,
            request=request,
            item=line.item,
            quantity=line.quantity or Decimal(0),
            unit=line.unit,
            note=line.note,
            handed_at=at,
            handed_by=_user(acting_user),
        )
        for line in lines
    )


@transaction.atomic
def record_handout(
    household: Household,
    lines: Sequence[HandoutLine],
    *,
    at: dt.datetime,
    acting_user: Acting,
) -> list[SupplyHandout]:
    """Supplies handed to a household on their own (a district's free vegetables), by
    whoever delivers services on its grid (DELIVER_SERVICES)."""
    require_in_scope(_holder(acting_user), Perm.DELIVER_SERVICES, [household.grid])
    checked = _checked_lines(lines)
    if not checked:
        raise ServiceError(_("give at least one item"), "item")
    made = _write_handouts(household, checked, request=None, at=at, acting_user=acting_user)
    log.record(
        acting_user,
        AuditEvent.SUPPLY_HANDOUT,
        obj=household,
        area_path=household.grid.path,
        details={"lines": len(made), "items": sorted({line.item for line in checked})},
    )
    return made


# --- limits ----------------------------------------------------------------------------


def escalate_overdue(now: dt.datetime) -> int:
    """Raise an incident for each open request past its limit that has none yet (kind
    SERVICE_OVERDUE, on the household's grid, severity by urgency: routine medium, urgent
    high, emergency critical; key `services:<request>`), with a line on its timeline. Each
    request in its own transaction, claimed by a conditional update, so two workers never
    raise it twice; how many were raised."""
    due = list(
        ServiceRequest.objects.filter(
            status__in=sorted(OPEN_STATUSES), due_at__lt=now, escalated_at__isnull=True
        )
        .order_by("due_at")
        .values_list("pk", flat=True)[:ESCALATE_CHUNK]
    )
    raised = 0
    for pk in due:
        with transaction.atomic():
            claimed = ServiceRequest.objects.filter(
                pk=pk, status__in=sorted(OPEN_STATUSES), escalated_at__isnull=True
            ).update(escalated_at=now)
            if claimed != 1:
                continue
            request = ServiceRequest.objects.select_related("area", "household").get(pk=pk)
            with translation.override(settings.LANGUAGE_CODE):
                description = _(
                    "A door-to-door service request (%(kind)s, %(urgency)s) was not delivered "
                    "by %(due)s."
                ) % {
                    "kind": request.get_kind_display(),
                    "urgency": request.get_urgency_display(),
                    "due": timezone.localtime(request.due_at).strftime("%Y-%m-%d %H:%M"),
                }
            raise_incident(
                IncidentKind.SERVICE_OVERDUE,
                URGENCY_SEVERITY[Urgency(request.urgency)],
                request.area,
                place=request.household.label,
                description=description,
                source=IncidentSource.SERVICE_OVERDUE,
                source_key=f"services:{request.pk}",
                at=now,
                acting_user=SYSTEM,
            )
            _step(request, StepKind.OVERDUE, now, SYSTEM)
            raised += 1
    if raised:
        with transaction.atomic():
            log.record(
                SYSTEM,
                AuditEvent.SERVICE_OVERDUE,
                object_type="services.servicerequest",
                details={"raised": raised},
            )
    return raised
