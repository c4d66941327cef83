"""Registering vehicles and people at checkpoints, and what an alert sets off.

`register_entries` stores one batch (a device's upload, or the entry page's one entry):
each item answered by itself (core/batch.py), idempotent by the device's client id, the
batch's rows written in bulk in one transaction, audited once with counts only. A person
with a fever or a red or yellow code is an alert: right after the batch commits, each
alert places the person under a measure (`keypersons.actions.place_under_measure`) and
raises an incident (`incidents.actions.raise_incident`), both idempotent by the person's
key, so a retry, a duplicate upload or the worker's sweep (`raise_pending_alerts`) finishes
what a crash left undone and repeats nothing.
"""

import datetime as dt
import functools
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import DeviceToken, User
from wangge.areas.models import Area
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor, record, scope_holder
from wangge.checkpoints.checkpoint_items import (
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    EntryIn,
    PersonIn,
)
from wangge.checkpoints.choices import HealthCode, VehicleKind
from wangge.checkpoints.models import Checkpoint, CheckpointEntry, CheckpointPassenger
from wangge.core.api_input import CLOCK_AHEAD, clock_skew, field_reason
from wangge.core.batch import ItemStatus, item_answer
from wangge.core.bulk import BatchSql, copy_rows
from wangge.core.permissions import Perm
from wangge.core.personal_data import id_number_lookups, seal_id_number, seal_phone
from wangge.core.scoping import require_in_scope
from wangge.incidents.actions import raise_incident
from wangge.incidents.choices import IncidentKind, IncidentSeverity, IncidentSource
from wangge.keypersons.actions import NamedPerson, place_under_measure
from wangge.keypersons.choices import Category, KeyPersonSource, Measure
from wangge.lib import idnumbers, phones, plates
from wangge.lib.idnumbers import IdType
from wangge.residents.models import Resident
from wangge.testing.station_items import InvalidItem

logger = logging.getLogger(__name__)

Acting = User | Actor
ScopeHolder = User | DeviceToken

ACCEPTED, DUPLICATE, REJECTED = ItemStatus.ACCEPTED, ItemStatus.DUPLICATE, ItemStatus.REJECTED

# Codes are stable (a device may act on them); the readable reasons are translated.
REASONS: dict[str, Promise] = {
    "invalid": _("The entry does not have the expected form."),
    "unknown_checkpoint": _("There is no such checkpoint for this device."),
    "checkpoint_closed": _("This checkpoint is no longer in use."),
    "clock_ahead": CLOCK_AHEAD,
    "invalid_plate": _("The plate is not valid."),
    "plate_required": _("A vehicle of this kind needs its plate."),
    "plate_on_foot": _("People on foot have no plate: leave it empty or choose the vehicle."),
    "invalid_person": _("The person's details are not valid."),
    "no_document": _("Give the person's resident code or ID number."),
    "unknown_resident_code": _("No resident has this code: take the person's ID number."),
}
TEMPERATURE_PROBLEM = _("A temperature must lie between %(low)s and %(high)s °C.")
# Vehicles that may go without a plate (a tractor, an electric bike).
PLATE_OPTIONAL: set[str] = {VehicleKind.MOTORCYCLE, VehicleKind.OTHER}
_ITEM_INDEX = re.compile(r"\.(\d+)(?=\.|$)")


@functools.lru_cache(maxsize=64)
def _reason(code: str, language: str | None) -> str:
    return str(REASONS[code])


def api_field(field_path: str) -> str:
    """A field as the checkpoint API names it: people[1].temperature (pydantic: people.1.…)."""
    return _ITEM_INDEX.sub(r"[\1]", field_path)


