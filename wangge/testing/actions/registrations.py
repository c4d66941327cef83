"""Station uploads: registrations into pooled tubes, walk-ins, sealing, home visits.

`register_batch` is the hot path of a round: at the start of a district's round every desk
uploads at once, and this is where the registration systems of Shanghai and Xi'an stalled
(shared/PERFORMANCE.md). A batch of up to 500 items costs a constant number of queries:
everything is resolved with `__in` lookups and written with bulk inserts, and the write
transaction holds only the rows it must (the tubes it fills) for as short a time as it can.

The rules it keeps (shared/DOMAIN.md, docs/api.md):
- idempotent by client id: a retried batch stores nothing twice and answers `duplicate`;
- one answer per item, never an exception for one bad item;
- a tube never holds more registrations than its capacity (its `filled` is raised under
  the tube row's lock) and seals itself when full;
- the same person is never twice in the same tube; a person already sampled in the round
  is accepted (a recall retest) and flagged `already_sampled`;
- the first registration of a resident in a round inserts its `RoundSample`;
- every object an item names is in the device's scope (docs/security.md, "Every write is
  scoped"): its round, its sampling point and door-to-door team (their area in the
  device's subtree or above it), and an existing tube (its area, where the station that
  opened it stood, in the device's subtree). Anything else is refused as not found. The
  person sampled is not: people are sampled where they are, and counted at home.
"""

import contextlib
import datetime as dt
import fcntl
import functools
import os
import threading
import uuid
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db import IntegrityError, OperationalError, connection, transaction
from django.db.models import Field, Model, Q
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from wangge.accounts import audit
from wangge.accounts.audit import Actor
from wangge.accounts.models import DeviceToken, User
from wangge.accounts.roles import Perm
from wangge.areas.models import Area
from wangge.core.api_input import BEFORE_ROUND, CLOCK_AHEAD, clock_skew, field_reason
from wangge.core.personal_data import id_number_lookups
from wangge.core.scoping import in_scope, overlapping, require_in_scope
from wangge.core.sql import column, table
from wangge.lib import idnumbers
from wangge.lib.idnumbers import IdType
from wangge.residents.actions import RegistryError, ResidentData
from wangge.residents.choices import HOME_VISIT_TAGS
from wangge.residents.models import Household, Resident
from wangge.testing.choices import RoundStatus, TubeStatus
from wangge.testing.errors import RoundError
from wangge.testing.expectation import ExpectationRules
from wangge.testing.models import (
    DoorToDoorTeam,
    Exemption,
    HomeVisit,
    Registration,
    Round,
    RoundSample,
    SamplingPoint,
    Tube,
    WalkIn,
)
from wangge.testing.schemas import (
    AsWalkIn,
    ByIdNumber,
    ByResidentCode,
    HomeVisitIn,
    InvalidItem,
    RegistrationIn,
)

Acting = User | Actor

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
_HOME_VISIT = int(HOME_VISIT_TAGS)  # a plain int: IntFlag arithmetic is slow in a hot loop

# What a station shows next to a refused item. Codes are stable (the station may act on
# them); the readable reasons are translated for the desk.
REASONS: dict[str, Promise] = {
    "invalid": _("The record does not have the expected form."),
    "unknown_round": _("There is no such round for this device."),
    "round_not_open": _("The round is not open for registration."),
    "unknown_person": _(
        "No resident has this code or ID number; register the person as a walk-in."
    ),
    "invalid_person": _("The person's details are not valid."),
    "id_number_mismatch": _(
        "The ID number does not belong to the person chosen: check who was sampled and "
        "register them again."
    ),
    "unknown_sampling_point": _("This sampling point does not belong to the round."),
    "unknown_tube": _("There is no such tube for this device."),
    "tube_other_round": _("This tube barcode is already used in another round."),
    "capacity_mismatch": _("The tube's capacity is not the one given."),
    "tube_full": _("The tube is full."),
    "tube_sealed": _("The tube is sealed."),
    "already_in_tube": _("This person is already in this tube."),
    "unknown_household": _("There is no such household for this device."),
    "unknown_team": _("This door-to-door team does not belong to the round."),
    "clock_ahead": CLOCK_AHEAD,
    "before_round": BEFORE_ROUND,
}


@functools.lru_cache(maxsize=256)
def _reason(code: str, language: str | None) -> str:
    """A reason in the request's language (cached: a batch of refusals is common)."""
    return str(REASONS[code])


# Writers that collide (two batches opening the same new tube, or the same client id in
# two batches at once) lose with an IntegrityError or, on PostgreSQL, a deadlock; the
# batch is then simply run again and finds the other's rows.
_ATTEMPTS = 4


@dataclass(slots=True)
class ItemResult:
    """The answer to one item of a batch, in the batch's order."""

    client_id: str | None
    status: str
    reason_code: str = ""
    reason: str = ""
    already_sampled: bool | None = None
    tube_filled: int | None = None
    tube_sealed: bool | None = None
    field: str = ""

    @classmethod
    def rejected(
        cls, client_id: str | None, code: str, detail: str = "", *, field: str = ""
    ) -> "ItemResult":
        reason = _reason(code, get_language())
        if detail:
            # Two sentences of one language: Chinese puts no space between them.
            reason = gettext("%(reason)s %(detail)s") % {"reason": reason, "detail": detail}
        return cls(client_id, REJECTED, code, reason, field=field)

    @classmethod
    def invalid(cls, item: InvalidItem) -> "ItemResult":
        """The answer to an item that does not have the documented form."""
        detail = field_reason(item.field, item.problem)
        return cls.rejected(item.client_id, "invalid", detail, field=item.field)

    def as_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "status": self.status,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "already_sampled": self.already_sampled,
            "tube_filled": self.tube_filled,
            "tube_sealed": self.tube_sealed,
            "field": self.field,
        }

    def as_batch_dict(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "status": self.status,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "field": self.field,
        }


