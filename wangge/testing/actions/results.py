"""Laboratory results, and what follows from them at once: recall and positive cases.

A positive or invalid pooled tube means every person in it must be retested alone
(单采复核): the recall is opened in the same transaction that stores the result, so the
grid's list is there the moment the laboratory's answer is. An individual (capacity 1)
result closes that person's open recalls in the round; a positive individual result is a
`PositiveCase`, the hand-over to closed-loop control. Results are never overwritten: the
same result again is a duplicate, a different one is reported as a conflict.
"""

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.batch import ItemStatus, Tally
from wangge.core.permissions import Perm
from wangge.core.sql import column, table
from wangge.events import actions as events
from wangge.events.models import Event
from wangge.residents.models import Resident
from wangge.testing.choices import RecallStatus, ResultSource, TestResult, TubeStatus
from wangge.testing.models import LabResult, PositiveCase, Recall, Registration, Tube, WalkIn
from wangge.testing.notify import CASE_POSITIVE, POOL_POSITIVE

Acting = User | Actor | None

# Barcodes are looked up in chunks: SQLite caps the parameters of one statement.
CHUNK = 900
# Results that mean the people in a pooled tube must be retested alone.
RECALL_RESULTS = frozenset({TestResult.POSITIVE, TestResult.INVALID})


REASONS: dict[str, Promise] = {
    "unknown_barcode": _("No tube with this barcode in your areas."),
    "unknown_result": _("The result is not negative, positive or invalid."),
    "conflicting_result": _("The tube already has a different result; it is not overwritten."),
    "conflicting_rows": _("The same tube is given different results; none of them is used."),
    "tube_not_sealed": _("The tube is still open at its sampling point."),
    "empty_tube": _("Nobody was registered into this tube."),
}


@dataclass(frozen=True)
class ResultItem:
    """One laboratory answer as read from a file or the API: tube, result, Ct values, time.

    `result` is a TestResult value, or anything else when the input could not be read
    (the item is then rejected as `unknown_result`).
    """

    barcode: str
    result: str
    ct_values: dict[str, float] = field(default_factory=dict)
    tested_at: dt.datetime | None = None


@dataclass
class ItemOutcome:
    """What became of one item: accepted, duplicate, or rejected with a reason."""

    barcode: str
    status: ItemStatus
    reason_code: str = ""
    recalls_opened: int = 0
    recalls_closed: int = 0
    case_opened: bool = False

    @property
    def reason(self) -> str:
        return str(REASONS.get(self.reason_code, "")) if self.reason_code else ""


@dataclass
class ResultsReport(Tally):
    """The per-item outcomes of a batch, in input order, and their totals."""

    outcomes: list[ItemOutcome]
    applied: bool

    def statuses(self) -> Iterable[str]:
        return (outcome.status for outcome in self.outcomes)

    @property
    def recalls_opened(self) -> int:
        return sum(outcome.recalls_opened for outcome in self.outcomes)

    @property
    def recalls_closed(self) -> int:
        return sum(outcome.recalls_closed for outcome in self.outcomes)

    @property
    def cases_opened(self) -> int:
        return sum(1 for outcome in self.outcomes if outcome.case_opened)


def _load_tubes(tubes: "QuerySet[Tube]", barcodes: set[str], *, lock: bool) -> dict[str, Tube]:
    found: dict[str, Tube] = {}
    ordered = sorted(barcodes)
    for start in range(0, len(ordered), CHUNK):
        chunk = tubes.filter(barcode__in=ordered[start : start + CHUNK]).select_related("area")
        if lock:
            chunk = chunk.select_for_update(of=("self",))
        found.update((tube.barcode, tube) for tube in chunk)
    return found


