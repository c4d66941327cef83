"""Adding, changing and retiring the people at work, and the audited reveal of a phone.

Every write checks the actor's MANAGE_WORKFORCE on the worker's area (both areas when a
worker moves), seals the phone through `PersonalPhone.set_phone` and writes one audit
entry that never holds the phone. The import applies its rows through `apply_import`,
in one transaction, with the same checks.
"""

import unicodedata
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.personal_data import phone_lookups
from wangge.core.scoping import is_within, require_in_scope
from wangge.lib import phones
from wangge.workforce.choices import Committee, SentFrom, WorkerKind
from wangge.workforce.errors import WorkforceError
from wangge.workforce.models import Worker

NAME_MAX = 50
UNIT_MAX = 100
# The fields an update compares (the phone is compared through its blind index).
_PLAIN_FIELDS = ("name", "kind", "sent_from", "committee", "party_member", "sent_down", "unit")


def _text(value: object, field: str, max_length: int, *, required: bool = False) -> str:
    text = "" if value is None else " ".join(unicodedata.normalize("NFKC", str(value)).split())
    if required and not text:
        raise WorkforceError(_("This field is required."), field=field)
    if len(text) > max_length:
        raise WorkforceError(_("At most %(max)d characters.") % {"max": max_length}, field=field)
    return text


@dataclass(frozen=True)
class WorkerData:
    """A worker's details as the forms and the import give them, already checked."""

    name: str
    kind: str
    area_id: int
    sent_from: str = ""
    committee: str = ""
    party_member: bool = False
    sent_down: bool = False
    unit: str = ""
    # None: keep the stored phone (an edit form that leaves the field empty); "": none.
    phone: str | None = ""

    @classmethod
    def clean(
        cls,
        *,
        name: object,
        kind: object,
        area_id: int,
        sent_from: object = "",
        committee: object = "",
        party_member: bool = False,
        sent_down: bool = False,
        unit: object = "",
        phone: object = "",
    ) -> "WorkerData":
        """The one validator of a worker's details; WorkforceError names the field at fault."""
        kind_value = str(kind or "")
        if kind_value not in WorkerKind.values:
            raise WorkforceError(_("Unknown kind of worker."), field="kind")
        sent_from_value = str(sent_from or "")
        if sent_from_value and sent_from_value not in SentFrom.values:
            raise WorkforceError(_("Unknown level of the sending office."), field="sent_from")
        committee_value = str(committee or "")
        if committee_value and committee_value not in Committee.values:
            raise WorkforceError(_("Unknown committee."), field="committee")
        try:
            number = None if phone is None else phones.validate(str(phone))
        except phones.PhoneError as exc:
            raise WorkforceError(str(exc), field="phone") from exc
        return cls(
            name=_text(name, "name", NAME_MAX, required=True),
            kind=kind_value,
            area_id=area_id,
            sent_from=sent_from_value,
            committee=committee_value,
            party_member=bool(party_member),
            sent_down=bool(sent_down),
            unit=_text(unit, "unit", UNIT_MAX),
            phone=number,
        )

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, value: dict[str, Any]) -> "WorkerData":
        # Read back from our own authenticated, encrypted staging file: already checked.
        return cls(**value)


def _area(area_id: int) -> Area:
    try:
        area: Area = Area.objects.get(pk=area_id)
    except Area.DoesNotExist as exc:
        raise WorkforceError(_("Unknown area."), field="area") from exc
    if area.kind == AreaKind.BUILDING:
        raise WorkforceError(_("A worker is based in an area, not a building."), field="area")
    return area


def _fill(worker: Worker, data: WorkerData, area: Area) -> list[str]:
    """Copy `data` onto `worker`; the names of the fields that changed (never their values
    for the phone)."""
    changed = [name for name in _PLAIN_FIELDS if getattr(worker, name) != getattr(data, name)]
    for name in changed:
        setattr(worker, name, getattr(data, name))
    if worker.area_id != area.pk:
        changed.append("area")
        worker.area = area
    if data.phone is None:
        return changed
    same_phone = (
        worker.phone_index in phone_lookups(data.phone) if data.phone else not worker.phone_index
    )
    if not same_phone:
        worker.set_phone(data.phone)
        changed.append("phone")
    return changed


@transaction.atomic
def create_worker(data: WorkerData, *, acting_user: User | Actor | None) -> Worker:
    """Add a person at work to an area the actor manages the workforce of."""
    area = _area(data.area_id)
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_WORKFORCE, [area])
    worker = Worker(area=area)
    _fill(worker, data, area)
    worker.save()
    log.record(
        acting_user,
        AuditEvent.WORKER_CREATE,
        obj=worker,
        area_path=area.path,
        details={"kind": worker.kind, "phone": bool(data.phone)},
    )
    return worker


@transaction.atomic
def update_worker(worker: Worker, data: WorkerData, *, acting_user: User | Actor | None) -> Worker:
    """Change a worker's details; moving them to another area needs both areas in scope."""
    area = _area(data.area_id)
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_WORKFORCE, [worker.area, area])
    old_area = worker.area_id
    changed = _fill(worker, data, area)
    if not changed:
        return worker
    worker.save()
    details: dict[str, Any] = {"fields": changed}
    if "area" in changed:
        details["from_area"] = old_area
        details["to_area"] = area.pk
    log.record(
        acting_user, AuditEvent.WORKER_UPDATE, obj=worker, area_path=area.path, details=details
    )
    return worker