@dataclass(slots=True)
class EntryResult:
    """The answer to one entry of a batch, in the batch's order."""

    client_id: str | None
    status: str
    reason_code: str = ""
    reason: str = ""
    field: str = ""
    alerts: int | None = None
    entry_id: int | None = None

    @classmethod
    def rejected(
        cls, client_id: str | None, code: str, detail: str = "", *, field: str = ""
    ) -> "EntryResult":
        reason = _reason(code, get_language())
        if detail:
            reason = gettext("%(reason)s %(detail)s") % {"reason": reason, "detail": detail}
        return cls(client_id, REJECTED, code, reason, field=field)

    @classmethod
    def invalid(cls, item: InvalidItem) -> "EntryResult":
        name = api_field(item.field)
        problem = item.problem
        if name.endswith(".temperature"):
            problem = str(TEMPERATURE_PROBLEM) % {"low": TEMPERATURE_MIN, "high": TEMPERATURE_MAX}
        return cls.rejected(item.client_id, "invalid", field_reason(name, problem), field=name)

    def as_dict(self) -> dict[str, Any]:
        """The API's answer (schemas.EntryResultOut)."""
        return item_answer(
            self.status,
            self.reason_code,
            self.reason,
            self.field,
            client_id=self.client_id,
            alerts=self.alerts,
        )


def fever_threshold() -> Any:
    return settings.WANGGE_FEVER_THRESHOLD


def is_alert(person: PersonIn) -> bool:
    """A fever (at or above the threshold) or a red or yellow code."""
    return person.temperature >= fever_threshold() or person.health_code in (
        HealthCode.RED,
        HealthCode.YELLOW,
    )


@dataclass(slots=True)
class _Person:
    data: PersonIn
    code: str = ""
    number: tuple[str, str] | None = None  # (id type, canonical number)
    phone: str = ""
    resident_id: int | None = None


@dataclass(slots=True)
class _Planned:
    index: int
    data: EntryIn
    client_id: str
    plate: str
    people: list[_Person] = field(default_factory=list)


@dataclass
class Batch:
    """What a stored batch did: the answers, and the entries whose alerts are to raise."""

    results: list[EntryResult]
    alert_entries: list[int] = field(default_factory=list)


def _check_person(person: PersonIn, position: int) -> tuple[_Person | None, EntryResult | None]:
    """A person's document and phone, validated; or why not (client id filled in later)."""
    planned = _Person(person)
    prefix = f"people[{position}]"
    if person.resident_code:
        raw = person.resident_code
        planned.code = (
            raw if raw.isalnum() and raw.isupper() and raw.isascii() else (idnumbers.normalise(raw))
        )
    elif not person.id_number:
        if person.id_type != "none":
            return None, EntryResult.rejected(None, "no_document", field=f"{prefix}.id_number")
    else:
        try:
            number = idnumbers.validate(IdType(person.id_type), person.id_number)
        except idnumbers.IdNumberError as exc:
            return None, EntryResult.rejected(
                None, "invalid_person", str(exc), field=f"{prefix}.id_number"
            )
        if not number:
            return None, EntryResult.rejected(None, "no_document", field=f"{prefix}.id_number")
        planned.number = (person.id_type, number)
    try:
        planned.phone = phones.validate(person.phone)
    except phones.PhoneError as exc:
        return None, EntryResult.rejected(None, "invalid_person", str(exc), field=f"{prefix}.phone")
    return planned, None


def _check_plate(item: EntryIn) -> tuple[str, EntryResult | None]:
    try:
        plate = plates.validate(item.plate)
    except plates.PlateError as exc:
        return "", EntryResult.rejected(None, "invalid_plate", str(exc), field="plate")
    if item.vehicle_kind == "on_foot":
        if plate:
            return "", EntryResult.rejected(None, "plate_on_foot", field="plate")
    elif not plate and item.vehicle_kind not in PLATE_OPTIONAL:
        return "", EntryResult.rejected(None, "plate_required", field="plate")
    return plate, None