def plan_results(
    items: Sequence[ResultItem], tubes: "QuerySet[Tube]", *, lock: bool = False
) -> tuple[list[ItemOutcome], dict[str, Tube]]:
    """Decide each item's outcome without writing anything.

    `tubes` is the caller's scoped queryset: a barcode outside it is unknown, exactly like
    one that does not exist. Nothing is guessed: different results for one tube in the
    same batch reject all of them.
    """
    found = _load_tubes(tubes, {item.barcode for item in items}, lock=lock)
    given: dict[str, set[str]] = defaultdict(set)
    for item in items:
        if item.result in TestResult.values:
            given[item.barcode].add(item.result)
    outcomes: list[ItemOutcome] = []
    taken: set[str] = set()
    for item in items:
        tube = found.get(item.barcode)
        if item.result not in TestResult.values:
            outcome = ItemOutcome(item.barcode, ItemStatus.REJECTED, "unknown_result")
        elif tube is None:
            outcome = ItemOutcome(item.barcode, ItemStatus.REJECTED, "unknown_barcode")
        elif tube.result:
            if tube.result == item.result:
                outcome = ItemOutcome(item.barcode, ItemStatus.DUPLICATE)
            else:
                outcome = ItemOutcome(item.barcode, ItemStatus.REJECTED, "conflicting_result")
        elif len(given[item.barcode]) > 1:
            outcome = ItemOutcome(item.barcode, ItemStatus.REJECTED, "conflicting_rows")
        elif tube.status == TubeStatus.OPEN:
            outcome = ItemOutcome(item.barcode, ItemStatus.REJECTED, "tube_not_sealed")
        elif tube.filled == 0:
            outcome = ItemOutcome(item.barcode, ItemStatus.REJECTED, "empty_tube")
        elif item.barcode in taken:
            outcome = ItemOutcome(item.barcode, ItemStatus.DUPLICATE)
        else:
            outcome = ItemOutcome(item.barcode, ItemStatus.ACCEPTED)
            taken.add(item.barcode)
        outcomes.append(outcome)
    return outcomes, found


@dataclass(frozen=True)
class _Member:
    """A person in a tube: a resident (with their grid) or a walk-in (with their area)."""

    round_id: int
    resident_id: int | None
    walk_in_id: int | None
    area_id: int

    @property
    def key(self) -> tuple[int, str, int]:
        if self.resident_id is not None:
            return (self.round_id, "r", self.resident_id)
        return (self.round_id, "w", self.walk_in_id or 0)


def _members(tube_ids: list[int]) -> dict[int, list[_Member]]:
    members: dict[int, list[_Member]] = defaultdict(list)
    for start in range(0, len(tube_ids), CHUNK):
        rows = Registration.objects.filter(tube_id__in=tube_ids[start : start + CHUNK]).values_list(
            "tube_id",
            "round_id",
            "resident_id",
            "resident__grid_id",
            "walk_in_id",
            "walk_in__area_id",
        )
        seen: set[tuple[int, tuple[int, str, int]]] = set()
        for tube_id, round_id, resident_id, grid_id, walk_in_id, walk_in_area in rows:
            member = _Member(round_id, resident_id, walk_in_id, grid_id or walk_in_area)
            if (tube_id, member.key) not in seen:
                seen.add((tube_id, member.key))
                members[tube_id].append(member)
    return members


Statement = tuple[str, list[Any]]


