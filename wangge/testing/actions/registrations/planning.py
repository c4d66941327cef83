"""Before the write transaction: validate a batch, resolve rounds, people and sampling
points, and decide what each item needs."""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.db.models import Q

from wangge.accounts.models import DeviceToken
from wangge.areas.models import Area
from wangge.core.api_input import clock_skew
from wangge.core.bulk import BatchSql
from wangge.core.permissions import Perm
from wangge.core.personal_data import id_number_lookups
from wangge.core.scoping import ancestor_paths, overlapping
from wangge.lib import idnumbers
from wangge.lib.idnumbers import IdType
from wangge.residents.actions import RegistryError, ResidentData
from wangge.residents.choices import HOME_VISIT_TAGS
from wangge.residents.models import Resident
from wangge.testing.actions.registrations.answers import ItemResult
from wangge.testing.choices import RoundStatus
from wangge.testing.expectation import ExpectationRules
from wangge.testing.models import (
    DoorToDoorTeam,
    Exemption,
    Round,
    RoundScope,
    SamplingPoint,
    WalkIn,
)
from wangge.testing.station_items import (
    CODE,
    NUMBER,
    FastPerson,
    FastRegistration,
    FastWalkIn,
    InvalidItem,
    RegistrationIn,
    as_fast,
    person_kind,
)

_HOME_VISIT = int(HOME_VISIT_TAGS)  # a plain int: IntFlag arithmetic is slow in a hot loop


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
class PlannedItem:
    """A valid item with its person resolved, waiting for its tube."""

    index: int
    data: FastRegistration
    client_id: str
    # The client id and the time as the database stores them (prepared outside the lock),
    # and the client id as the 32 hex digits a stored one is compared by.
    client_db: Any = None
    sampled_db: Any = None
    client_hex: str = ""
    resident: _Person | None = None
    walk_in_id: int | None = None
    new_walk_in: _NewWalkIn | None = None
    # The RoundSample row a resident's registration inserts if it is their first in the round.
    sample_row: tuple[Any, ...] | None = None


@dataclass
class Plan:
    """What the reads before the write transaction found."""

    results: list[ItemResult | None]
    items: list[PlannedItem] = field(default_factory=list)
    # client id of an item repeated later in the batch -> index of its first occurrence
    echoes: dict[int, int] = field(default_factory=dict)
    rules: dict[int, ExpectationRules] = field(default_factory=dict)
    grid_paths: dict[int, str] = field(default_factory=dict)
    exempted: set[tuple[int, int]] = field(default_factory=set)
    sampling_points: dict[int, int] = field(default_factory=dict)
    door_teams: dict[int, int] = field(default_factory=dict)
    # (mode, point, team, round) -> place_code's verdict: a batch names a handful of places.
    places: dict[tuple[str, int | None, int | None, int], tuple[str, str] | None] = field(
        default_factory=dict
    )


def person_key(item: PlannedItem) -> tuple[str, int]:
    if item.resident is not None:
        return ("r", item.resident.pk)
    if item.walk_in_id is not None:
        return ("w", item.walk_in_id)
    assert item.new_walk_in is not None  # noqa: S101 - every planned item has a person
    return ("n", id(item.new_walk_in))