def register_entries(
    items: Sequence[EntryIn | InvalidItem],
    *,
    checkpoint_scope: ScopeHolder,
    acting_user: Acting,
) -> Batch:
    """Store a batch of checkpoint entries; one answer per item, in order.

    `checkpoint_scope` is who registers: a device (its area's subtree, where its user may
    register at checkpoints) or a signed-in user. A checkpoint outside it is "unknown".
    Alerts are raised after the batch has committed (see the module's docstring), by
    `raise_alerts(batch.alert_entries)`, which this function calls.
    """
    sql = BatchSql(timezone.now())
    results: list[EntryResult | None] = [None] * len(items)
    first_seen: dict[str, int] = {}
    echoes: dict[int, int] = {}
    valid: list[tuple[int, EntryIn, str]] = []
    for index, item in enumerate(items):
        if isinstance(item, InvalidItem):
            results[index] = EntryResult.invalid(item)
            continue
        client_id = str(item.client_id)
        if client_id in first_seen:
            echoes[index] = first_seen[client_id]
            continue
        first_seen[client_id] = index
        valid.append((index, item, client_id))

    checkpoints: dict[int, tuple[bool, str]] = {}
    if valid:
        checkpoints = {
            pk: (active, path)
            for pk, active, path in Checkpoint.objects.visible_to(
                checkpoint_scope, Perm.REGISTER_CHECKPOINT
            )
            .filter(pk__in={item.checkpoint_id for _i, item, _c in valid})
            .values_list("pk", "active", "area__path")
        }
    latest = sql.now + clock_skew()
    planned: list[_Planned] = []
    codes: set[str] = set()
    index_values: dict[str, tuple[str, str]] = {}
    for index, item, client_id in valid:
        refusal = _check_entry(item, checkpoints, latest)
        plate = ""
        if refusal is None:
            plate, refusal = _check_plate(item)
        people: list[_Person] = []
        if refusal is None:
            for position, given in enumerate(item.people):
                checked, refusal = _check_person(given, position)
                if refusal is not None:
                    break
                assert checked is not None  # noqa: S101
                people.append(checked)
        if refusal is not None:
            refusal.client_id = client_id
            results[index] = refusal
            continue
        for one in people:
            if one.code:
                codes.add(one.code)
            elif one.number is not None:
                for value in id_number_lookups(*one.number):
                    index_values[value] = one.number
        planned.append(_Planned(index, item, client_id, plate, people))

    # Every person's resident, by code or by document: two indexed reads for the batch.
    by_code: dict[str, int] = {}
    by_number: dict[tuple[str, str], int] = {}
    if codes:
        by_code = {
            code: pk for pk, code in sql.select_in(Resident, ("id", "code"), "code", sorted(codes))
        }
    if index_values:
        for pk, value in sql.select_in(
            Resident, ("id", "id_number_index"), "id_number_index", sorted(index_values)
        ):
            by_number[index_values[value]] = pk
    ready: list[_Planned] = []
    for entry in planned:
        unknown = next(
            (
                n
                for n, person in enumerate(entry.people)
                if person.code and person.code not in by_code
            ),
            None,
        )
        if unknown is not None:
            results[entry.index] = EntryResult.rejected(
                entry.client_id, "unknown_resident_code", field=f"people[{unknown}].resident_code"
            )
            continue
        for one in entry.people:
            if one.code:
                one.resident_id = by_code[one.code]
            elif one.number is not None:
                one.resident_id = by_number.get(one.number)
        ready.append(entry)

    paths = [checkpoints[entry.data.checkpoint_id][1] for entry in ready]
    device = checkpoint_scope if isinstance(checkpoint_scope, DeviceToken) else None
    # Who recorded it: the device's user, or the user registering on a page.
    user_id = device.user_id if device is not None else checkpoint_scope.pk
    # Sealing (encryption, keyed hashes) is done before the write transaction.
    passenger_rows = _passenger_rows(ready)
    with transaction.atomic():
        stored, alert_entries, people_count = _store(
            ready, passenger_rows, sql, user_id, device.pk if device else None
        )
        answers = _answers(results, echoes, ready, stored)
        if sql.sqlite and answers:
            _audit(answers, people_count, len(alert_entries), paths, device, acting_user)
    if not sql.sqlite and answers:
        # In its own short transaction on PostgreSQL, as the station's batches do (the
        # audit chain's head row would otherwise hold concurrent batches in line).
        _audit(answers, people_count, len(alert_entries), paths, device, acting_user)
    pending = alert_entries + [r.entry_id for r in answers if r.status == DUPLICATE and r.entry_id]
    if pending:
        raise_alerts(pending, now=sql.now)
    return Batch(answers, alert_entries)


def _check_entry(
    item: EntryIn, checkpoints: dict[int, tuple[bool, str]], latest: dt.datetime
) -> EntryResult | None:
    found = checkpoints.get(item.checkpoint_id)
    if found is None:
        return EntryResult.rejected(None, "unknown_checkpoint", field="checkpoint_id")
    if not found[0]:
        return EntryResult.rejected(None, "checkpoint_closed", field="checkpoint_id")
    if item.at > latest:
        return EntryResult.rejected(None, "clock_ahead", field="at")
    return None


