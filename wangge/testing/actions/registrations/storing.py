"""The write transaction of a batch: lock and fill tubes, insert registrations and
round samples, answer and audit; and sealing a tube by hand."""

import contextlib
import fcntl
import os
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, OperationalError, connection, transaction
from django.utils import timezone

from wangge.accounts.models import DeviceToken
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.core.bulk import BatchSql, is_sqlite
from wangge.core.permissions import Perm
from wangge.core.scoping import in_scope, require_in_scope
from wangge.core.sql import column, table
from wangge.testing.actions.registrations.answers import (
    ACCEPTED,
    ATTEMPTS,
    DUPLICATE,
    REJECTED,
    Acting,
    ItemResult,
)
from wangge.testing.actions.registrations.planning import (
    Plan,
    PlannedItem,
    person_key,
    place_refusal,
    plan_batch,
)
from wangge.testing.actions.registrations.sql import (
    REGISTRATION_FIELDS,
    SAMPLE_FIELDS,
    TUBE_COLUMNS,
    TubeRow,
    db_time,
    update_tubes,
)
from wangge.testing.choices import RoundStatus, TubeStatus
from wangge.testing.errors import RoundError
from wangge.testing.models import Registration, Round, RoundSample, Tube, WalkIn
from wangge.testing.station_items import FastRegistration, InvalidItem, RegistrationIn


@dataclass(slots=True)
class _TubeState:
    tube: TubeRow
    is_new: bool
    members: set[tuple[str, int]] = field(default_factory=set)
    changed: bool = False


@dataclass
class _Outcome:
    """What a batch wrote, for its answers and its audit entry."""

    results: list[ItemResult | None]
    round_ids: set[int] = field(default_factory=set)
    tubes_opened: int = 0
    tubes_sealed: int = 0
    walk_ins: int = 0
    people_first_sampled: int = 0


def _store(plan: Plan, device: DeviceToken, sql: BatchSql) -> _Outcome:
    """The write transaction: lock the tubes, decide each item, insert everything in bulk."""
    outcome = _Outcome(results=list(plan.results))
    results = outcome.results
    if not plan.items:
        return outcome
    now = sql.now
    # The rounds are read again under a key-share lock (PostgreSQL; SQLite's writer holds
    # the database): with no foreign keys to them, this is what keeps a round from being
    # purged or deleted while the batch writes into it, and closing it from racing it.
    round_ids = sorted({item.data.round_id for item in plan.items})
    open_now = (
        {
            row[0]
            for row in sql.select_in(
                Round, ("id",), "id", round_ids, also=("status", [RoundStatus.OPEN])
            )
        }
        if sql.sqlite
        else _lock_open_rounds(round_ids)
    )
    items = []
    for item in plan.items:
        if item.data.round_id in open_now:
            items.append(item)
        else:
            results[item.index] = ItemResult.rejected(item.client_id, "round_not_open")
    if not items:
        return outcome

    barcodes = sorted({item.data.tube_barcode for item in items})
    # Locked in barcode order, so two batches filling the same tubes cannot deadlock (a
    # plain statement: the ORM's costs more than the read; times come as the database
    # stores them, and an unchanged one goes back so).
    tubes: dict[str, _TubeState] = {
        row[1]: _TubeState(TubeRow(*row), is_new=False)
        for row in sql.select_in(Tube, TUBE_COLUMNS, "barcode", barcodes, lock=True)
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
            *TUBE_COLUMNS
        ):
            by_id[row[0]] = _TubeState(TubeRow(*row), is_new=False)
    partly_filled = [state.tube.pk for state in tubes.values() if state.tube.filled]
    for tube_id, resident_id, walk_in_id in sql.select_in(
        Registration, ("tube", "resident", "walk_in"), "tube", partly_filled
    ):
        by_id[tube_id].members.add(
            ("r", resident_id) if resident_id is not None else ("w", walk_in_id)
        )
    walk_ins_sampled: set[int] = {
        row[0]
        for row in sql.select_in(
            Registration,
            ("walk_in",),
            "walk_in",
            sorted({item.walk_in_id for item in items if item.walk_in_id is not None}),
        )
    }

    accepted: list[tuple[PlannedItem, _TubeState]] = []
    # A resident's first item of each round in this batch: its RoundSample row, and the
    # answer whose `already_sampled` the insert decides (a later item of theirs was).
    new_samples: dict[tuple[int, int], tuple[tuple[Any, ...], ItemResult]] = {}
    duplicates: list[tuple[ItemResult, int]] = []
    open_, sealed = TubeStatus.OPEN, TubeStatus.SEALED
    for item in items:
        data = item.data
        tube_id = stored.get(item.client_hex) if stored else None
        if tube_id is not None:
            result = ItemResult(item.client_id, DUPLICATE)
            results[item.index] = result
            duplicates.append((result, tube_id))
            continue
        place = place_refusal(item, plan)
        if place is not None:
            results[item.index] = place
            continue
        point = data.sampling_point_id if data.mode == "point" else None
        team = data.team_id if data.mode == "door" else None
        state = tubes.get(data.tube_barcode)
        if state is None:
            state = tubes[data.tube_barcode] = _TubeState(
                TubeRow(
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
                    door_team_id=team,
                ),
                is_new=True,
            )
        tube = state.tube
        refusal = ""
        person = person_key(item)
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
        result = ItemResult(
            item.client_id,
            ACCEPTED,
            tube_filled=tube.filled,
            tube_sealed=tube.status != open_,
        )
        resident = item.resident
        if resident is not None:
            pair = (data.round_id, resident.pk)
            if pair in new_samples:
                result.already_sampled = True
            else:
                assert item.sample_row is not None  # noqa: S101 - planned for every resident
                new_samples[pair] = (item.sample_row, result)
        elif item.walk_in_id is not None:
            result.already_sampled = item.walk_in_id in walk_ins_sampled
            walk_ins_sampled.add(item.walk_in_id)
        else:
            new = item.new_walk_in
            assert new is not None  # noqa: S101
            result.already_sampled, new.used = new.used, True
        outcome.round_ids.add(data.round_id)
        results[item.index] = result
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
                    "door_team",
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
                        t.door_team_id,
                        db_time(sql, t.opened_at),
                        db_time(sql, t.sealed_at),
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
        REGISTRATION_FIELDS,
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
        # No read before: the insert keeps an earlier sample's row and returns the new ones.
        first = set(
            sql.insert(
                RoundSample,
                SAMPLE_FIELDS,
                [row for row, _result in new_samples.values()],
                ignore_conflicts=True,
                returning=("round", "resident"),
            )
        )
        for pair, (_row, result) in new_samples.items():
            result.already_sampled = pair not in first
        outcome.people_first_sampled = len(first)
    changed = [state.tube for state in tubes.values() if state.changed and not state.is_new]
    if changed:
        update_tubes(sql, changed)
    return outcome


