"""The escalation pass: incidents whose running clock has run out move up the chain.

Run by the worker on every turn of its loop (a drain, registered in IncidentsConfig.ready).
Built for thousands of overdue incidents at once (a district-wide outage of the network
leaves them all overdue together), set-based, never a query per incident:

1. **claim**: the overdue incidents (running clock, `due_at` passed), at most
   WANGGE_INCIDENT_ESCALATION_BATCH, are read under the pass's transaction's own lock, so
   no other pass takes them and no row is written just to mark it taken: on PostgreSQL
   `SELECT … FOR UPDATE SKIP LOCKED` (a concurrent pass skips the rows this one holds, and
   re-checks the condition on rows committed meanwhile: moved ones are no longer due); on
   SQLite the transaction is IMMEDIATE (settings), so a pass holds the database's write
   lock from its first statement and the next pass reads what this one committed;
2. **chains**: the chains of every area involved, from one query (`routing.chains_for_paths`);
3. for each incident the next person up its chain with a login (decided once per area and
   holder); the limit missed written to the timeline (INSERT … SELECT, per chunk of ids,
   naming the holder before the move); per chunk, one UPDATE per new limit (a few: kinds
   and severities) sets the new assignees as a CASE over the people and counts the miss;
4. the timeline lines (escalated, nobody above) written by the database from the moved
   rows, the people skipped in a bulk insert;
5. one notification per person escalated to: the incident itself, or, when the pass moved
   several to the same person (a mass outage), one message counting them that links to
   their list (ten thousand text messages to a few hundred people help nobody); one audit
   entry for the pass.

Everything runs in one transaction: a pass that dies leaves nothing half done.
"""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import connection, transaction

from wangge.accounts.models import User
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor, record
from wangge.core.sql import column, table
from wangge.incidents import messages
from wangge.incidents.choices import CLOCK_OF_STATUS, Step, StepReason
from wangge.incidents.clocks import DUE_FIELD, Policies
from wangge.incidents.models import Incident, IncidentStep
from wangge.incidents.routing import chains_for_paths, next_in_chain
from wangge.notifications.actions import Message, notify_each
from wangge.workforce.models import Responsibility

WORKER = Actor(user=None, source="worker", label="worker")
CLOCKED = tuple(CLOCK_OF_STATUS)
# Ids per UPDATE … WHERE id IN (…): well under every database's limit of parameters.
CHUNK = 900


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]


def _timeline(
    step: str, now: dt.datetime, ids: list[Any], *, assignee: bool = False, reason: str = ""
) -> None:
    """One timeline line per incident of `ids` (as the database returned them), written by
    the database itself (INSERT … SELECT: thousands of lines without a Python object
    each); the line names the incident's assignee as it is now (with `assignee`) or
    nobody."""
    steps, incidents = table(IncidentStep), table(Incident)
    at = IncidentStep._meta.get_field("at").get_db_prep_value(now, connection)
    worker_sql = column(Incident, "assignee") if assignee else "NULL"
    where = f"{column(Incident, 'id')} IN ({_marks(ids)})"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {steps} ({column(IncidentStep, 'incident')}, "  # noqa: S608
            f"{column(IncidentStep, 'step')}, {column(IncidentStep, 'at')}, "
            f"{column(IncidentStep, 'clock')}, {column(IncidentStep, 'worker')}, "
            f"{column(IncidentStep, 'note')}, {column(IncidentStep, 'reason')}) "
            f"SELECT {column(Incident, 'id')}, %s, %s, {column(Incident, 'clock')}, {worker_sql}, "
            f"'', %s FROM {incidents} WHERE {where} ORDER BY {column(Incident, 'id')}",
            [step, at, reason, *ids],
        )


def _marks(items: list[Any]) -> str:
    return ", ".join(["%s"] * len(items))