@transaction.atomic
def set_worker_active(worker: Worker, active: bool, *, acting_user: User | Actor | None) -> Worker:
    """Retire a worker (they stay on record, with their history) or bring them back.

    A retired worker leaves their teams' lead; their responsibilities are ended by the
    people who reassign them (the chain's gaps show what is left uncovered).
    """
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_WORKFORCE, [worker.area])
    if worker.active == active:
        return worker
    worker.active = active
    worker.save(update_fields=["active", "updated_at"])
    if not active:
        worker.teams_led.update(leader=None)
    log.record(
        acting_user,
        AuditEvent.WORKER_UPDATE,
        obj=worker,
        area_path=worker.area.path,
        details={"fields": ["active"], "active": active},
    )
    return worker


def logins_in_scope(acting_user: User | Actor | None) -> Any:
    """The sign-in accounts a worker may be linked to: those the actor sees with
    MANAGE_WORKFORCE (the people holding roles in their areas)."""
    holder = log.scope_holder(acting_user)
    if holder is None:
        return User.objects.filter(is_active=True)
    return User.objects.visible_to(holder, Perm.MANAGE_WORKFORCE).filter(is_active=True)


@transaction.atomic
def link_login(worker: Worker, user: User | None, *, acting_user: User | Actor | None) -> Worker:
    """Say which sign-in account is this person (a worker may also be a user), or none.

    One worker per account: an account already linked to another worker is refused.
    """
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_WORKFORCE, [worker.area])
    if user is not None:
        if not logins_in_scope(acting_user).filter(pk=user.pk).exists():
            raise WorkforceError(_("No such account in your areas."), field="user")
        taken = Worker.objects.filter(user=user).exclude(pk=worker.pk).first()
        if taken is not None:
            raise WorkforceError(
                _("This account is already linked to %(name)s.") % {"name": taken.name},
                field="user",
            )
    if worker.user_id == (user.pk if user else None):
        return worker
    worker.user = user
    worker.save(update_fields=["user", "updated_at"])
    log.record(
        acting_user,
        AuditEvent.WORKER_UPDATE,
        obj=worker,
        area_path=worker.area.path,
        details={"fields": ["user"], "user": user.pk if user else None},
    )
    return worker


def reveal_phone(worker: Worker, *, acting_user: User | Actor) -> str:
    """A worker's full phone, for someone allowed to see it; always audited."""
    require_in_scope(log.scope_holder(acting_user), Perm.REVEAL_PERSONAL, [worker.area])
    number = worker.reveal_phone()
    log.record(
        acting_user,
        AuditEvent.WORKER_REVEAL,
        obj=worker,
        area_path=worker.area.path,
        details={"field": "phone"},
    )
    return number


@dataclass(frozen=True)
class ImportRow:
    """A checked row of a workforce list: the sheet row, the worker, the optional login,
    and the worker it updates (None: a new one)."""

    row: int
    data: WorkerData
    username: str = ""
    existing: str | None = None  # a Worker's id

    def to_json(self) -> list[Any]:
        return [self.row, self.data.to_json(), self.username, self.existing]

    @classmethod
    def from_json(cls, value: Sequence[Any]) -> "ImportRow":
        return cls(int(value[0]), WorkerData.from_json(value[1]), str(value[2]), value[3])


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int


@transaction.atomic
def apply_import(
    rows: Sequence[ImportRow], area: Area, *, acting_user: User | Actor | None
) -> ImportResult:
    """Write the checked rows of a workforce list into `area`, all in one transaction.

    Every row is checked again (scope, login), so a list checked yesterday by someone who
    has since lost the area changes nothing; a failing row undoes the whole apply. One
    audit entry for the list (counts only), none per worker.
    """
    holder = log.scope_holder(acting_user)
    require_in_scope(holder, Perm.MANAGE_WORKFORCE, [area])
    areas = {a.pk: a for a in Area.objects.filter(pk__in={row.data.area_id for row in rows})}
    existing = {
        str(worker.pk): worker
        for worker in Worker.objects.select_related("area").filter(
            pk__in=[row.existing for row in rows if row.existing]
        )
    }
    usernames = {row.username for row in rows if row.username}
    logins = {u.username: u for u in logins_in_scope(acting_user).filter(username__in=usernames)}
    created = updated = unchanged = 0
    for row in rows:
        target = areas.get(row.data.area_id)
        if target is None or not is_within(target.path, area.path):
            raise WorkforceError(_("Row %(row)d: unknown area.") % {"row": row.row}, field="area")
        require_in_scope(holder, Perm.MANAGE_WORKFORCE, [target])
        is_new = not row.existing
        if is_new:
            worker = Worker(area=target)
            _fill(worker, row.data, target)
            changed = ["new"]
        else:
            found = existing.get(str(row.existing))
            if found is None:
                raise WorkforceError(_("The list changed since it was checked: check it again."))
            worker = found
            require_in_scope(holder, Perm.MANAGE_WORKFORCE, [worker.area])
            changed = _fill(worker, row.data, target)
        if row.username:
            login = logins.get(row.username)
            if login is None or (Worker.objects.filter(user=login).exclude(pk=worker.pk).exists()):
                raise WorkforceError(
                    _("Row %(row)d: no such free account in your areas.") % {"row": row.row},
                    field="user",
                )
            if worker.user_id != login.pk:
                worker.user = login
                changed.append("user")
        if not changed:
            unchanged += 1
            continue
        worker.save()
        if is_new:
            created += 1
        else:
            updated += 1
    log.record(
        acting_user,
        AuditEvent.WORKERS_IMPORT,
        obj=area,
        area_path=area.path,
        details={"created": created, "updated": updated, "unchanged": unchanged},
    )
    return ImportResult(created, updated, unchanged)
