"""Raising incidents and taking their steps. Every state change of an incident goes
through here (the escalation pass, which acts for nobody, is in `escalation.py`).

`raise_incident` is the one entry point for every source: the report form, event
subscribers (positive pools and cases, overdue recalls, stalled coverage) and the
closed-loop sources of the next issue. A step (acknowledge, arrive, report up, close,
reassign, note) may be taken by a holder of HANDLE_INCIDENTS on the incident's area, or by
the person it is assigned to (through the login linked to their worker record).
"""

import datetime as dt
import uuid
from typing import Any

from django.core.files.base import File
from django.db import IntegrityError, transaction
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor, as_actor, record, scope_holder
from wangge.core.permissions import Perm
from wangge.core.scoping import OutOfScope, require_in_scope
from wangge.incidents import messages
from wangge.incidents.choices import (
    ACTIVE_STATUSES,
    CLOCK_OF_STATUS,
    Clock,
    IncidentSource,
    IncidentStatus,
    Step,
    StepReason,
)
from wangge.incidents.clocks import DUE_FIELD, Limits, Policies
from wangge.incidents.errors import IncidentError
from wangge.incidents.models import Incident, IncidentStep
from wangge.incidents.routing import can_sign_in, first_responders, next_in_chain
from wangge.notifications.actions import notify
from wangge.workforce.models import Responsibility, Worker
from wangge.workforce.selectors import chain_for_area

Acting = User | Actor | None


def _audit(acting: Acting, event: AuditEvent, incident: Incident, **details: Any) -> None:
    record(
        acting,
        event,
        obj=incident,
        area_path=incident.area.path,
        details={"kind": incident.kind, "severity": incident.severity, **details},
    )


def _skipped_notes(
    incident: Incident, skipped: list[Responsibility], at: dt.datetime
) -> list[IncidentStep]:
    return [
        IncidentStep(
            incident=incident,
            step=Step.NOTE,
            at=at,
            worker=link.worker,
            reason=StepReason.NO_LOGIN,
        )
        for link in skipped
    ]


@transaction.atomic
def raise_incident(
    kind: str,
    severity: str,
    area: Area,
    *,
    place: str = "",
    description: str = "",
    photo: File[bytes] | None = None,
    source: str = IncidentSource.MANUAL,
    source_key: str | None = None,
    incident_id: uuid.UUID | None = None,
    at: dt.datetime,
    acting_user: Acting,
) -> Incident:
    """Record an incident and route it through the chain of `area` (see `routing`): the
    first responder with a login is assigned, every responder with a login told, and the
    acknowledge clock starts.

    Idempotent: an incident already raised under `source_key` (one event raises one
    incident) or with `incident_id` (a device's retry) is returned as it is.
    """
    require_in_scope(scope_holder(acting_user), Perm.REPORT_INCIDENTS, [area])
    existing: Incident | None = None
    if source_key:
        existing = Incident.objects.filter(source_key=source_key).first()
    if existing is None and incident_id is not None:
        existing = Incident.objects.filter(pk=incident_id).first()
    if existing is not None:
        return existing
    limits = Policies().limits(kind, severity)
    actor = as_actor(acting_user)
    incident = Incident(
        id=incident_id or uuid.uuid4(),
        kind=kind,
        severity=severity,
        area=area,
        place=place,
        description=description,
        reporter=actor.user,
        source=source,
        source_key=source_key or None,
        status=IncidentStatus.OPEN,
        clock=Clock.ACKNOWLEDGE,
        reported_at=at,
        acknowledge_due=limits.due(Clock.ACKNOWLEDGE, at),
        arrive_due=limits.due(Clock.ARRIVE, at),
        report_due=limits.due(Clock.REPORT, at),
    )
    incident.due_at = incident.acknowledge_due
    if photo is not None:
        incident.photo.save("photo.jpg", photo, save=False)
    try:
        with transaction.atomic():
            incident.save(force_insert=True)
    except IntegrityError:
        # The same event or the same device raced us to it: theirs stands.
        found: Incident | None = (
            Incident.objects.filter(source_key=source_key).first() if source_key else None
        )
        found = found or Incident.objects.filter(pk=incident.pk).first()
        if found is None:
            raise
        return found

    chain = list(chain_for_area(area, at).select_related("worker__user"))
    responders = first_responders(chain)
    steps = [IncidentStep(incident=incident, step=Step.REPORTED, at=at, user=actor.user)]
    reachable = [link for link in responders if can_sign_in(link)]
    skipped = [link for link in responders if not can_sign_in(link)]
    if reachable:
        assignee: Responsibility | None = reachable[0]
    else:
        # Nobody of the grid can sign in: the next person up the chain who can.
        assignee, further = next_in_chain(chain, responders[-1].worker_id if responders else None)
        skipped += [link for link in further if link not in skipped]
    steps += _skipped_notes(incident, skipped, at)
    if assignee is not None:
        incident.assignee = assignee.worker
        Incident.objects.filter(pk=incident.pk).update(assignee=assignee.worker)
        steps.append(
            IncidentStep(incident=incident, step=Step.ROUTED, at=at, worker=assignee.worker)
        )
    else:
        steps.append(
            IncidentStep(
                incident=incident, step=Step.NOTE, at=at, reason=StepReason.NOBODY_RESPONSIBLE
            )
        )
    told = {link.worker_id: link for link in [*reachable, *([assignee] if assignee else [])]}
    steps += [
        IncidentStep(incident=incident, step=Step.NOTIFIED, at=at, worker=link.worker)
        for link in told.values()
    ]
    IncidentStep.objects.bulk_create(steps)
    if told:
        notify(
            [link.worker.user for link in told.values() if link.worker.user is not None],
            messages.routed(
                incident_id=incident.pk,
                kind=kind,
                severity=severity,
                area=area.name,
                place=place,
            ),
            area=area,
            at=at,
        )
    _audit(acting_user, AuditEvent.INCIDENT_REPORT, incident, source=source)
    return incident