def _move_chunk(
    by_group: dict[tuple[Any, str, dt.datetime | None], list[Any]], now: dt.datetime
) -> None:
    """Move a chunk of claimed incidents (ids as the database returned them): one UPDATE
    per new limit (a few: kinds and severities), its new assignees a CASE over the people;
    the incidents with nobody above in one more (their clock stops). Each counts the miss.
    Written by hand: the ORM's CASE of a few hundred `pk__in` took longer to build than
    the database to run."""
    by_limit: dict[tuple[str, dt.datetime], dict[Any, list[Any]]] = defaultdict(dict)
    stopped: list[Any] = []
    for (worker_id, clock, new_due), ids in by_group.items():
        if worker_id is None or new_due is None:
            stopped += ids
        else:
            by_limit[(clock, new_due)].setdefault(worker_id, []).extend(ids)
    assignee_field = Incident._meta.get_field("assignee")
    due_field = Incident._meta.get_field("due_at")
    at = due_field.get_db_prep_value(now, connection)
    pk, assignee = column(Incident, "id"), column(Incident, "assignee")
    missed, updated = column(Incident, "missed"), column(Incident, "updated_at")
    with connection.cursor() as cursor:
        for (clock, new_due), people in by_limit.items():
            ids = [pk_value for pks in people.values() for pk_value in pks]
            whens, params = [], []
            for worker_id, pks in people.items():
                whens.append(f"WHEN {pk} IN ({_marks(pks)}) THEN %s")
                params += [*pks, assignee_field.get_db_prep_value(worker_id, connection)]
            due = due_field.get_db_prep_value(new_due, connection)
            step = column(Incident, "escalation_step")
            cursor.execute(
                f"UPDATE {table(Incident)} SET "  # noqa: S608
                f"{assignee} = CASE {' '.join(whens)} ELSE {assignee} END, "
                f"{step} = {step} + 1, {column(Incident, 'clock')} = %s, "
                f"{column(Incident, 'due_at')} = %s, {column(Incident, DUE_FIELD[clock])} = %s, "
                f"{missed} = {missed} + 1, {updated} = %s WHERE {pk} IN ({_marks(ids)})",
                [*params, clock, due, due, at, *ids],
            )
        if stopped:
            cursor.execute(
                f"UPDATE {table(Incident)} SET {column(Incident, 'due_at')} = NULL, "  # noqa: S608
                f"{missed} = {missed} + 1, {updated} = %s WHERE {pk} IN ({_marks(stopped)})",
                [at, *stopped],
            )


def _messages(
    escalated: dict[int, list[tuple[Any, str, str, str, str, int]]],
) -> list[tuple[list[User], Message, int | None]]:
    """What each person escalated to is told: the incident itself, or, when one pass moved
    several to them (a mass outage), one message counting them, linking to their list."""
    told: list[tuple[list[User], Message, int | None]] = []
    for user_id, incidents in escalated.items():
        recipient = User(pk=user_id)
        if len(incidents) == 1:
            pk, kind, area_name, clock, place, area_id = incidents[0]
            message = messages.escalated(
                incident_id=pk, kind=kind, area=area_name, clock=clock, place=place
            )
            told.append(([recipient], message, area_id))
        else:
            told.append(([recipient], messages.escalated_many(len(incidents)), None))
    return told