PASSENGER_COLUMNS = (
    "entry",
    "order",
    "resident",
    "name",
    "id_type",
    "id_number_cipher",
    "id_number_index",
    "id_number_masked",
    "phone_cipher",
    "phone_index",
    "phone_masked",
    "temperature",
    "health_code",
    "travel_history",
    "action",
    "alert",
)


def _passenger_rows(entries: Iterable[_Planned]) -> dict[str, list[list[Any]]]:
    """Each entry's passengers as rows (the entry's id still to fill in), sealed."""
    rows: dict[str, list[list[Any]]] = {}
    for entry in entries:
        own = rows[entry.client_id] = []
        for order, person in enumerate(entry.people):
            data = person.data
            id_type, number = person.number or (data.id_type, "")
            sealed_id = seal_id_number(id_type, number if person.resident_id is None else "")
            sealed_phone = seal_phone(person.phone)
            own.append(
                [
                    None,
                    order,
                    person.resident_id,
                    data.name,
                    id_type,
                    sealed_id.cipher,
                    sealed_id.index,
                    sealed_id.masked,
                    sealed_phone.cipher,
                    sealed_phone.index,
                    sealed_phone.masked,
                    data.temperature,
                    data.health_code,
                    data.travel_history,
                    data.action,
                    is_alert(data),
                ]
            )
    return rows


ENTRY_FIELDS = (
    "client_id",
    "checkpoint",
    "at",
    "direction",
    "plate",
    "vehicle_kind",
    "origin",
    "destination",
    "people",
    "alerts",
    "recorded_by",
    "device",
)


@dataclass(slots=True)
class _Stored:
    entry_id: int
    new: bool
    alerts: int


def _store(
    ready: list[_Planned],
    passenger_rows: dict[str, list[list[Any]]],
    sql: BatchSql,
    user_id: int | None,
    device_id: int | None,
) -> tuple[dict[str, _Stored], list[int], int]:
    """The write transaction: entries stored before answer as duplicates; the others are
    inserted (a concurrent upload of the same entry makes its insert a no-op, answered as
    a duplicate too), then their passengers."""
    if not ready:
        return {}, [], 0
    stored: dict[str, _Stored] = {
        sql.uuid_text(client): _Stored(pk, False, alerts)
        for pk, client, alerts in sql.select_in(
            CheckpointEntry,
            ("id", "client_id", "alerts"),
            "client_id",
            [sql.uuid(entry.data.client_id) for entry in ready],
        )
    }
    new = [entry for entry in ready if entry.data.client_id.hex not in stored]
    alerts_of = {
        entry.client_id: sum(1 for row in passenger_rows[entry.client_id] if row[-1])
        for entry in new
    }
    inserted = sql.insert(
        CheckpointEntry,
        ENTRY_FIELDS,
        [
            (
                sql.uuid(entry.data.client_id),
                entry.data.checkpoint_id,
                sql.time(entry.data.at),
                entry.data.direction,
                entry.plate,
                entry.data.vehicle_kind,
                entry.data.origin,
                entry.data.destination,
                len(entry.people),
                alerts_of[entry.client_id],
                user_id,
                device_id,
            )
            for entry in new
        ],
        ignore_conflicts=True,
        returning=("id", "client_id"),
    )
    ids = {sql.uuid_text(client): pk for pk, client in inserted}
    rows: list[list[Any]] = []
    alert_entries: list[int] = []
    people = 0
    for entry in new:
        hex_id = entry.data.client_id.hex
        pk = ids.get(hex_id)
        if pk is None:
            continue  # stored meanwhile by a concurrent upload: a duplicate (read below)
        stored[hex_id] = _Stored(pk, True, alerts_of[entry.client_id])
        if alerts_of[entry.client_id]:
            alert_entries.append(pk)
        for row in passenger_rows[entry.client_id]:
            row[0] = pk
            rows.append(row)
        people += len(entry.people)
    raced = [entry.data.client_id for entry in new if entry.data.client_id.hex not in ids]
    if raced:
        for pk, client, alerts in sql.select_in(
            CheckpointEntry,
            ("id", "client_id", "alerts"),
            "client_id",
            [sql.uuid(c) for c in raced],
        ):
            stored[sql.uuid_text(client)] = _Stored(pk, False, alerts)
    if rows:
        copy_rows(
            CheckpointPassenger,
            [column_name(name) for name in PASSENGER_COLUMNS],
            rows,
        )
    return stored, alert_entries, people