def can_act(user: User | None, incident: Incident) -> bool:
    """Whether `user` may take the incident's steps: HANDLE_INCIDENTS on its area, or the
    incident is assigned to them."""
    if user is None:
        return True
    if incident.assignee_id is not None and incident.assignee is not None:
        if incident.assignee.user_id == user.pk:
            return True
    return user.has_area_permission(Perm.HANDLE_INCIDENTS, incident.area)


def _require_act(acting_user: Acting, incident: Incident) -> None:
    actor = as_actor(acting_user)
    holder = scope_holder(acting_user)
    if holder is None:
        return
    if actor.user is None or not can_act(actor.user, incident):
        raise OutOfScope


def _acting_worker(acting_user: Acting, incident: Incident) -> Worker | None:
    """Whose step it is, for the figures per cadre: the actor's own worker record, else
    the assignee (a staff member acting on their behalf)."""
    user = as_actor(acting_user).user
    if user is not None:
        own: Worker | None = Worker.objects.filter(user=user).first()
        if own is not None:
            return own
    return incident.assignee


def _move(incident: Incident, expected: tuple[str, ...], changes: dict[str, Any]) -> None:
    """Change the incident if it is still in one of the `expected` statuses (the
    conditional update that makes two people pressing the same button at once harmless)."""
    moved = Incident.objects.filter(pk=incident.pk, status__in=expected).update(**changes)
    if moved != 1:
        raise IncidentError(_("The incident moved on meanwhile: reload its page."))
    for name, value in changes.items():
        setattr(incident, name, value)


def _next_clock(incident: Incident, clock: str, limits: Limits, at: dt.datetime) -> dict[str, Any]:
    """The fields that start `clock`: its limit from the report, or its own span from now
    if that has already passed."""
    due = max(getattr(incident, DUE_FIELD[clock]), at + limits.span(clock))
    return {"clock": clock, "due_at": due, DUE_FIELD[clock]: due}


def _limits(incident: Incident) -> Limits:
    return Policies().limits(incident.kind, incident.severity)


@transaction.atomic
def acknowledge(incident: Incident, *, at: dt.datetime, acting_user: Acting) -> None:
    """The assignee (or a handler) has seen the incident: the arrival clock starts."""
    _require_act(acting_user, incident)
    worker = _acting_worker(acting_user, incident)
    changes = {
        "status": IncidentStatus.ACKNOWLEDGED,
        "acknowledged_at": at,
        "acknowledged_by": worker,
        "acknowledge_seconds": max(int((at - incident.reported_at).total_seconds()), 0),
        **_next_clock(incident, Clock.ARRIVE, _limits(incident), at),
    }
    _move(incident, (IncidentStatus.OPEN,), changes)
    IncidentStep.objects.create(
        incident=incident,
        step=Step.ACKNOWLEDGED,
        at=at,
        user=as_actor(acting_user).user,
        worker=worker,
    )
    _audit(acting_user, AuditEvent.INCIDENT_ACKNOWLEDGE, incident)


