"""Responsibility chains (包联): who answers for which area with which duty, from when.

Assigning, ending and handing over keep every row: an ended responsibility is the history
of who covered what, when. Each is checked against the actor's scope (managing the
workforce on the area, seeing the worker) and written to the audit log. The duties
themselves ("六包") are configuration, edited by administrators.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import OutOfScope, require_in_scope
from wangge.residents.models import Household
from wangge.workforce.choices import DutyLevel
from wangge.workforce.models import Duty, Responsibility, Worker
from wangge.workforce.selectors import chain_for_household


class ResponsibilityError(ValueError):
    """A change of the chain its rules refuse, with a message for the person who made it."""


def _check_assignment(worker: Worker, duty: Duty, area: Area, household: Household | None) -> None:
    if not worker.active:
        raise ResponsibilityError(_("this worker is no longer active"))
    if duty.level == DutyLevel.HOUSEHOLD:
        if household is None:
            raise ResponsibilityError(_("a household duty needs a household"))
        if household.grid_id != area.pk:
            raise ResponsibilityError(_("this household is not in this grid"))
    else:
        if household is not None:
            raise ResponsibilityError(_("only a household duty is given for one household"))
        if duty.level != area.level:
            raise ResponsibilityError(_("this duty is not for an area of this level"))


def _require(acting_user: User | Actor | None, worker: Worker, area: Area) -> None:
    """Managing the workforce on the area, and seeing the worker: naming someone out of
    one's scope is answered like naming nobody."""
    holder = log.scope_holder(acting_user)
    require_in_scope(holder, Perm.MANAGE_WORKFORCE, [area])
    require_in_scope(holder, Perm.VIEW_WORKFORCE, [worker.area])


def _audit_assign(
    acting_user: User | Actor | None, held: Responsibility, handover_from: int | None = None
) -> None:
    details: dict[str, object] = {
        "worker": str(held.worker_id),
        "duty": held.duty.code,
        "area": held.area_id,
        "from": held.started_at,
    }
    if held.household_id is not None:
        details["household"] = held.household_id
    if handover_from is not None:
        details["handed_over_from"] = handover_from
    log.record(
        acting_user,
        AuditEvent.RESPONSIBILITY_ASSIGN,
        obj=held,
        area_path=held.area.path,
        details=details,
    )


def _audit_end(acting_user: User | Actor | None, held: Responsibility) -> None:
    log.record(
        acting_user,
        AuditEvent.RESPONSIBILITY_END,
        obj=held,
        area_path=held.area.path,
        details={
            "worker": str(held.worker_id),
            "duty": held.duty.code,
            "area": held.area_id,
            "until": held.ended_at,
        },
    )


@transaction.atomic
def assign_responsibility(
    worker: Worker,
    duty: Duty,
    area: Area,
    *,
    household: Household | None = None,
    started_at: dt.datetime | None = None,
    acting_user: User | Actor | None,
) -> Responsibility:
    """Make `worker` answer for `area` with `duty` from `started_at` (now by default).

    The duty must be one of the area's level (a street's leader for a street, a stationed
    cadre for a grid); a household duty names one household of the grid. Several people
    may hold one duty (two stationed cadres in a large compound), but not the same person
    twice at once.
    """
    _require(acting_user, worker, area)
    _check_assignment(worker, duty, area, household)
    started_at = started_at or timezone.now()
    already = Responsibility.objects.active_at(started_at).filter(
        worker=worker, duty=duty, area=area, household=household
    )
    if already.exists():
        raise ResponsibilityError(_("this worker already holds this duty here"))
    held = Responsibility.objects.create(
        worker=worker, duty=duty, area=area, household=household, started_at=started_at
    )
    _audit_assign(acting_user, held)
    return held


def _end(held: Responsibility, at: dt.datetime) -> None:
    if held.ended_at is not None:
        raise ResponsibilityError(_("this responsibility has already ended"))
    if at <= held.started_at:
        raise ResponsibilityError(_("a responsibility ends after it starts"))
    held.ended_at = at
    held.save(update_fields=["ended_at"])


@transaction.atomic
def end_responsibility(
    held: Responsibility,
    *,
    ended_at: dt.datetime | None = None,
    acting_user: User | Actor | None,
) -> Responsibility:
    """End a responsibility at `ended_at` (now by default). The row stays: it is the
    history of who covered the area, and when."""
    _require(acting_user, held.worker, held.area)
    # Re-read under a lock, so that two people ending it at once end it once.
    held = Responsibility.objects.select_for_update().select_related("duty", "area").get(pk=held.pk)
    _end(held, ended_at or timezone.now())
    _audit_end(acting_user, held)
    return held