def column_name(name: str) -> str:
    return str(CheckpointPassenger._meta.get_field(name).column)  # type: ignore[union-attr]


def _answers(
    results: list[EntryResult | None],
    echoes: dict[int, int],
    ready: list[_Planned],
    stored: dict[str, _Stored],
) -> list[EntryResult]:
    for entry in ready:
        found = stored[entry.data.client_id.hex]
        results[entry.index] = EntryResult(
            entry.client_id,
            ACCEPTED if found.new else DUPLICATE,
            alerts=found.alerts,
            entry_id=found.entry_id,
        )
    answers: list[EntryResult] = []
    for index, result in enumerate(results):
        if result is None:
            first = results[echoes[index]]
            assert first is not None  # noqa: S101 - echoes point at earlier answered items
            result = EntryResult(
                first.client_id,
                DUPLICATE if first.status in (ACCEPTED, DUPLICATE) else first.status,
                first.reason_code,
                first.reason,
                first.field,
                first.alerts,
            )
        answers.append(result)
    return answers


def _common_path(paths: Sequence[str]) -> str:
    """The deepest area path every one of `paths` lies in (steps of the tree's 4 characters)."""
    if not paths:
        return ""
    first, last = min(paths), max(paths)
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[: length - length % Area.steplen]


def _audit(
    answers: list[EntryResult],
    people: int,
    alerts: int,
    paths: Sequence[str],
    device: DeviceToken | None,
    acting_user: Acting,
) -> None:
    counts = {status.value: 0 for status in ItemStatus}
    for answer in answers:
        counts[answer.status] += 1
    record(
        acting_user,
        AuditEvent.CHECKPOINT_BATCH,
        object_type="checkpoints.checkpointentry",
        area_path=_common_path(paths) or (device.area.path if device else ""),
        details={
            "items": len(answers),
            "accepted": counts[ACCEPTED],
            "duplicates": counts[DUPLICATE],
            "rejected": counts[REJECTED],
            "people": people,
            "alerts": alerts,
        },
    )


# --- alerts ------------------------------------------------------------------------------


def _alert_terms(passenger: CheckpointPassenger) -> tuple[str, str, str, str]:
    """(key person category, measure, incident kind, severity) of an alert: a red code is
    centralised quarantine; a fever or a yellow code home health monitoring."""
    if passenger.health_code == HealthCode.RED:
        return (
            Category.CHECKPOINT_CODE,
            Measure.CENTRALISED_QUARANTINE,
            IncidentKind.HEALTH_CODE,
            IncidentSeverity.HIGH,
        )
    if passenger.temperature >= fever_threshold():
        return (
            Category.CHECKPOINT_FEVER,
            Measure.HOME_MONITORING,
            IncidentKind.FEVER,
            IncidentSeverity.HIGH,
        )
    return (
        Category.CHECKPOINT_CODE,
        Measure.HOME_MONITORING,
        IncidentKind.HEALTH_CODE,
        IncidentSeverity.MEDIUM,
    )


def alert_key(passenger: CheckpointPassenger) -> str:
    """The key that makes an alert's key person and incident once-only."""
    return f"checkpoint:{passenger.entry.client_id}:{passenger.order}"


def raise_alerts(entry_ids: Sequence[int], *, now: dt.datetime | None = None) -> int:
    """Raise the alerts of these entries that are still to raise; how many were raised.

    Each in its own transaction: one that fails (logged by the caller, retried by the
    worker's sweep) does not undo the others.
    """
    now = now or timezone.now()
    pending = list(
        CheckpointPassenger.objects.filter(
            entry_id__in=list(entry_ids), alert=True, incident__isnull=True
        )
        .select_related("entry__checkpoint__area", "resident")
        .order_by("entry_id", "order")
    )
    raised = 0
    for passenger in pending:
        try:
            _raise_alert(passenger, now)
        except Exception:
            # The entry is stored; the worker's sweep tries again (no personal data logged).
            logger.exception("checkpoint alert of passenger %s not raised", passenger.pk)
            continue
        raised += 1
    return raised