@transaction.atomic
def arrive(incident: Incident, *, at: dt.datetime, acting_user: Acting) -> None:
    """Someone is on site (acknowledging it too, if nobody had): the report clock starts."""
    _require_act(acting_user, incident)
    worker = _acting_worker(acting_user, incident)
    seconds = max(int((at - incident.reported_at).total_seconds()), 0)
    changes: dict[str, Any] = {
        "status": IncidentStatus.ON_SITE,
        "arrived_at": at,
        "arrived_by": worker,
        "arrive_seconds": seconds,
        **_next_clock(incident, Clock.REPORT, _limits(incident), at),
    }
    if incident.acknowledged_at is None:
        changes.update(acknowledged_at=at, acknowledged_by=worker, acknowledge_seconds=seconds)
    _move(incident, (IncidentStatus.OPEN, IncidentStatus.ACKNOWLEDGED), changes)
    IncidentStep.objects.create(
        incident=incident, step=Step.ARRIVED, at=at, user=as_actor(acting_user).user, worker=worker
    )
    _audit(acting_user, AuditEvent.INCIDENT_ARRIVE, incident)


@transaction.atomic
def report_up(incident: Incident, *, note: str, at: dt.datetime, acting_user: Acting) -> None:
    """The person on site reports what they found: the clocks stop; it waits to be closed."""
    _require_act(acting_user, incident)
    _move(
        incident,
        (IncidentStatus.ON_SITE,),
        {"status": IncidentStatus.REPORTED_UP, "reported_up_at": at, "clock": "", "due_at": None},
    )
    IncidentStep.objects.create(
        incident=incident,
        step=Step.REPORTED_UP,
        at=at,
        user=as_actor(acting_user).user,
        worker=_acting_worker(acting_user, incident),
        note=note[:500],
    )
    _audit(acting_user, AuditEvent.INCIDENT_REPORT_UP, incident)


@transaction.atomic
def close(incident: Incident, *, note: str, at: dt.datetime, acting_user: Acting) -> None:
    """The incident is dealt with (from any step): its clocks stop for good."""
    _require_act(acting_user, incident)
    _move(
        incident,
        ACTIVE_STATUSES,
        {"status": IncidentStatus.CLOSED, "closed_at": at, "clock": "", "due_at": None},
    )
    IncidentStep.objects.create(
        incident=incident, step=Step.CLOSED, at=at, user=as_actor(acting_user).user, note=note[:500]
    )
    _audit(acting_user, AuditEvent.INCIDENT_CLOSE, incident)


@transaction.atomic
def reassign(
    incident: Incident, worker: Worker, *, note: str = "", at: dt.datetime, acting_user: Acting
) -> None:
    """Hand the incident to another worker (HANDLE_INCIDENTS on its area, and the worker
    within the actor's scope), who is told; the running clock restarts for them with at
    least its own span."""
    holder = scope_holder(acting_user)
    require_in_scope(holder, Perm.HANDLE_INCIDENTS, [incident.area])
    require_in_scope(holder, Perm.VIEW_WORKFORCE, [worker.area])
    if not worker.active:
        raise IncidentError(_("This worker is no longer active."))
    changes: dict[str, Any] = {"assignee": worker}
    clock = CLOCK_OF_STATUS.get(incident.status)
    if clock:
        changes.update(_next_clock(incident, clock, _limits(incident), at))
    _move(incident, ACTIVE_STATUSES, changes)
    IncidentStep.objects.create(
        incident=incident,
        step=Step.REASSIGNED,
        at=at,
        user=as_actor(acting_user).user,
        worker=worker,
        note=note[:500],
    )
    if worker.user is not None and worker.user.is_active:
        notify(
            [worker.user],
            messages.reassigned(
                incident_id=incident.pk, kind=incident.kind, area=incident.area.name
            ),
            area=incident.area,
            at=at,
        )
    _audit(acting_user, AuditEvent.INCIDENT_REASSIGN, incident, worker=str(worker.pk))


@transaction.atomic
def add_note(incident: Incident, *, note: str, at: dt.datetime, acting_user: Acting) -> None:
    """A line on the timeline (what was found, who was called)."""
    _require_act(acting_user, incident)
    if incident.is_closed:
        raise IncidentError(_("The incident is closed."))
    IncidentStep.objects.create(
        incident=incident, step=Step.NOTE, at=at, user=as_actor(acting_user).user, note=note[:500]
    )
    _audit(acting_user, AuditEvent.INCIDENT_NOTE, incident)