@dataclass(slots=True)
class _NewWalkIn:
    """A walk-in to create if one of its items is accepted (sealed outside the transaction)."""

    client_id: uuid.UUID
    round_id: int
    instance: WalkIn
    used: bool = False


@dataclass(slots=True, frozen=True)
class _Person:
    """What a batch needs of a resident: read as plain rows, since building 500 model
    instances a batch was one of the largest costs of the hot path."""

    pk: int
    code: str
    grid_id: int
    status: str
    tags: int
    birth_year: int | None
    id_number_index: str | None


@dataclass(slots=True)
class _Item:
    """A valid item with its person resolved, waiting for its tube."""

    index: int
    data: RegistrationIn
    client_id: str
    # The client id and the time as the database stores them (prepared outside the lock).
    client_db: Any = None
    sampled_db: Any = None
    resident: _Person | None = None
    walk_in_id: int | None = None
    new_walk_in: _NewWalkIn | None = None
    # The RoundSample row a resident's first registration in the round inserts.
    sample_row: tuple[Any, ...] | None = None


@dataclass
class _Plan:
    """What the reads before the write transaction found."""

    results: list[ItemResult | None]
    items: list[_Item] = field(default_factory=list)
    # client id of an item repeated later in the batch -> index of its first occurrence
    echoes: dict[int, int] = field(default_factory=dict)
    rules: dict[int, ExpectationRules] = field(default_factory=dict)
    grid_paths: dict[int, str] = field(default_factory=dict)
    exempted: set[tuple[int, int]] = field(default_factory=set)
    # (round, resident) pairs sampled before this batch, read before its transaction: only
    # the `already_sampled` flag depends on it (the RoundSample insert ignores conflicts).
    sampled: set[tuple[int, int]] = field(default_factory=set)
    sampling_points: dict[int, int] = field(default_factory=dict)


@dataclass(slots=True)
class _Tube:
    """A tube's row as the batch reads and writes it (a model instance costs more)."""

    pk: int | None
    barcode: str
    round_id: int
    capacity: int
    filled: int
    status: str
    sealed_at: dt.datetime | None
    opened_at: dt.datetime | None = None
    area_id: int | None = None
    sampling_point_id: int | None = None


_TUBE_COLUMNS = (
    "id",
    "barcode",
    "round_id",
    "capacity",
    "filled",
    "status",
    "sealed_at",
    "opened_at",
    "area_id",
)


@dataclass(slots=True)
class _TubeState:
    tube: _Tube
    is_new: bool
    members: set[tuple[str, int]] = field(default_factory=set)
    changed: bool = False


def _person_key(item: _Item) -> tuple[str, int]:
    if item.resident is not None:
        return ("r", item.resident.pk)
    if item.walk_in_id is not None:
        return ("w", item.walk_in_id)
    assert item.new_walk_in is not None  # noqa: S101 - every planned item has a person
    return ("n", id(item.new_walk_in))


