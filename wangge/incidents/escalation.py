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
3. for each incident the next person up its chain with a login; the incidents going to
   the same person with the same new limit are moved by one UPDATE per group (which also
   releases the claim);
4. the timeline lines (limit missed, escalated, people skipped) in bulk inserts, the
   notifications to the people escalated to in bulk inserts, one audit entry for the pass.

Everything runs in one transaction: a pass that dies leaves nothing half done.
"""

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Subquery

from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor, record
from wangge.incidents import messages
from wangge.incidents.choices import CLOCK_OF_STATUS, Step, StepReason
from wangge.incidents.clocks import DUE_FIELD, Policies
from wangge.incidents.models import Incident, IncidentStep
from wangge.incidents.routing import chains_for_paths, next_in_chain
from wangge.notifications.actions import Message, notify_each

WORKER = Actor(user=None, source="worker", label="worker")
CLOCKED = tuple(CLOCK_OF_STATUS)
# Ids per UPDATE … WHERE id IN (…): well under every database's limit of parameters.
CHUNK = 900


def _chunks(items: list[Any]) -> list[list[Any]]:
    return [items[start : start + CHUNK] for start in range(0, len(items), CHUNK)]


def escalate_due(now: dt.datetime, *, only: Iterable[uuid.UUID] | None = None) -> int:
    """Escalate every incident whose running clock ran out by `now` (of `only`, if given:
    the demo replays its own incidents' past); how many."""
    with transaction.atomic():
        token = uuid.uuid4()
        candidates = Incident.objects.filter(
            due_at__lte=now, status__in=CLOCKED, claim__isnull=True
        )
        if only is not None:
            candidates = candidates.filter(pk__in=list(only))
        overdue = (
            candidates.order_by("due_at")
            .values("pk")[: settings.WANGGE_INCIDENT_ESCALATION_BATCH]
        )
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
        steps: list[IncidentStep] = []
        told: list[tuple[list[Any], Message, int]] = []
        for pk, kind, severity, status, clock, assignee_id, area_id, path, area_name, place in rows:
            clock = clock or CLOCK_OF_STATUS[status]
            steps.append(
                IncidentStep(incident_id=pk, step=Step.MISSED, at=now, clock=clock, worker_id=assignee_id)
            )
            target, skipped = next_in_chain(chains.get(path, []), assignee_id)
            steps += [
                IncidentStep(
                    incident_id=pk, step=Step.NOTE, at=now, worker_id=link.worker_id,
                    reason=StepReason.NO_LOGIN,
                )
                for link in skipped
            ]
            if target is None:
                steps.append(
                    IncidentStep(
                        incident_id=pk, step=Step.NOTE, at=now, clock=clock,
                        reason=StepReason.NOBODY_ABOVE,
                    )
                )
                groups[(None, clock, None)].append(pk)
                continue
            due = now + policies.limits(kind, severity).span(clock)
            groups[(target.worker_id, clock, due)].append(pk)
            steps.append(
                IncidentStep(
                    incident_id=pk, step=Step.ESCALATED, at=now, clock=clock,
                    worker_id=target.worker_id,
                )
            )
            message = messages.escalated(
                incident_id=pk, kind=kind, area=area_name, clock=clock, place=place
            )
            told.append(([target.worker.user], message, area_id))
        for (worker_id, clock, due), ids in groups.items():
            changes: dict[str, Any] = {"claim": None, "missed": F("missed") + 1, "updated_at": now}
            if worker_id is None:
                # Nobody above: the clock stops where it is.
                changes["due_at"] = None
            else:
                changes.update(
                    {
                        "assignee_id": worker_id,
                        "escalation_step": F("escalation_step") + 1,
                        "clock": clock,
                        "due_at": due,
                        DUE_FIELD[clock]: due,
                    }
                )
            for chunk in _chunks(ids):
                Incident.objects.filter(claim=token, pk__in=chunk).update(**changes)
        IncidentStep.objects.bulk_create(steps, batch_size=1000)
        notify_each(told, at=now)
        record(
            WORKER,
            AuditEvent.INCIDENT_ESCALATE,
            details={"incidents": len(rows), "escalated": len(told)},
        )
    return len(rows)