def _lock_open_rounds(round_ids: list[int]) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {column(Round, 'id')} FROM {table(Round)} "  # noqa: S608
            f"WHERE {column(Round, 'id')} = ANY(%s) AND {column(Round, 'status')} = %s "
            "FOR KEY SHARE",
            [round_ids, RoundStatus.OPEN.value],
        )
        return {row[0] for row in cursor.fetchall()}


def _foreign_tube_areas(
    states: Iterable[_TubeState], device: DeviceToken, sql: BatchSql
) -> set[int]:
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
    items: Sequence[FastRegistration | RegistrationIn | InvalidItem],
    *,
    device: DeviceToken,
    acting_user: Acting,
) -> list[ItemResult]:
    """Store a station's batch of registrations; one answer per item, in order.

    Its one audit entry (counts only) is written inside the batch's transaction, in the
    device's own chain of the audit log (`log.device_stream`): a batch stored is a batch
    audited, and batches of different stations never wait for each other behind one
    chain head (a station uploads its batches one after another).
    """
    sql = BatchSql(timezone.now())
    plan = plan_batch(items, device, sql)
    for attempt in range(ATTEMPTS):
        try:
            with _writer_turn(), transaction.atomic():
                outcome = _store(plan, device, sql)
                results = _answers(outcome, plan)
                if results:
                    _audit_batch(results, outcome, device, acting_user)
            break
        except (IntegrityError, OperationalError):
            if attempt == ATTEMPTS - 1:
                raise
            _reset_plan(plan)
    return results


def _answers(outcome: _Outcome, plan: Plan) -> list[ItemResult]:
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
    if not is_sqlite() or connection.in_atomic_block or name == ":memory:" or "mode=memory" in name:
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


def _reset_plan(plan: Plan) -> None:
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
    log.record(
        acting_user,
        AuditEvent.REGISTRATION_BATCH,
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
        stream=log.device_stream(device.pk),
    )


@transaction.atomic
def seal_tube(tube: Tube, *, acting_user: Acting) -> Tube:
    """Seal a tube before it is full (the desk closes it); sealing twice changes nothing."""
    locked: Tube = (
        Tube.objects.select_for_update(of=("self",)).select_related("area").get(pk=tube.pk)
    )
    require_in_scope(log.scope_holder(acting_user), Perm.REGISTER_SAMPLES, [locked.area])
    if locked.status == TubeStatus.OPEN:
        if locked.filled == 0:
            raise RoundError("an empty tube cannot be sealed")
        locked.status = TubeStatus.SEALED
        locked.sealed_at = timezone.now()
        locked.save(update_fields=["status", "sealed_at"])
        log.record(
            acting_user,
            AuditEvent.TUBE_SEAL,
            obj=locked,
            area_path=locked.area.path,
            details={"barcode": locked.barcode, "filled": locked.filled},
        )
    return locked