def plan_batch(
    items: Sequence[FastRegistration | RegistrationIn | InvalidItem],
    device: DeviceToken,
    sql: BatchSql,
) -> Plan:
    """Validate what the schema cannot, and resolve rounds, people and sampling points.

    Reads only, outside the write transaction: on SQLite (one writer at a time) another
    batch writes while this one resolves its people.
    """
    plan = Plan(results=[None] * len(items))
    first_seen: dict[str, int] = {}
    valid: list[tuple[int, FastRegistration, str]] = []
    for index, item in enumerate(items):
        if isinstance(item, InvalidItem):
            plan.results[index] = ItemResult.invalid(item)
            continue
        if isinstance(item, RegistrationIn):  # validated by the pydantic model
            item = as_fast(item)
        client_id = str(item.client_id)
        if client_id in first_seen:
            plan.echoes[index] = first_seen[client_id]
            continue
        first_seen[client_id] = index
        valid.append((index, item, client_id))
    if not valid:
        return plan

    rounds, round_scopes = _visible_rounds(device, {item.round_id for _, item, _ in valid})
    open_rounds = {pk for pk, round_ in rounds.items() if round_.status == RoundStatus.OPEN}
    plan.rules = {
        pk: ExpectationRules.for_round(rounds[pk], round_scopes[pk]) for pk in open_rounds
    }
    earliest = {pk: earliest_time(rounds[pk]) for pk in open_rounds}
    latest = sql.now + clock_skew()

    codes: set[str] = set()
    index_values: dict[str, tuple[str, str]] = {}
    # item index -> the ID number scanned beside a resident code (checked to be theirs)
    scanned: dict[int, tuple[str, str]] = {}
    walk_in_ids: set[uuid.UUID] = set()
    prepared: list[tuple[int, FastRegistration, str, str, Any, dt.datetime]] = []
    normalise = idnumbers.normalise
    utc = dt.UTC
    for index, item, client_id in valid:
        if item.round_id not in open_rounds:
            code = "round_not_open" if item.round_id in rounds else "unknown_round"
            plan.results[index] = ItemResult.rejected(client_id, code)
            continue
        # In UTC once: comparing times of two different zones costs a conversion each
        # (most stations send UTC already, which the decoder gives as `dt.UTC`).
        sampled_at = item.sampled_at
        if sampled_at.tzinfo is not utc:
            sampled_at = sampled_at.astimezone(utc)
        if sampled_at > latest:
            plan.results[index] = ItemResult.rejected(client_id, "clock_ahead", field="sampled_at")
            continue
        if sampled_at < earliest[item.round_id]:
            plan.results[index] = ItemResult.rejected(client_id, "before_round", field="sampled_at")
            continue
        person = item.person
        kind = person_kind(person)
        if kind == CODE:
            raw = cast(str, person.resident_code)
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
        elif kind == NUMBER:
            by_type = cast(str, person.id_type)
            try:
                number = idnumbers.validate(IdType(by_type), cast(str, person.id_number))
            except idnumbers.IdNumberError as exc:
                plan.results[index] = ItemResult.rejected(client_id, "invalid_person", str(exc))
                continue
            if not number:
                plan.results[index] = ItemResult.rejected(client_id, "unknown_person")
                continue
            key = (by_type, number)
            for value in id_number_lookups(by_type, number):
                index_values[value] = key
        else:
            walk_in = cast(FastWalkIn, person.walk_in)
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
        prepared.append((index, item, client_id, kind, key, sampled_at))

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
    native_uuid, time = sql.native_uuid, sql.time
    append = plan.items.append
    for index, item, client_id, kind, key, sampled_at in prepared:
        hex_ = item.client_id.hex
        planned = PlannedItem(
            index,
            item,
            client_id,
            item.client_id if native_uuid else hex_,
            time(sampled_at),
            hex_,
        )
        if kind == CODE:
            planned.resident = residents_by_code.get(key)
            if planned.resident is not None and index not in scanned:
                append(planned)  # the common case: a resident chosen by code
                continue
            if planned.resident is not None and index in scanned:
                owner = residents_by_number.get(scanned[index])
                chosen = planned.resident
                # Whoever the number names must be the person chosen; a number nobody has
                # fits only a person with no number on record.
                if (owner is None and chosen.id_number_index) or (owner and owner.pk != chosen.pk):
                    plan.results[index] = ItemResult.rejected(client_id, "id_number_mismatch")
                    continue
        elif kind == NUMBER:
            planned.resident = residents_by_number.get(key)
        else:
            person = item.person
            number_key, data = key
            if number_key is not None:
                planned.resident = residents_by_number.get(number_key)
            if planned.resident is None:
                planned.walk_in_id = _known_walk_in(
                    person, item.round_id, number_key, walk_ins_by_client, walk_ins_by_number
                )
                if planned.walk_in_id is None:
                    walk_in = cast(FastWalkIn, person.walk_in)
                    planned.new_walk_in = new_walk_ins.get(walk_in.client_id)
                    if planned.new_walk_in is None:
                        planned.new_walk_in = _new_walk_in(walk_in, data, item.round_id, device)
                        new_walk_ins[walk_in.client_id] = planned.new_walk_in
        if planned.resident is None and planned.walk_in_id is None and not planned.new_walk_in:
            plan.results[index] = ItemResult.rejected(client_id, "unknown_person")
            continue
        append(planned)

    # A point or team of another grid is "unknown" to this device, like one of another round.
    device_scope = overlapping(device.scope_paths(Perm.REGISTER_SAMPLES) or [], "area__path")
    point_ids = {p.data.sampling_point_id for p in plan.items if p.data.sampling_point_id}
    if point_ids:
        # Read by key, then kept if its area overlaps the device's (`overlapping`, in
        # Python): two plain statements cost less than the ORM's join.
        points = sql.select_in(SamplingPoint, ("id", "round", "area"), "id", sorted(point_ids))
        overlaps = _overlaps(device.scope_paths(Perm.REGISTER_SAMPLES) or [])
        area_paths = dict(
            sql.select_in(
                Area, ("id", "path"), "id", sorted({row[2] for row in points if row[2] is not None})
            )
        )
        plan.sampling_points = {
            pk: round_id
            for pk, round_id, area_id in points
            if area_id in area_paths and overlaps(area_paths[area_id])
        }
    team_ids = {p.data.team_id for p in plan.items if p.data.team_id}
    if team_ids:
        plan.door_teams = dict(
            DoorToDoorTeam.objects.filter(device_scope, pk__in=team_ids).values_list(
                "pk", "round_id"
            )
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
        # Who counts is decided here, outside the write transaction (on SQLite, the lock),
        # for every resident: whether this is their first sample in the round is what the
        # RoundSample insert answers (it keeps the first row and returns only new ones).
        # Whether a grid is in the round's scope is asked once per grid and round.
        grid_in_scope: dict[tuple[int, int], bool] = {}
        exempted, rules, grid_paths = plan.exempted, plan.rules, plan.grid_paths
        for planned in plan.items:
            first = planned.resident
            if first is None:
                continue
            round_id = planned.data.round_id
            pair = (round_id, first.pk)
            rule = rules[round_id]
            grid = (round_id, first.grid_id)
            scoped = grid_in_scope.get(grid)
            if scoped is None:
                scoped = grid_in_scope[grid] = rule.in_scope(grid_paths[first.grid_id])
            planned.sample_row = (
                round_id,
                first.pk,
                first.grid_id,
                # `expects` reads a resident's status, tags and birth year: _Person has them.
                rule.expects_in(cast(Resident, first), in_scope=scoped, exempted=pair in exempted),
                bool(first.tags & _HOME_VISIT),
                planned.sampled_db,
            )
    return plan


def _visible_rounds(
    device: DeviceToken, round_ids: set[int]
) -> tuple[dict[int, Round], dict[int, list[str]]]:
    """The rounds of these that the device may register samples in
    (`Round.objects.visible_to`: a round whose scope overlaps the device's areas), with
    their scopes' area paths (what the rounds' `ExpectationRules` need): the rounds by key
    and their scopes, then the overlap in Python, two statements without the visibility
    query's joins and DISTINCT."""
    paths = (
        device.scope_paths(Perm.REGISTER_SAMPLES)
        if getattr(device, "is_authenticated", False)
        else []
    )
    if paths is not None and not paths:
        return {}, {}
    scopes: dict[int, list[str]] = {}
    for round_id, path in RoundScope.objects.filter(round_id__in=round_ids).values_list(
        "round_id", "area__path"
    ):
        scopes.setdefault(round_id, []).append(path)
    if paths is not None:
        overlaps = _overlaps(paths)
        visible = [pk for pk, scope in scopes.items() if any(map(overlaps, scope))]
    else:
        visible = list(round_ids)
    rounds = {round_.pk: round_ for round_ in Round.objects.filter(pk__in=visible)}
    return rounds, {pk: scopes.get(pk, []) for pk in rounds}


def _overlaps(paths: list[str]) -> Callable[[str], bool]:
    """Whether an area path lies in one of these subtrees or above one of them: what
    `core.scoping.overlapping` selects, for paths already read."""
    below = tuple(paths)
    above = {ancestor for path in paths for ancestor in ancestor_paths(path)}
    return lambda path: path.startswith(below) or path in above


def place_refusal(item: PlannedItem, plan: Plan) -> ItemResult | None:
    """A tube names where it was taken: a point of the round, or a team going door to door."""
    data = item.data
    key = (data.mode, data.sampling_point_id, data.team_id, data.round_id)
    try:
        refusal = plan.places[key]
    except KeyError:
        refusal = plan.places[key] = place_code(data, plan)
    if refusal is None:
        return None
    return ItemResult.rejected(item.client_id, refusal[0], field=refusal[1])


def place_code(data: FastRegistration, plan: Plan) -> tuple[str, str] | None:
    """Why the place an item names is refused (code, field), or None."""
    if data.mode == "door":
        if data.team_id is None:
            return ("no_door_team", "team_id")
        if plan.door_teams.get(data.team_id) != data.round_id:
            return ("unknown_team", "team_id")
        return None
    if data.sampling_point_id is None:
        return ("no_sampling_point", "sampling_point_id")
    if plan.sampling_points.get(data.sampling_point_id) != data.round_id:
        return ("unknown_sampling_point", "sampling_point_id")
    return None


def earliest_time(round_: Round) -> dt.datetime:
    """The earliest time an item of this round may give: its planned start (or its
    creation, for a round opened early), less the clock skew a device may have."""
    return min(round_.starts_at, round_.created_at) - clock_skew()


def _known_walk_in(
    person: FastPerson,
    round_id: int,
    number_key: tuple[str, str] | None,
    by_client: dict[uuid.UUID, int],
    by_number: dict[tuple[int, tuple[str, str]], int],
) -> int | None:
    """The walk-in this person already is: same client id, or same document in the round
    (a visitor who comes back for a recall retest is one person)."""
    known = by_client.get(cast(FastWalkIn, person.walk_in).client_id)
    if known is None and number_key is not None:
        known = by_number.get((round_id, number_key))
    return known


def _new_walk_in(
    person: FastWalkIn, data: ResidentData, round_id: int, device: DeviceToken
) -> _NewWalkIn:
    walk_in = WalkIn(
        client_id=person.client_id,
        round_id=round_id,
        area_id=device.area_id,
        name=data.name,
        address=person.address,
    )
    walk_in.set_id_number(data.id_type, data.id_number)
    walk_in.set_phone(data.phone)
    return _NewWalkIn(person.client_id, round_id, walk_in)