@transaction.atomic
def _raise_alert(passenger: CheckpointPassenger, now: dt.datetime) -> None:
    entry = passenger.entry
    checkpoint = entry.checkpoint
    category, measure, kind, severity = _alert_terms(passenger)
    system = Actor(user=None, label=gettext("Checkpoint %(name)s") % {"name": checkpoint.name})
    person: NamedPerson | Resident
    if passenger.resident is not None:
        person = passenger.resident
    else:
        person = NamedPerson(
            name=passenger.name,
            id_type=passenger.id_type,
            id_number=passenger.reveal_id_number(),  # sealed again on the key person
            phone=passenger.reveal_phone(),
        )
    key = alert_key(passenger)
    key_person = place_under_measure(
        person,
        category=category,
        measure=measure,
        started_on=timezone.localdate(entry.at),
        area=None if passenger.resident is not None else checkpoint.area,
        source=KeyPersonSource.CHECKPOINT,
        source_key=key,
        acting_user=system,
    )
    colour = HealthCode(passenger.health_code).label
    description = gettext(
        "At checkpoint %(checkpoint)s at %(time)s: %(temperature)s °C, health code %(colour)s."
    ) % {
        "checkpoint": checkpoint.name,
        "time": timezone.localtime(entry.at).strftime("%H:%M"),
        "temperature": passenger.temperature,
        "colour": colour,
    }
    incident = raise_incident(
        kind,
        severity,
        key_person.area,
        place=checkpoint.name,
        description=description,
        source=IncidentSource.CHECKPOINT_ALERT,
        source_key=key,
        at=now,
        acting_user=system,
    )
    CheckpointPassenger.objects.filter(pk=passenger.pk).update(
        key_person=key_person, incident=incident
    )


def raise_pending_alerts(now: dt.datetime) -> int:
    """The worker's sweep (a drain): alerts a crash left between a batch's commit and its
    alerts. One read of a partial index that holds only such rows."""
    entry_ids = list(
        CheckpointPassenger.objects.filter(alert=True, incident__isnull=True)
        .values_list("entry_id", flat=True)
        .distinct()[:100]
    )
    if not entry_ids:
        return 0
    return raise_alerts(entry_ids, now=now)


# --- set-up and reveal -------------------------------------------------------------------


@transaction.atomic
def save_checkpoint(
    checkpoint: Checkpoint | None,
    *,
    area: Area,
    name: str,
    kind: str,
    active: bool = True,
    acting_user: Acting | None,
) -> Checkpoint:
    """Set up a checkpoint, or change one: MANAGE_CONTROL on its area (both, when it moves)."""
    areas = [area] if checkpoint is None else [area, checkpoint.area]
    require_in_scope(scope_holder(acting_user), Perm.MANAGE_CONTROL, areas)
    created = checkpoint is None
    target = checkpoint or Checkpoint()
    before = {
        "name": target.name,
        "kind": target.kind,
        "active": target.active,
        "area": target.area_id,
    }
    target.area, target.name, target.kind, target.active = area, name, kind, active
    target.full_clean()
    target.save()
    after = {
        "name": target.name,
        "kind": target.kind,
        "active": target.active,
        "area": target.area_id,
    }
    record(
        acting_user,
        AuditEvent.CHECKPOINT_CREATE if created else AuditEvent.CHECKPOINT_UPDATE,
        obj=target,
        area_path=area.path,
        details={"changed": sorted(key for key in after if created or before[key] != after[key])},
    )
    return target


def reveal_passenger(
    passenger: CheckpointPassenger, field_name: str, *, acting_user: Acting
) -> str:
    """A person checked's full ID number or phone as given at the checkpoint, for someone
    who may reveal personal data where the checkpoint is; always audited (never the value)."""
    checkpoint = passenger.entry.checkpoint
    require_in_scope(scope_holder(acting_user), Perm.REVEAL_PERSONAL, [checkpoint.area])
    value = passenger.reveal_id_number() if field_name == "id_number" else passenger.reveal_phone()
    record(
        acting_user,
        AuditEvent.CHECKPOINT_REVEAL,
        obj=passenger,
        area_path=checkpoint.area.path,
        details={"field": field_name},
    )
    return value