class _Sql:
    """The batch's large reads and writes as plain SQL, named by the models' metadata.

    The ORM prepares every value of an `__in` list and of a `bulk_create` row through its
    field, and builds a model instance per row: at 500 items a batch that was most of the
    hot path's time. Here values go to the driver as they are; the only ones that need the
    database's form are UUIDs (text on SQLite) and datetimes (UTC text on SQLite). A column
    an insert does not name gets its field's default, so a field added later is filled.

    SQLite takes `executemany` (one prepared statement). PostgreSQL takes one array per
    column (`= ANY(%s)`, `INSERT … SELECT … FROM unnest(…)`): the driver parses a
    statement's placeholders in Python, and 5,000 of them cost 40 ms a batch.
    """

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.sqlite = connection.vendor == "sqlite"
        self.native_uuid = connection.features.has_native_uuid_field
        self.quote = connection.ops.quote_name

    def uuid(self, value: uuid.UUID) -> Any:
        return value if self.native_uuid else value.hex

    def uuid_text(self, value: Any) -> str:
        """A stored client id as the 32 hex digits `uuid.UUID.hex` gives."""
        return value.hex if isinstance(value, uuid.UUID) else str(value).replace("-", "")

    def time(self, value: dt.datetime | None) -> Any:
        """Aware datetimes as Django stores them: as they are on PostgreSQL, naive UTC text
        on SQLite (what `adapt_datetimefield_value` does, five times faster)."""
        if value is None or not self.sqlite:
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    def _fields(self, model: type[Model]) -> dict[str, "Field[Any, Any]"]:
        return {field.name: field for field in model._meta.concrete_fields}

    def _array(self, field: "Field[Any, Any]") -> str:
        return f"%s::{field.cast_db_type(connection)}[]"

    def _in(self, model: type[Model], name: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        if self.sqlite:
            return f"{column(model, name)} IN ({', '.join(['%s'] * len(values))})", list(values)
        field = self._fields(model)[name]
        return f"{column(model, name)} = ANY({self._array(field)})", [_pg_array(values)]

    def select_in(
        self,
        model: type[Model],
        columns: Sequence[str],
        key: str,
        values: Sequence[Any],
        *,
        also: tuple[str, Sequence[Any]] | None = None,
    ) -> list[tuple[Any, ...]]:
        """Rows of `columns` whose `key` is one of `values` (and `also` column in its list)."""
        if not values:
            return []
        names = ", ".join(column(model, name) for name in columns)
        where, params = self._in(model, key, values)
        if also is not None:
            more, more_params = self._in(model, also[0], also[1])
            where, params = f"{where} AND {more}", params + more_params
        sql = f"SELECT {names} FROM {table(model)} WHERE {where}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows

    def insert(
        self,
        model: type[Model],
        fields: Sequence[str],
        rows: list[tuple[Any, ...]],
        *,
        ignore_conflicts: bool = False,
        returning: Sequence[str] = (),
    ) -> list[tuple[Any, ...]]:
        """Insert rows of `fields` values (times already in the database's form); the
        `returning` columns of the new rows, in no particular order."""
        if not rows:
            return []
        by_name = self._fields(model)
        rest = [
            field for name, field in by_name.items() if not field.primary_key and name not in fields
        ]
        named = [by_name[name] for name in fields]
        columns = ", ".join(self.quote(str(field.column)) for field in (*named, *rest))
        defaults = [self._default(field) for field in rest]
        head = f"INSERT INTO {table(model)} ({columns}) "  # noqa: S608
        tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        if returning:
            tail += " RETURNING " + ", ".join(column(model, name) for name in returning)
        with connection.cursor() as cursor:
            if not self.sqlite:
                arrays = [_pg_array(column) for column in zip(*rows, strict=True)]
                unnest = ", ".join(self._array(field) for field in named)
                extra = "".join(f", %s::{field.cast_db_type(connection)}" for field in rest)
                cursor.execute(
                    f"{head}SELECT u.*{extra} FROM unnest({unnest}) AS u{tail}",  # noqa: S608
                    [*defaults, *arrays],  # in the order of their placeholders
                )
                return cursor.fetchall() if returning else []
            group = "(" + ", ".join(["%s"] * (len(named) + len(rest))) + ")"
            values = [row + tuple(defaults) for row in rows]
            if not returning:
                cursor.executemany(f"{head}VALUES {group}{tail}", values)
                return []
            # RETURNING needs one statement per chunk, within SQLite's parameter limit.
            found: list[tuple[Any, ...]] = []
            per_statement = max(1, 999 // (len(named) + len(rest)))
            for start in range(0, len(values), per_statement):
                chunk = values[start : start + per_statement]
                cursor.execute(
                    f"{head}VALUES {', '.join([group] * len(chunk))}{tail}",
                    [value for row in chunk for value in row],
                )
                found.extend(cursor.fetchall())
            return found

    def _default(self, field: "Field[Any, Any]") -> Any:
        automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = self.now if automatic else field.get_default()
        return field.get_db_prep_save(value, connection)

    def update_tubes(self, tubes: list[_Tube]) -> None:
        """The filled tubes' new counts and states (their rows are locked by this batch)."""
        tubes_table = table(Tube)
        filled, status, sealed_at, pk = (
            column(Tube, name) for name in ("filled", "status", "sealed_at", "id")
        )
        rows = [(tube.filled, tube.status, self.time(tube.sealed_at), tube.pk) for tube in tubes]
        with connection.cursor() as cursor:
            if self.sqlite:
                cursor.executemany(
                    f"UPDATE {tubes_table} SET {filled} = %s, {status} = %s, {sealed_at} = %s "  # noqa: S608
                    f"WHERE {pk} = %s",
                    rows,
                )
                return
            fields = self._fields(Tube)
            arrays = ", ".join(
                self._array(fields[name]) for name in ("filled", "status", "sealed_at", "id")
            )
            cursor.execute(
                f"UPDATE {tubes_table} SET {filled} = v.filled, {status} = v.status, "  # noqa: S608
                f"{sealed_at} = v.sealed_at FROM unnest({arrays}) "
                f"AS v(filled, status, sealed_at, id) WHERE {tubes_table}.{pk} = v.id",
                [_pg_array(column) for column in zip(*rows, strict=True)],
            )


def _pg_array(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal ('{1,2,NULL}') of ints, booleans, UUIDs, datetimes and
    strings, passed as one text parameter: the driver's own list adaptation quotes every
    element through a regular expression (about 10 ms a batch). Strings are double-quoted
    with backslash escapes, the array syntax's own quoting; the literal itself is then an
    ordinary bound parameter."""
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        elif isinstance(value, bool):
            parts.append("t" if value else "f")
        elif isinstance(value, int | uuid.UUID):
            parts.append(str(value))
        elif isinstance(value, dt.datetime):
            parts.append(value.isoformat())
        else:
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{text}"')
    return "{" + ",".join(parts) + "}"


def _plan(items: Sequence[RegistrationIn | InvalidItem], device: DeviceToken, sql: _Sql) -> _Plan:
    """Validate what the schema cannot, and resolve rounds, people and sampling points.

    Reads only, outside the write transaction: on SQLite (one writer at a time) another
    batch writes while this one resolves its people.
    """
    plan = _Plan(results=[None] * len(items))
    first_seen: dict[str, int] = {}
    valid: list[tuple[int, RegistrationIn, str]] = []
    for index, item in enumerate(items):
        if isinstance(item, InvalidItem):
            plan.results[index] = ItemResult.invalid(item)
            continue
        client_id = str(item.client_id)
        if client_id in first_seen:
            plan.echoes[index] = first_seen[client_id]
            continue
        first_seen[client_id] = index
        valid.append((index, item, client_id))
    if not valid:
        return plan

    round_ids = {item.round_id for _, item, _ in valid}
    rounds = {
        round_.pk: round_
        for round_ in Round.objects.visible_to(device, Perm.REGISTER_SAMPLES).filter(
            pk__in=round_ids
        )
    }
    open_rounds = {pk for pk, round_ in rounds.items() if round_.status == RoundStatus.OPEN}
    plan.rules = {pk: ExpectationRules.for_round(rounds[pk]) for pk in open_rounds}
    earliest = {pk: earliest_time(rounds[pk]) for pk in open_rounds}
    latest = sql.now + clock_skew()

    codes: set[str] = set()
    index_values: dict[str, tuple[str, str]] = {}
    # item index -> the ID number scanned beside a resident code (checked to be theirs)
    scanned: dict[int, tuple[str, str]] = {}
    walk_in_ids: set[uuid.UUID] = set()
    prepared: list[tuple[int, RegistrationIn, str, Any, dt.datetime]] = []
    normalise = idnumbers.normalise
    for index, item, client_id in valid:
        if item.round_id not in open_rounds:
            code = "round_not_open" if item.round_id in rounds else "unknown_round"
            plan.results[index] = ItemResult.rejected(client_id, code)
            continue
        # In UTC once: comparing times of two different zones costs a conversion each.
        sampled_at = item.sampled_at.astimezone(dt.UTC)
        if sampled_at > latest:
            plan.results[index] = ItemResult.rejected(client_id, "clock_ahead", field="sampled_at")
            continue
        if sampled_at < earliest[item.round_id]:
            plan.results[index] = ItemResult.rejected(client_id, "before_round", field="sampled_at")
            continue
        person = item.person
        if isinstance(person, ByResidentCode):
            raw = person.resident_code
            key: Any = raw if raw.isalnum() and raw.isupper() and raw.isascii() else normalise(raw)
            codes.add(key)
            if person.id_number:
                id_type = person.id_type or IdType.RESIDENT_CARD
                try:
                    number = idnumbers.validate(IdType(id_type), person.id_number)
                except idnumbers.IdNumberError as exc:
                    plan.results[index] = ItemResult.rejected(client_id, "invalid_person", str(exc))
                    continue
                if number:
                    scanned[index] = (id_type, number)
                    for value in id_number_lookups(id_type, number):
                        index_values[value] = scanned[index]
        elif isinstance(person, ByIdNumber):
            try:
                number = idnumbers.validate(IdType(person.id_type), person.id_number)
            except idnumbers.IdNumberError as exc:
                plan.results[index] = ItemResult.rejected(client_id, "invalid_person", str(exc))
                continue
            if not number:
                plan.results[index] = ItemResult.rejected(client_id, "unknown_person")
                continue
            key = (person.id_type, number)
            for value in id_number_lookups(person.id_type, number):
                index_values[value] = key
        else:
            walk_in = person.walk_in
            try:
                data = ResidentData.clean(
                    name=walk_in.name,
                    id_type=walk_in.id_type,
                    id_number=walk_in.id_number,
                    phone=walk_in.phone,
                )
            except RegistryError as exc:
                plan.results[index] = ItemResult.rejected(client_id, "invalid_person", str(exc))
                continue
            number_key = (data.id_type, data.id_number) if data.id_number else None
            if number_key is not None:
                for value in id_number_lookups(data.id_type, data.id_number):
                    index_values[value] = number_key
            walk_in_ids.add(walk_in.client_id)
            key = (number_key, data)
        prepared.append((index, item, client_id, key, sampled_at))

    residents_by_code: dict[str, _Person] = {}
    residents_by_number: dict[tuple[str, str], _Person] = {}
    columns = ("id", "code", "grid", "status", "tags", "birth_year", "id_number_index")
    rows = sql.select_in(Resident, columns, "code", sorted(codes))
    rows += sql.select_in(Resident, columns, "id_number_index", sorted(index_values))
    for pk, code, grid_id, status, tags, birth_year, index_value in rows:
        resident = _Person(pk, code, grid_id, status, tags, birth_year, index_value)
        residents_by_code[code] = resident
        if index_value in index_values:
            residents_by_number[index_values[index_value]] = resident

    walk_ins_by_client: dict[uuid.UUID, int] = {}
    walk_ins_by_number: dict[tuple[int, tuple[str, str]], int] = {}
    if walk_in_ids:
        for pk, client, round_id, index_value in WalkIn.objects.filter(
            Q(client_id__in=walk_in_ids)
            | Q(round_id__in=open_rounds, id_number_index__in=list(index_values))
        ).values_list("pk", "client_id", "round_id", "id_number_index"):
            walk_ins_by_client[client] = pk
            if index_value in index_values:
                walk_ins_by_number[(round_id, index_values[index_value])] = pk

    new_walk_ins: dict[uuid.UUID, _NewWalkIn] = {}
    for index, item, client_id, key, sampled_at in prepared:
        planned = _Item(index, item, client_id, sql.uuid(item.client_id), sql.time(sampled_at))
        person = item.person
        if isinstance(person, ByResidentCode):
            planned.resident = residents_by_code.get(key)
            if planned.resident is not None and index in scanned:
                owner = residents_by_number.get(scanned[index])
                chosen = planned.resident
                # Whoever the number names must be the person chosen; a number nobody has
                # fits only a person with no number on record.
                if (owner is None and chosen.id_number_index) or (owner and owner.pk != chosen.pk):
                    plan.results[index] = ItemResult.rejected(client_id, "id_number_mismatch")
                    continue
        elif isinstance(person, ByIdNumber):
            planned.resident = residents_by_number.get(key)
        else:
            number_key, data = key
            if number_key is not None:
                planned.resident = residents_by_number.get(number_key)
            if planned.resident is None:
                planned.walk_in_id = _known_walk_in(
                    person, item.round_id, number_key, walk_ins_by_client, walk_ins_by_number
                )
                if planned.walk_in_id is None:
                    planned.new_walk_in = new_walk_ins.get(person.walk_in.client_id)
                    if planned.new_walk_in is None:
                        planned.new_walk_in = _new_walk_in(person, data, item.round_id, device)
                        new_walk_ins[person.walk_in.client_id] = planned.new_walk_in
        if planned.resident is None and planned.walk_in_id is None and not planned.new_walk_in:
            plan.results[index] = ItemResult.rejected(client_id, "unknown_person")
            continue
        plan.items.append(planned)

    point_ids = {p.data.sampling_point_id for p in plan.items if p.data.sampling_point_id}
    if point_ids:
        # A point of another grid is "unknown" to this device, like one of another round.
        plan.sampling_points = dict(
            SamplingPoint.objects.filter(
                overlapping(device.scope_paths(Perm.REGISTER_SAMPLES) or [], "area__path"),
                pk__in=point_ids,
            ).values_list("pk", "round_id")
        )
    residents = {p.resident.pk: p.resident for p in plan.items if p.resident is not None}
    if residents:
        grid_ids = sorted({r.grid_id for r in residents.values()})
        plan.grid_paths = dict(sql.select_in(Area, ("id", "path"), "id", grid_ids))
        resident_ids = sorted(residents)
        round_ids_open = sorted(open_rounds)
        plan.exempted = {
            (round_id, resident_id)
            for resident_id, round_id in sql.select_in(
                Exemption,
                ("resident", "round"),
                "resident",
                resident_ids,
                also=("round", round_ids_open),
            )
        }
        plan.sampled = {
            (round_id, resident_id)
            for resident_id, round_id in sql.select_in(
                RoundSample,
                ("resident", "round"),
                "resident",
                resident_ids,
                also=("round", round_ids_open),
            )
        }
        # Who counts is decided here, outside the write transaction (on SQLite, the lock).
        for planned in plan.items:
            first = planned.resident
            if first is None:
                continue
            round_id = planned.data.round_id
            if (round_id, first.pk) in plan.sampled:
                continue
            planned.sample_row = (
                round_id,
                first.pk,
                first.grid_id,
                # `expects` reads a resident's status, tags and birth year: _Person has them.
                plan.rules[round_id].expects(
                    cast(Resident, first),
                    plan.grid_paths[first.grid_id],
                    exempted=(round_id, first.pk) in plan.exempted,
                ),
                bool(first.tags & _HOME_VISIT),
                planned.sampled_db,
            )
    return plan


def earliest_time(round_: Round) -> dt.datetime:
    """The earliest time an item of this round may give: its planned start (or its
    creation, for a round opened early), less the clock skew a device may have."""
    return min(round_.starts_at, round_.created_at) - clock_skew()


def _known_walk_in(
    person: AsWalkIn,
    round_id: int,
    number_key: tuple[str, str] | None,
    by_client: dict[uuid.UUID, int],
    by_number: dict[tuple[int, tuple[str, str]], int],
) -> int | None:
    """The walk-in this person already is: same client id, or same document in the round
    (a visitor who comes back for a recall retest is one person)."""
    known = by_client.get(person.walk_in.client_id)
    if known is None and number_key is not None:
        known = by_number.get((round_id, number_key))
    return known


def _new_walk_in(
    person: AsWalkIn, data: ResidentData, round_id: int, device: DeviceToken
) -> _NewWalkIn:
    walk_in = WalkIn(
        client_id=person.walk_in.client_id,
        round_id=round_id,
        area_id=device.area_id,
        name=data.name,
        address=person.walk_in.address,
    )
    walk_in.set_id_number(data.id_type, data.id_number)
    walk_in.set_phone(data.phone)
    return _NewWalkIn(person.walk_in.client_id, round_id, walk_in)


@dataclass
class _Outcome:
    """What a batch wrote, for its answers and its audit entry."""

    results: list[ItemResult | None]
    round_ids: set[int] = field(default_factory=set)
    tubes_opened: int = 0
    tubes_sealed: int = 0
    walk_ins: int = 0
    people_first_sampled: int = 0


def _store(plan: _Plan, device: DeviceToken, sql: _Sql) -> _Outcome:
    """The write transaction: lock the tubes, decide each item, insert everything in bulk."""
    outcome = _Outcome(results=list(plan.results))
    results = outcome.results
    if not plan.items:
        return outcome
    items = plan.items
    now = sql.now

    barcodes = sorted({item.data.tube_barcode for item in items})
    # Locked in barcode order, so two batches filling the same tubes cannot deadlock.
    tubes: dict[str, _TubeState] = {
        row[1]: _TubeState(_Tube(*row), is_new=False)
        for row in Tube.objects.select_for_update()
        .filter(barcode__in=barcodes)
        .order_by("barcode")
        .values_list(*_TUBE_COLUMNS)
    }
    by_id = {state.tube.pk: state for state in tubes.values()}
    foreign = _foreign_tube_areas(tubes.values(), device, sql)
    stored: dict[str, int] = {
        sql.uuid_text(client_id): tube_id
        for client_id, tube_id in sql.select_in(
            Registration,
            ("client_id", "tube"),
            "client_id",
            [item.client_db for item in items],
        )
    }
    if stored:
        # A duplicate answers with its tube as it is (after this batch, if this batch fills it).
        for row in Tube.objects.filter(pk__in=set(stored.values()) - set(by_id)).values_list(
            *_TUBE_COLUMNS
        ):
            by_id[row[0]] = _TubeState(_Tube(*row), is_new=False)
    partly_filled = [state.tube.pk for state in tubes.values() if state.tube.filled]
    for tube_id, resident_id, walk_in_id in sql.select_in(
        Registration, ("tube", "resident", "walk_in"), "tube", partly_filled
    ):
        by_id[tube_id].members.add(
            ("r", resident_id) if resident_id is not None else ("w", walk_in_id)
        )
    sampled = set(plan.sampled)
    walk_ins_sampled: set[int] = {
        row[0]
        for row in sql.select_in(
            Registration,
            ("walk_in",),
            "walk_in",
            sorted({item.walk_in_id for item in items if item.walk_in_id is not None}),
        )
    }

    accepted: list[tuple[_Item, _TubeState]] = []
    new_samples: dict[tuple[int, int], tuple[Any, ...]] = {}
    duplicates: list[tuple[ItemResult, int]] = []
    open_, sealed = TubeStatus.OPEN, TubeStatus.SEALED
    for item in items:
        data = item.data
        tube_id = stored.get(data.client_id.hex)
        if tube_id is not None:
            result = ItemResult(item.client_id, DUPLICATE)
            results[item.index] = result
            duplicates.append((result, tube_id))
            continue
        point = data.sampling_point_id
        if point is not None and plan.sampling_points.get(point) != data.round_id:
            results[item.index] = ItemResult.rejected(item.client_id, "unknown_sampling_point")
            continue
        state = tubes.get(data.tube_barcode)
        if state is None:
            state = tubes[data.tube_barcode] = _TubeState(
                _Tube(
                    None,
                    data.tube_barcode,
                    data.round_id,
                    data.tube_capacity,
                    0,
                    open_,
                    None,
                    opened_at=data.sampled_at,
                    area_id=device.area_id,
                    sampling_point_id=point,
                ),
                is_new=True,
            )
        tube = state.tube
        refusal = ""
        person = _person_key(item)
        if tube.area_id in foreign and not state.is_new:
            refusal = "unknown_tube"  # first: nothing else of another area's tube is told
        elif tube.round_id != data.round_id:
            refusal = "tube_other_round"
        elif tube.capacity != data.tube_capacity:
            refusal = "capacity_mismatch"
        elif tube.filled >= tube.capacity:
            refusal = "tube_full"
        elif tube.status != open_:
            refusal = "tube_sealed"
        elif person in state.members:
            refusal = "already_in_tube"
        if refusal:
            results[item.index] = ItemResult.rejected(item.client_id, refusal)
            continue
        state.members.add(person)
        tube.filled += 1
        state.changed = True
        if tube.filled >= tube.capacity:
            tube.status = sealed
            tube.sealed_at = now
            outcome.tubes_sealed += 1
        resident = item.resident
        if resident is not None:
            pair = (data.round_id, resident.pk)
            already = pair in sampled
            if not already and item.sample_row is not None:
                sampled.add(pair)
                new_samples[pair] = item.sample_row
        elif item.walk_in_id is not None:
            already = item.walk_in_id in walk_ins_sampled
            walk_ins_sampled.add(item.walk_in_id)
        else:
            new = item.new_walk_in
            assert new is not None  # noqa: S101
            already, new.used = new.used, True
        outcome.round_ids.add(data.round_id)
        results[item.index] = ItemResult(
            item.client_id,
            ACCEPTED,
            already_sampled=already,
            tube_filled=tube.filled,
            tube_sealed=tube.status != open_,
        )
        accepted.append((item, state))

    for result, tube_id in duplicates:
        if tube_id in by_id:
            result.tube_filled = by_id[tube_id].tube.filled
            result.tube_sealed = by_id[tube_id].tube.status != open_
    if not accepted:
        return outcome
    # New barcodes in order too: two batches opening the same new tubes wait, not deadlock.
    new_tubes = sorted(
        (state.tube for state in tubes.values() if state.is_new and state.changed),
        key=lambda tube: tube.barcode,
    )
    if new_tubes:
        ids = dict(
            (barcode, pk)
            for pk, barcode in sql.insert(
                Tube,
                (
                    "barcode",
                    "round",
                    "capacity",
                    "filled",
                    "status",
                    "area",
                    "sampling_point",
                    "opened_at",
                    "sealed_at",
                ),
                [
                    (
                        t.barcode,
                        t.round_id,
                        t.capacity,
                        t.filled,
                        t.status,
                        t.area_id,
                        t.sampling_point_id,
                        sql.time(t.opened_at),
                        sql.time(t.sealed_at),
                    )
                    for t in new_tubes
                ],
                returning=("id", "barcode"),
            )
        )
        for tube in new_tubes:
            tube.pk = ids[tube.barcode]
        outcome.tubes_opened = len(new_tubes)
    walk_ins = {
        id(item.new_walk_in): item.new_walk_in
        for item, _state in accepted
        if item.new_walk_in is not None
    }
    if walk_ins:
        created = WalkIn.objects.bulk_create([new.instance for new in walk_ins.values()])
        outcome.walk_ins = len(created)
    user_id, device_id, received = device.user_id, device.pk, sql.time(now)
    sql.insert(
        Registration,
        (
            "client_id",
            "round",
            "tube",
            "resident",
            "walk_in",
            "mode",
            "device",
            "registered_by",
            "sampled_at",
            "received_at",
        ),
        [
            (
                item.client_db,
                item.data.round_id,
                state.tube.pk,
                item.resident.pk if item.resident is not None else None,
                item.walk_in_id if item.new_walk_in is None else item.new_walk_in.instance.pk,
                item.data.mode,
                device_id,
                user_id,
                item.sampled_db,
                received,
            )
            for item, state in accepted
        ],
    )
    if new_samples:
        sql.insert(
            RoundSample,
            ("round", "resident", "grid", "counted", "home_visit", "first_sampled_at"),
            list(new_samples.values()),
            ignore_conflicts=True,
        )
        outcome.people_first_sampled = len(new_samples)
    changed = [state.tube for state in tubes.values() if state.changed and not state.is_new]
    if changed:
        sql.update_tubes(changed)
    return outcome


def _foreign_tube_areas(states: Iterable[_TubeState], device: DeviceToken, sql: _Sql) -> set[int]:
    """The areas of these tubes that lie outside the device's subtree.

    Read under the tubes' lock, not while planning: a tube another station opens in the
    meantime is checked too.
    """
    area_ids = sorted({state.tube.area_id for state in states if state.tube.area_id})
    paths = device.scope_paths(Perm.REGISTER_SAMPLES)
    return {
        area_id
        for area_id, path in sql.select_in(Area, ("id", "path"), "id", area_ids)
        if not in_scope(paths, path)
    }


def register_batch(
    items: Sequence[RegistrationIn | InvalidItem],
    *,
    device: DeviceToken,
    acting_user: Acting,
) -> list[ItemResult]:
    """Store a station's batch of registrations; one answer per item, in order.

    Its one audit entry (counts only) is written where it costs concurrent batches least.
    On PostgreSQL, after the batch commits, in its own short transaction: the audit chain's
    head row is locked by every append, so appending inside the batch's transaction would
    make every concurrent batch wait for the slowest one to commit (the price: a crash
    between the two commits leaves a stored batch without its entry; the station, which
    got no answer, uploads again, and the retry records an entry for the duplicates). On
    SQLite, inside the batch's transaction: writers take turns there anyway, and a second
    write transaction would be a second turn.
    """
    sql = _Sql(timezone.now())
    plan = _plan(items, device, sql)
    inline_audit = sql.sqlite
    for attempt in range(_ATTEMPTS):
        try:
            with _writer_turn(), transaction.atomic():
                outcome = _store(plan, device, sql)
                results = _answers(outcome, plan)
                if inline_audit and results:
                    _audit_batch(results, outcome, device, acting_user)
            break
        except (IntegrityError, OperationalError):
            if attempt == _ATTEMPTS - 1:
                raise
            _reset_plan(plan)
    if not inline_audit and results:
        _audit_batch(results, outcome, device, acting_user)  # its own short transaction
    return results


def _answers(outcome: _Outcome, plan: _Plan) -> list[ItemResult]:
    """Every item's answer; an item repeating an earlier client id answers like it."""
    results: list[ItemResult] = []
    for index, result in enumerate(outcome.results):
        if result is None:
            first = outcome.results[plan.echoes[index]]
            assert first is not None  # noqa: S101 - echoes point at earlier answered items
            result = ItemResult(
                first.client_id,
                DUPLICATE if first.status in (ACCEPTED, DUPLICATE) else first.status,
                first.reason_code,
                first.reason,
                None,
                first.tube_filled,
                first.tube_sealed,
                first.field,
            )
        results.append(result)
    return results


_turns = threading.Lock()
_turn_files: dict[str, int] = {}


@contextlib.contextmanager
def _writer_turn() -> Iterator[None]:
    """On a SQLite file, wait for this process's turn to write on a file lock first.

    SQLite lets one writer in at a time and makes the others poll: its busy handler
    sleeps 1, 2, 5 … up to 100 ms between tries, so a worker that writes batch after
    batch starves the others (measured: waits of 600 ms behind 30 ms transactions).
    A kernel file lock wakes the next writer the moment the lock is released. Writers
    that do not take it (other actions) still meet SQLite's own lock as before.
    """
    name = str(connection.settings_dict["NAME"])
    if (
        connection.vendor != "sqlite"
        or connection.in_atomic_block
        or name == ":memory:"
        or "mode=memory" in name
    ):
        yield
        return
    with _turns:
        if name not in _turn_files:
            _turn_files[name] = os.open(f"{name}.writers", os.O_RDWR | os.O_CREAT, 0o600)
        descriptor = _turn_files[name]
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(descriptor, fcntl.LOCK_UN)


def _reset_plan(plan: _Plan) -> None:
    """Forget what a failed attempt decided, so that the next one starts afresh."""
    for item in plan.items:
        if item.new_walk_in is not None:
            item.new_walk_in.used = False
            item.new_walk_in.instance.pk = None
            item.new_walk_in.instance._state.adding = True


def _audit_batch(
    results: list[ItemResult], outcome: _Outcome, device: DeviceToken, acting_user: Acting
) -> None:
    statuses = Counter(result.status for result in results)
    reasons = Counter(result.reason_code for result in results if result.reason_code)
    rounds = sorted(outcome.round_ids)
    audit.record(
        acting_user,
        "registration.batch",
        object_type="testing.round" if len(rounds) == 1 else "",
        object_id=str(rounds[0]) if len(rounds) == 1 else "",
        area_path=device.area.path,
        details={
            "device": device.pk,
            "rounds": rounds,
            "items": len(results),
            "accepted": statuses[ACCEPTED],
            "duplicate": statuses[DUPLICATE],
            "rejected": statuses[REJECTED],
            "reasons": dict(reasons),
            "tubes_opened": outcome.tubes_opened,
            "tubes_sealed": outcome.tubes_sealed,
            "walk_ins": outcome.walk_ins,
            "first_sampled": outcome.people_first_sampled,
        },
    )


@transaction.atomic
def seal_tube(tube: Tube, *, acting_user: Acting) -> Tube:
    """Seal a tube before it is full (the desk closes it); sealing twice changes nothing."""
    locked: Tube = (
        Tube.objects.select_for_update(of=("self",)).select_related("area").get(pk=tube.pk)
    )
    require_in_scope(audit.scope_holder(acting_user), Perm.REGISTER_SAMPLES, [locked.area])
    if locked.status == TubeStatus.OPEN:
        if locked.filled == 0:
            raise RoundError("an empty tube cannot be sealed")
        locked.status = TubeStatus.SEALED
        locked.sealed_at = timezone.now()
        locked.save(update_fields=["status", "sealed_at"])
        audit.record(
            acting_user,
            "tube.seal",
            obj=locked,
            area_path=locked.area.path,
            details={"barcode": locked.barcode, "filled": locked.filled},
        )
    return locked


def record_home_visits(
    items: Sequence[HomeVisitIn | InvalidItem],
    *,
    device: DeviceToken,
    acting_user: Acting,
) -> list[ItemResult]:
    """Store a door-to-door team's visit outcomes; idempotent by client id, one answer each."""
    results: list[ItemResult | None] = [None] * len(items)
    valid: list[tuple[int, HomeVisitIn]] = []
    seen: dict[str, int] = {}
    echoes: dict[int, int] = {}
    for index, item in enumerate(items):
        if isinstance(item, InvalidItem):
            results[index] = ItemResult.invalid(item)
        elif str(item.client_id) in seen:
            echoes[index] = seen[str(item.client_id)]
        else:
            seen[str(item.client_id)] = index
            valid.append((index, item))
    rounds = {
        round_.pk: round_
        for round_ in Round.objects.visible_to(device, Perm.REGISTER_SAMPLES)
        .filter(pk__in={item.round_id for _, item in valid})
        .only("status", "starts_at", "created_at")
    }
    households = set(
        Household.objects.visible_to(device, Perm.REGISTER_SAMPLES)
        .filter(pk__in={item.household_id for _, item in valid})
        .values_list("pk", flat=True)
    )
    team_ids = {item.team_id for _, item in valid if item.team_id is not None}
    # A team of another grid is "unknown" to this device, like one of another round.
    teams = dict(
        DoorToDoorTeam.objects.filter(
            overlapping(device.scope_paths(Perm.REGISTER_SAMPLES) or [], "area__path"),
            pk__in=team_ids,
        ).values_list("pk", "round_id")
        if team_ids
        else []
    )
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    latest = timezone.now() + clock_skew()
    created = 0
    for attempt in range(_ATTEMPTS):
        try:
            with transaction.atomic():
                stored = {
                    str(client_id)
                    for client_id in HomeVisit.objects.filter(
                        client_id__in=[item.client_id for _, item in valid]
                    ).values_list("client_id", flat=True)
                }
                visits: list[HomeVisit] = []
                for index, item in valid:
                    client_id = str(item.client_id)
                    code = field = ""
                    if client_id in stored:
                        results[index] = ItemResult(client_id, DUPLICATE)
                        continue
                    round_ = rounds.get(item.round_id)
                    if round_ is None:
                        code = "unknown_round"
                    elif round_.status != RoundStatus.OPEN:
                        code = "round_not_open"
                    elif item.visited_at > latest:
                        code, field = "clock_ahead", "visited_at"
                    elif item.visited_at < earliest_time(round_):
                        code, field = "before_round", "visited_at"
                    elif item.household_id not in households:
                        code = "unknown_household"
                    elif item.team_id is not None and teams.get(item.team_id) != item.round_id:
                        code = "unknown_team"
                    if code:
                        results[index] = ItemResult.rejected(client_id, code, field=field)
                        continue
                    results[index] = ItemResult(client_id, ACCEPTED)
                    visits.append(
                        HomeVisit(
                            client_id=item.client_id,
                            round_id=item.round_id,
                            household_id=item.household_id,
                            team_id=item.team_id,
                            outcome=item.outcome,
                            note=item.note,
                            visited_at=item.visited_at,
                            recorded_by=user,
                        )
                    )
                HomeVisit.objects.bulk_create(visits)
                created = len(visits)
            break
        except (IntegrityError, OperationalError):
            if attempt == _ATTEMPTS - 1:
                raise
    answers: list[ItemResult] = []
    for index, result in enumerate(results):
        if result is None:
            first = results[echoes[index]]
            assert first is not None  # noqa: S101
            result = ItemResult(
                first.client_id,
                DUPLICATE if first.status in (ACCEPTED, DUPLICATE) else first.status,
                first.reason_code,
                first.reason,
                field=first.field,
            )
        answers.append(result)
    if answers:
        statuses = Counter(answer.status for answer in answers)
        with transaction.atomic():
            audit.record(
                acting_user,
                "home_visit.batch",
                area_path=device.area.path,
                details={
                    "device": device.pk,
                    "items": len(answers),
                    "accepted": statuses[ACCEPTED],
                    "duplicate": statuses[DUPLICATE],
                    "rejected": statuses[REJECTED],
                    "created": created,
                },
            )
    return answers