@transaction.atomic
def hand_over_responsibility(
    held: Responsibility,
    successor: Worker,
    *,
    at: dt.datetime | None = None,
    acting_user: User | Actor | None,
) -> Responsibility:
    """Hand a responsibility over: the holder's ends and the successor's starts at the
    same moment, in one transaction, so the area is never without someone in between."""
    _require(acting_user, held.worker, held.area)
    _require(acting_user, successor, held.area)
    held = Responsibility.objects.select_for_update().select_related("duty", "area").get(pk=held.pk)
    if successor.pk == held.worker_id:
        raise ResponsibilityError(_("hand over to someone else"))
    _check_assignment(successor, held.duty, held.area, held.household)
    at = at or timezone.now()
    _end(held, at)
    _audit_end(acting_user, held)
    following = Responsibility.objects.create(
        worker=successor,
        duty=held.duty,
        area=held.area,
        household=held.household,
        started_at=at,
    )
    _audit_assign(acting_user, following, handover_from=held.pk)
    return following


# The duties ("六包")


@dataclass(frozen=True)
class DutyData:
    """What an administrator sets on a duty; the code and the level are fixed once made
    (responsibilities already hold the duty at its level)."""

    name: str
    name_en: str
    required: bool
    order: int


def _require_duty_admin(acting_user: User | Actor | None) -> str:
    """Duties are one configuration for the whole installation: only those who manage
    areas change them. Returns the area the change is filed under in the audit log."""
    holder = log.scope_holder(acting_user)
    if holder is None:
        return ""
    paths = holder.scope_paths(Perm.MANAGE_AREAS)
    if paths is None:
        return ""
    if not paths:
        raise OutOfScope
    return min(paths, key=len)


def _clean(data: DutyData) -> DutyData:
    name, name_en = data.name.strip(), data.name_en.strip()
    if not name or not name_en:
        raise ResponsibilityError(_("a duty needs its name in both languages"))
    return DutyData(name=name, name_en=name_en, required=data.required, order=data.order)


@transaction.atomic
def update_duty(duty: Duty, data: DutyData, *, acting_user: User | Actor | None) -> Duty:
    """Rename a duty, make it required or not, move it in its level's order."""
    area_path = _require_duty_admin(acting_user)
    data = _clean(data)
    before = {"name": duty.name, "name_en": duty.name_en, "required": duty.required}
    duty.name, duty.name_en = data.name, data.name_en
    duty.required, duty.order = data.required, data.order
    duty.save(update_fields=["name", "name_en", "required", "order"])
    log.record(
        acting_user,
        AuditEvent.DUTY_UPDATE,
        obj=duty,
        area_path=area_path,
        details={
            "code": duty.code,
            "before": before,
            "after": {"name": duty.name, "name_en": duty.name_en, "required": duty.required},
            "order": duty.order,
        },
    )
    return duty


@transaction.atomic
def add_duty(code: str, level: int, data: DutyData, *, acting_user: User | Actor | None) -> Duty:
    """Add a duty to a level (a seventh "包": a medical liaison for every community)."""
    area_path = _require_duty_admin(acting_user)
    data = _clean(data)
    code = code.strip()
    if level not in DutyLevel.values:
        raise ResponsibilityError(_("unknown level"))
    if not code or Duty.objects.filter(code=code).exists():
        raise ResponsibilityError(_("a duty with this code already exists"))
    duty = Duty.objects.create(
        code=code,
        level=level,
        name=data.name,
        name_en=data.name_en,
        required=data.required,
        order=data.order,
    )
    log.record(
        acting_user,
        AuditEvent.DUTY_UPDATE,
        obj=duty,
        area_path=area_path,
        details={
            "code": code,
            "level": level,
            "added": {"name": duty.name, "name_en": duty.name_en, "required": duty.required},
        },
    )
    return duty


# Phones along a household's chain


@transaction.atomic
def reveal_chain_phones(
    household: Household, *, at: dt.datetime | None = None, acting_user: User | Actor
) -> dict[int, str]:
    """The full phones of the people answering for a household now (the 包联 board a
    compound posts at its gate), for someone allowed to see personal data of that
    household's grid: {responsibility id: phone}. Each worker's reveal is its own audit
    entry."""
    require_in_scope(log.scope_holder(acting_user), Perm.REVEAL_PERSONAL, [household.grid])
    phones: dict[int, str] = {}
    revealed: set[object] = set()
    for held in chain_for_household(household, at or timezone.now()):
        phones[held.pk] = held.worker.reveal_phone()
        if held.worker_id in revealed:
            continue
        revealed.add(held.worker_id)
        log.record(
            acting_user,
            AuditEvent.WORKER_REVEAL,
            obj=held.worker,
            area_path=household.grid.path,
            details={"field": "phone", "household_chain": household.pk},
        )
    return phones