def _result_statements(
    accepted: dict[str, ResultItem],
    found: dict[str, Tube],
    now: dt.datetime,
    *,
    source: str,
    user_id: int | None,
) -> list[Statement]:
    """The results stored and their tubes marked resulted: one INSERT of the results and
    one UPDATE of the tubes per result value (per chunk), as plain statements.

    No model instance per result and no statement built by the ORM: this is the path from
    a positive pool to its grid's list (docs/architecture.md, "Recall").
    """
    ops = connection.ops
    at = ops.adapt_datetimefield_value(now)
    ct_field = LabResult._meta.get_field("ct_values")
    targets = ", ".join(
        column(LabResult, name)
        for name in ("tube", "result", "ct_values", "tested_at", "source", "recorded_by",
                     "recorded_at")
    )  # fmt: skip
    statements: list[Statement] = []
    barcodes = list(accepted)
    for start in range(0, len(barcodes), CHUNK // 7):
        chunk = barcodes[start : start + CHUNK // 7]
        params: list[Any] = []
        for barcode in chunk:
            item = accepted[barcode]
            params += [
                found[barcode].pk,
                item.result,
                ct_field.get_db_prep_save(item.ct_values, connection),  # type: ignore[union-attr]
                ops.adapt_datetimefield_value(item.tested_at or now),
                source,
                user_id,
                at,
            ]
        values = ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
        statements.append(
            (f"INSERT INTO {table(LabResult)} ({targets}) VALUES {values}", params)  # noqa: S608
        )
    by_result: dict[str, list[int]] = defaultdict(list)
    for barcode, item in accepted.items():
        by_result[item.result].append(found[barcode].pk)
    for result, ids in by_result.items():
        for start in range(0, len(ids), CHUNK):
            chunk_ids = ids[start : start + CHUNK]
            statements.append(
                (
                    f"UPDATE {table(Tube)} SET {column(Tube, 'result')} = %s, "  # noqa: S608
                    f"{column(Tube, 'resulted_at')} = %s, {column(Tube, 'status')} = %s "
                    f"WHERE {column(Tube, 'id')} IN ({', '.join(['%s'] * len(chunk_ids))})",
                    [result, at, TubeStatus.RESULTED.value, *chunk_ids],
                )
            )
    return statements


def _pool_recall_statement(tube_ids: list[int], now: dt.datetime) -> Statement:
    """Open a recall for everyone in these pooled tubes: one INSERT … SELECT from the
    tubes' registrations, returning each recall's tube.

    The members never travel to Python and back, which saves a round trip and a model
    instance per person on the path from a positive pool to its grid's list. A person's
    area is their grid, or the walk-in's area.
    """
    targets = ", ".join(
        column(Recall, name)
        for name in (
            "round", "source_tube", "resident", "walk_in", "area",
            "status", "opened_at", "outcome",
        )
    )  # fmt: skip
    sql = (
        f"INSERT INTO {table(Recall)} ({targets}) "  # noqa: S608 - names from the models
        f"SELECT DISTINCT g.{column(Registration, 'round')}, g.{column(Registration, 'tube')}, "
        f"g.{column(Registration, 'resident')}, g.{column(Registration, 'walk_in')}, "
        f"COALESCE(p.{column(Resident, 'grid')}, w.{column(WalkIn, 'area')}), "
        "%s, %s, '' "
        f"FROM {table(Registration)} g "
        f"LEFT JOIN {table(Resident)} p ON p.{column(Resident, 'id')} = "
        f"g.{column(Registration, 'resident')} "
        f"LEFT JOIN {table(WalkIn)} w ON w.{column(WalkIn, 'id')} = "
        f"g.{column(Registration, 'walk_in')} "
        f"WHERE g.{column(Registration, 'tube')} IN ({', '.join(['%s'] * len(tube_ids))}) "
        f"RETURNING {column(Recall, 'source_tube')}"
    )
    return sql, [RecallStatus.OPEN.value, connection.ops.adapt_datetimefield_value(now), *tube_ids]


def _write_in_one_statement(
    statements: list[Statement], recalls: Statement, positive: list[int], now: dt.datetime
) -> Counter[int]:
    """PostgreSQL: the results, the tubes, the recalls and the positive pools' events in
    one statement (data-modifying CTEs), one round trip instead of four or more.

    The event of a positive pool is the row `events.record` would write (kind, payload
    {"tube", "members"}, the tube's area, `now`), counted from the recalls just opened.
    """
    parts = [f"w{index} AS ({sql})" for index, (sql, _params) in enumerate(statements)]
    params = [value for _sql, values in statements for value in values]
    parts.append(f"c AS ({recalls[0]})")
    params += recalls[1]
    if positive:
        tube_id = column(Tube, "id")
        parts.append(
            f"e AS (INSERT INTO {table(Event)} ({column(Event, 'kind')}, "  # noqa: S608
            f"{column(Event, 'payload')}, {column(Event, 'area')}, {column(Event, 'created_at')}) "
            f"SELECT %s, jsonb_build_object('tube', t.{tube_id}, 'members', "
            f"count(c.{column(Recall, 'source_tube')})), t.{column(Tube, 'area')}, %s "
            f"FROM {table(Tube)} t LEFT JOIN c ON c.{column(Recall, 'source_tube')} = t.{tube_id} "
            f"WHERE t.{tube_id} IN ({', '.join(['%s'] * len(positive))}) "
            f"GROUP BY t.{tube_id}, t.{column(Tube, 'area')})"
        )
        params += [POOL_POSITIVE, connection.ops.adapt_datetimefield_value(now), *positive]
    sql = f"WITH {', '.join(parts)} SELECT {column(Recall, 'source_tube')} FROM c"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return Counter(tube_id for (tube_id,) in cursor.fetchall())


def _open_recalls(members: list[_Member]) -> dict[tuple[int, str, int], list[Recall]]:
    """Open recalls of these people in their rounds, by person."""
    by_person: dict[tuple[int, str, int], list[Recall]] = defaultdict(list)
    residents = sorted({m.resident_id for m in members if m.resident_id is not None})
    walk_ins = sorted({m.walk_in_id for m in members if m.walk_in_id is not None})
    rounds = sorted({m.round_id for m in members})
    for start in range(0, max(len(residents), len(walk_ins)), CHUNK):
        condition = Q(resident_id__in=residents[start : start + CHUNK]) | Q(
            walk_in_id__in=walk_ins[start : start + CHUNK]
        )
        for recall in Recall.objects.filter(
            condition, status=RecallStatus.OPEN, round_id__in=rounds
        ).select_for_update():
            key = (
                (recall.round_id, "r", recall.resident_id)
                if recall.resident_id is not None
                else (recall.round_id, "w", recall.walk_in_id or 0)
            )
            by_person[key].append(recall)
    return by_person


@transaction.atomic
def record_results(
    items: Sequence[ResultItem],
    *,
    tubes: "QuerySet[Tube]",
    source: str = ResultSource.API,
    acting_user: Acting,
) -> ResultsReport:
    """Store a batch of laboratory results and act on them at once; per-item outcomes.

    Accepted results mark their tubes resulted. A positive or invalid pooled tube opens a
    Recall for each of its members (area: the resident's grid or the walk-in's area). An
    individual negative or positive result closes the person's open recalls in the round,
    with that outcome; an individual invalid result leaves them open (the sample said
    nothing), or opens one if there was none, so that the person is sampled again. A
    positive individual result opens a PositiveCase. One audit entry per batch, with counts
    only. Idempotent: sending the same batch again changes nothing.
    """
    holder = log.scope_holder(acting_user)
    if holder is not None:
        # Whatever the caller passed: a tube outside the actor's scope is unknown.
        tubes = tubes.visible_to(holder, Perm.LOAD_RESULTS)  # type: ignore[attr-defined]
    outcomes, found = plan_results(items, tubes, lock=True)
    accepted = {
        outcome.barcode: item
        for item, outcome in zip(items, outcomes, strict=True)
        if outcome.status == ItemStatus.ACCEPTED
    }
    if accepted:
        _apply(accepted, found, outcomes, source=source, acting_user=acting_user)
    report = ResultsReport(outcomes=outcomes, applied=True)
    if items:
        paths = sorted({found[b].area.path for b in accepted}) if accepted else []
        log.record(
            acting_user,
            AuditEvent.TESTING_RESULTS,
            object_type="testing.labresult",
            area_path=_common_path(paths),
            details={
                "source": source,
                "items": len(items),
                "accepted": report.accepted,
                "duplicate": report.duplicates,
                "rejected": report.rejected,
                "recalls_opened": report.recalls_opened,
                "recalls_closed": report.recalls_closed,
                "cases": report.cases_opened,
            },
        )
    return report


def _common_path(paths: list[str]) -> str:
    if not paths:
        return ""
    first, last = paths[0], paths[-1]
    length = 0
    while length < min(len(first), len(last)) and first[length] == last[length]:
        length += 1
    return first[: length - length % 4]


def _apply(
    accepted: dict[str, ResultItem],
    found: dict[str, Tube],
    outcomes: list[ItemOutcome],
    *,
    source: str,
    acting_user: Acting,
) -> None:
    now = timezone.now()
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    by_barcode = {o.barcode: o for o in outcomes if o.status == ItemStatus.ACCEPTED}
    statements = _result_statements(
        accepted, found, now, source=source, user_id=user.pk if user is not None else None
    )
    pooled = [
        b
        for b, item in accepted.items()
        if not found[b].is_individual and item.result in RECALL_RESULTS
    ]
    positive = [b for b in pooled if accepted[b].result == TestResult.POSITIVE]
    opened: Counter[int] = Counter()
    if connection.vendor == "postgresql" and len(statements) <= 4 and len(pooled) <= CHUNK:
        # A laboratory's usual answer (a few hundred tubes at most): one round trip.
        opened = _write_in_one_statement(
            statements,
            _pool_recall_statement([found[b].pk for b in pooled] or [0], now),
            [found[b].pk for b in positive],
            now,
        )
        positive = []  # their events are written
    else:
        with connection.cursor() as cursor:
            for sql, params in statements:
                cursor.execute(sql, params)
            ids = [found[b].pk for b in pooled]
            for start in range(0, len(ids), CHUNK):
                cursor.execute(*_pool_recall_statement(ids[start : start + CHUNK], now))
                opened.update(tube_id for (tube_id,) in cursor.fetchall())
    for barcode in pooled:
        by_barcode[barcode].recalls_opened = opened[found[barcode].pk]
    for barcode in positive:
        tube = found[barcode]
        events.record(
            POOL_POSITIVE, {"tube": tube.pk, "members": opened[tube.pk]}, area=tube.area, at=now
        )

    individual = [b for b in accepted if found[b].is_individual]
    if individual:
        members = _members([found[b].pk for b in individual])
        people = [m for b in individual for m in members.get(found[b].pk, [])]
        open_recalls = _open_recalls(people)
        recalls: list[Recall] = []
        closing: list[Recall] = []
        cases: list[PositiveCase] = []
        for barcode in individual:
            tube, item = found[barcode], accepted[barcode]
            for member in members.get(tube.pk, []):
                mine = open_recalls.get(member.key, [])
                if item.result == TestResult.INVALID:
                    if not mine:
                        recalls.append(
                            Recall(
                                round_id=member.round_id,
                                source_tube=tube,
                                resident_id=member.resident_id,
                                walk_in_id=member.walk_in_id,
                                area_id=member.area_id,
                                opened_at=now,
                            )
                        )
                        by_barcode[barcode].recalls_opened += 1
                    continue
                for recall in mine:
                    recall.status = RecallStatus.CLOSED
                    recall.closed_at = now
                    recall.closing_tube = tube
                    recall.outcome = item.result
                    closing.append(recall)
                by_barcode[barcode].recalls_closed += len(mine)
                open_recalls[member.key] = []
                if item.result == TestResult.POSITIVE:
                    cases.append(
                        PositiveCase(
                            round_id=member.round_id,
                            tube=tube,
                            resident_id=member.resident_id,
                            walk_in_id=member.walk_in_id,
                            area_id=member.area_id,
                            detected_at=item.tested_at or now,
                        )
                    )
                    by_barcode[barcode].case_opened = True
        Recall.objects.bulk_update(
            closing, ["status", "closed_at", "closing_tube", "outcome"], batch_size=500
        )
        PositiveCase.objects.bulk_create(cases, batch_size=500)
        for case in cases:
            events.record(CASE_POSITIVE, {"case": case.pk}, area=case.area_id, at=now)
        Recall.objects.bulk_create(recalls, batch_size=500)
