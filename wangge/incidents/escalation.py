"""The escalation pass: incidents whose running clock has run out move up the chain.

Run by the worker on every turn of its loop (a drain, registered in IncidentsConfig.ready).
Built for thousands of overdue incidents at once (a district-wide outage of the network
leaves them all overdue together), set-based, never a query per incident:

1. **claim**: one conditional UPDATE sets this pass's token on the overdue incidents
   (running clock, `due_at` passed, not claimed), at most WANGGE_INCIDENT_ESCALATION_BATCH;
   the rows carrying the token are this pass's and no other's (Healthchecks' sendalerts
   claims one row and checks that exactly one changed; this is the same test for a set:
   a concurrent pass re-checks the condition after the lock and finds them taken);
2. **chains**: the chains of every area involved, from one query (`routing.chains_for_paths`);
3. for each incident the next person up its chain with a login (decided once per area and
   holder); per chunk of ids, one UPDATE per new limit (a few: kinds and severities) sets
   the new assignees as a CASE over the people, counts the miss and releases the claim;
4. the timeline lines (limit missed, escalated, nobody above) written by the database from
   the claimed rows (INSERT … SELECT), the people skipped in a bulk insert;
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
from django.db.models import Case, F, Subquery, UUIDField, Value, When

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
    step: str,
    now: dt.datetime,
    *,
    token: uuid.UUID | None = None,
    ids: list[Any] | None = None,
    assignee: bool = False,
    reason: str = "",
) -> None:
    """One timeline line per incident, written by the database itself (INSERT … SELECT:
    thousands of lines without a Python object each): for every incident this pass holds
    (`token`), or for `ids`; the line names the incident's assignee as it is now (for a
    line of the pass, or with `assignee`) or nobody."""
    steps, incidents = table(IncidentStep), table(Incident)
    at = IncidentStep._meta.get_field("at").get_db_prep_value(now, connection)
    pk_field = Incident._meta.get_field("id")
    if token is not None:
        worker_sql = column(Incident, "assignee")
        claim = Incident._meta.get_field("claim").get_db_prep_value(token, connection)
        where, where_params = f"{column(Incident, 'claim')} = %s", [claim]
    else:
        worker_sql = column(Incident, "assignee") if assignee else "NULL"
        where = f"{column(Incident, 'id')} IN ({', '.join(['%s'] * len(ids or []))})"
        where_params = [pk_field.get_db_prep_value(pk, connection) for pk in ids or []]
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {steps} ({column(IncidentStep, 'incident')}, "  # noqa: S608
            f"{column(IncidentStep, 'step')}, {column(IncidentStep, 'at')}, "
            f"{column(IncidentStep, 'clock')}, {column(IncidentStep, 'worker')}, "
            f"{column(IncidentStep, 'note')}, {column(IncidentStep, 'reason')}) "
            f"SELECT {column(Incident, 'id')}, %s, %s, {column(Incident, 'clock')}, {worker_sql}, "
            f"'', %s FROM {incidents} WHERE {where} ORDER BY {column(Incident, 'id')}",
            [step, at, reason, *where_params],
        )


def _move_chunk(
    by_group: dict[tuple[Any, str, dt.datetime | None], list[Any]], now: dt.datetime
) -> None:
    """Move a chunk of claimed incidents: one UPDATE per new limit (a few: kinds and
    severities), its new assignees a CASE over the people; the incidents with nobody above
    in one more (their clock stops). Each counts the miss and releases the claim."""
    by_limit: dict[tuple[str, dt.datetime], dict[Any, list[Any]]] = defaultdict(dict)
    stopped: list[Any] = []
    for (worker_id, clock, new_due), ids in by_group.items():
        if worker_id is None or new_due is None:
            stopped += ids
        else:
            by_limit[(clock, new_due)].setdefault(worker_id, []).extend(ids)
    common: dict[str, Any] = {"missed": F("missed") + 1, "updated_at": now, "claim": None}
    # By primary key: the claim's index would make the database read every claimed row.
    for (clock, new_due), people in by_limit.items():
        ids = [pk for pks in people.values() for pk in pks]
        assignee: Any = Case(
            *[
                When(pk__in=pks, then=Value(worker_id, output_field=UUIDField()))
                for worker_id, pks in people.items()
            ],
            default=F("assignee_id"),
        )
        Incident.objects.filter(pk__in=ids).update(
            assignee_id=assignee,
            escalation_step=F("escalation_step") + 1,
            clock=clock,
            due_at=new_due,
            **{DUE_FIELD[clock]: new_due},
            **common,
        )
    if stopped:
        Incident.objects.filter(pk__in=stopped).update(due_at=None, **common)


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
        token = uuid.uuid4()
        candidates = Incident.objects.filter(
            due_at__lte=now, status__in=CLOCKED, claim__isnull=True
        )
        if only is not None:
            candidates = candidates.filter(pk__in=list(only))
        overdue = candidates.order_by("due_at").values("pk")[
            : settings.WANGGE_INCIDENT_ESCALATION_BATCH
        ]
        claimed = Incident.objects.filter(
            pk__in=Subquery(overdue), due_at__lte=now, status__in=CLOCKED, claim__isnull=True
        ).update(claim=token)
        if not claimed:
            return 0
        rows = list(
            Incident.objects.filter(claim=token).values_list(
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
            )
        )
        policies = Policies()
        chains = chains_for_paths({row[7] for row in rows}, now)
        groups: dict[tuple[Any, str, dt.datetime | None], list[Any]] = defaultdict(list)
        skipped_notes: list[IncidentStep] = []
        escalated: dict[int, list[tuple[Any, str, str, str, str, int]]] = defaultdict(list)
        # Incidents of one area held by one person go to the same next person: decided once.
        decided: dict[tuple[str, Any], tuple[Responsibility | None, list[Responsibility]]] = {}
        spans: dict[tuple[str, str, str], dt.timedelta] = {}
        for pk, kind, severity, status, clock, assignee_id, area_id, path, area_name, place in rows:
            clock = clock or CLOCK_OF_STATUS[status]
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

        # The limit missed, by whoever held the incident (before it moves).
        _timeline(Step.MISSED, now, token=token)
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
                _timeline(Step.ESCALATED, now, ids=moved, assignee=True)
            if stopped:
                _timeline(Step.NOTE, now, ids=stopped, reason=StepReason.NOBODY_ABOVE)
        told = _messages(escalated)
        notify_each(told, at=now)
        record(
            WORKER,
            AuditEvent.INCIDENT_ESCALATE,
            details={"incidents": len(rows), "people_told": len(told)},
        )
    return len(rows)