def escalate_due(now: dt.datetime, *, only: Iterable[uuid.UUID] | None = None) -> int:
    """Escalate every incident whose running clock ran out by `now` (of `only`, if given:
    the demo replays its own incidents' past); how many."""
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # A pass lost in a crash right after its commit is redone by the next one (its
            # incidents are still overdue), so its commit need not wait for the disk.
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit TO OFF")
        overdue = Incident.objects.filter(due_at__lte=now, status__in=CLOCKED)
        if only is not None:
            overdue = overdue.filter(pk__in=list(only))
        # Held by this transaction: no row is written to mark it taken (module docstring).
        # Read on the cursor: the ids go back to the database as they came (ten thousand
        # UUIDs converted both ways cost a third of a second on SQLite).
        query = (
            overdue.select_for_update(skip_locked=True, of=("self",))
            .order_by("due_at")
            .values_list(
                "pk",
                "kind",
                "severity",
                "status",
                "clock",
                "assignee_id",
                "area_id",
                "area__path",
                "area__name",
                "place",
            )[: settings.WANGGE_INCIDENT_ESCALATION_BATCH]
        )
        sql, params = query.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if not rows:
            return 0
        policies = Policies()
        chains = chains_for_paths({row[7] for row in rows}, now)
        groups: dict[tuple[Any, str, dt.datetime | None], list[Any]] = defaultdict(list)
        skipped_notes: list[IncidentStep] = []
        escalated: dict[int, list[tuple[Any, str, str, str, str, int]]] = defaultdict(list)
        # Incidents of one area held by one person go to the same next person: decided once.
        decided: dict[tuple[str, Any], tuple[Responsibility | None, list[Responsibility]]] = {}
        spans: dict[tuple[str, str, str], dt.timedelta] = {}
        workers: dict[Any, uuid.UUID | None] = {None: None}
        for (
            pk,
            kind,
            severity,
            status,
            clock,
            raw_assignee,
            area_id,
            path,
            area_name,
            place,
        ) in rows:
            clock = clock or CLOCK_OF_STATUS[status]
            assignee_id = workers.get(raw_assignee)
            if assignee_id is None and raw_assignee is not None:
                assignee_id = workers[raw_assignee] = uuid.UUID(str(raw_assignee))
            decision = decided.get((path, assignee_id))
            if decision is None:
                decision = next_in_chain(chains.get(path, []), assignee_id)
                decided[(path, assignee_id)] = decision
            target, skipped = decision
            skipped_notes += [
                IncidentStep(
                    incident_id=pk,
                    step=Step.NOTE,
                    at=now,
                    worker_id=link.worker_id,
                    reason=StepReason.NO_LOGIN,
                )
                for link in skipped
            ]
            if target is None:
                groups[(None, clock, None)].append(pk)
                continue
            span = spans.get((kind, severity, clock))
            if span is None:
                span = spans[(kind, severity, clock)] = policies.limits(kind, severity).span(clock)
            due = now + span
            groups[(target.worker_id, clock, due)].append(pk)
            user_id = target.worker.user_id
            if user_id is not None:
                escalated[user_id].append((pk, kind, area_name, clock, place, area_id))
        # Back to a UUID for the link of a person told of one incident (SQLite returns hex).
        for user_id, incidents in escalated.items():
            if len(incidents) == 1:
                pk, kind, area_name, clock, place, area_id = incidents[0]
                escalated[user_id] = [(uuid.UUID(str(pk)), kind, area_name, clock, place, area_id)]

        # The limit missed, by whoever held the incident (before it moves).
        for ids in _chunks([row[0] for row in rows]):
            _timeline(Step.MISSED, now, ids, assignee=True)
        IncidentStep.objects.bulk_create(skipped_notes, batch_size=1000)
        # Every claimed incident moves in a few statements, not one per group: per chunk of
        # ids, one UPDATE whose new assignee and limits are CASEs over the chunk's groups,
        # then the chunk's timeline lines read back from the rows.
        plan = [(key, pk) for key, ids in groups.items() for pk in ids]
        for chunk in _chunks(plan):
            by_group: dict[tuple[Any, str, dt.datetime | None], list[Any]] = defaultdict(list)
            for key, pk in chunk:
                by_group[key].append(pk)
            _move_chunk(by_group, now)
            moved = [pk for (worker_id, _c, _d), ids in by_group.items() if worker_id for pk in ids]
            stopped = [
                pk for (worker_id, _c, _d), ids in by_group.items() if not worker_id for pk in ids
            ]
            if moved:
                _timeline(Step.ESCALATED, now, moved, assignee=True)
            if stopped:
                _timeline(Step.NOTE, now, stopped, reason=StepReason.NOBODY_ABOVE)
        told = _messages(escalated)
        notify_each(told, at=now)
        record(
            WORKER,
            AuditEvent.INCIDENT_ESCALATE,
            details={"incidents": len(rows), "people_told": len(told)},
        )
    return len(rows)
