"""The demo district's incidents: one in every state, so a newcomer sees the whole loop.

Built on whatever workforce exists (the demo's own builder makes the workers and their
responsibilities): grids with a stationed cadre who can sign in are preferred, so that the
demo logins find incidents assigned to them; without any, the incidents are still made
(unassigned, with the note that nobody can sign in). The past is replayed through the
actions and the escalation pass itself at past times, so timelines, clocks and figures
are what the real loop would have written.
"""

import datetime as dt
import random
import uuid

from django.db import transaction

from wangge.areas.models import Area
from wangge.audit.events import AuditEvent
from wangge.audit.log import record
from wangge.core.scoping import subtree_q
from wangge.incidents import actions
from wangge.incidents.actions import Acting
from wangge.incidents.choices import IncidentKind, IncidentSeverity, IncidentSource
from wangge.incidents.escalation import escalate_due
from wangge.incidents.models import Incident
from wangge.workforce.models import Responsibility

PLACES = ["1号采样点", "东门卡口", "3号楼2单元", "小区广场", "南门", "物业服务中心"]


def _key(district: Area, name: str) -> str:
    return f"demo.incidents:{district.pk}:{name}"


def demo_incidents_exist(district: Area) -> bool:
    return Incident.objects.filter(source_key__startswith=_key(district, "")).exists()


def remove_demo_incidents(district: Area) -> int:
    """Delete every incident of the district (the demo's, the ones its rounds raised and
    any reported while trying it), before a demo reset removes the areas; how many."""
    _deleted, by_model = Incident.objects.filter(subtree_q([district.path], "area__path")).delete()
    return by_model.get(Incident._meta.label, 0)


def _grids(district: Area, at: dt.datetime, rng: random.Random) -> list[Area]:
    """Grids whose stationed cadre can sign in first (the demo logins'), then other grids
    with a stationed cadre, then any grid."""
    held = (
        Responsibility.objects.active_at(at)
        .filter(
            area__path__startswith=district.path,
            duty__code="stationed_cadre_grid",
            household__isnull=True,
        )
        .select_related("area", "worker")
        .order_by("area__path")
    )
    with_login = [link.area for link in held if link.worker.user_id is not None]
    others = [link.area for link in held if link.worker.user_id is None]
    rng.shuffle(others)
    grids = with_login + others
    if not grids:
        grids = list(Area.objects.within(district).grids().order_by("path")[:20])
    return list(dict.fromkeys(grids))


def _assignee_user(incident: Incident) -> Acting:
    incident.refresh_from_db()
    if incident.assignee is not None and incident.assignee.user is not None:
        return incident.assignee.user
    return None


def build_demo_incidents(district: Area, *, seed: int, acting_user: Acting, at: dt.datetime) -> int:
    """Incidents in the district in every state (open, acknowledged, on site, reported up,
    closed, escalated once and twice, one raised by the system); how many were made.
    Idempotent: a district that has them keeps them."""
    if demo_incidents_exist(district):
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by its seed
    grids = _grids(district, at, rng)
    if not grids:
        return 0

    def grid(index: int) -> Area:
        return grids[index % len(grids)]

    def minutes(n: float) -> dt.datetime:
        return at - dt.timedelta(minutes=n)

    def raise_(
        name: str, index: int, kind: str, severity: str, ago: float, **extra: object
    ) -> Incident:
        return actions.raise_incident(
            kind,
            severity,
            grid(index),
            place=rng.choice(PLACES),
            source_key=_key(district, name),
            incident_id=uuid.UUID(int=rng.getrandbits(128), version=4),
            at=minutes(ago),
            acting_user=acting_user,
            **extra,  # type: ignore[arg-type]
        )

    made: list[Incident] = []
    with transaction.atomic():
        # Escalated twice: nobody acknowledged within 30 minutes, twice; the third acknowledged.
        twice = raise_("twice", 0, IncidentKind.CROWDING, IncidentSeverity.MEDIUM, 100)
        escalate_due(minutes(69), only=[twice.pk])
        escalate_due(minutes(38), only=[twice.pk])
        actions.acknowledge(twice, at=minutes(5), acting_user=_assignee_user(twice))
        # Escalated once, then acknowledged by the person it went to.
        once = raise_("once", 1, IncidentKind.SUPPLY, IncidentSeverity.MEDIUM, 50)
        escalate_due(minutes(19), only=[once.pk])
        actions.acknowledge(once, at=minutes(10), acting_user=_assignee_user(once))
        made += [twice, once]

        fresh = raise_("open", 0, IncidentKind.FEVER, IncidentSeverity.HIGH, 3)
        acknowledged = raise_("acknowledged", 2, IncidentKind.REFUSAL, IncidentSeverity.LOW, 20)
        actions.acknowledge(acknowledged, at=minutes(12), acting_user=_assignee_user(acknowledged))
        on_site = raise_("on_site", 0, IncidentKind.MEDICAL, IncidentSeverity.CRITICAL, 25)
        user = _assignee_user(on_site)
        actions.acknowledge(on_site, at=minutes(23), acting_user=user)
        actions.arrive(on_site, at=minutes(10), acting_user=user)
        reported = raise_("reported_up", 3, IncidentKind.UNREST, IncidentSeverity.HIGH, 90)
        user = _assignee_user(reported)
        actions.acknowledge(reported, at=minutes(84), acting_user=user)
        actions.arrive(reported, at=minutes(60), acting_user=user)
        actions.report_up(reported, note="已劝离，秩序恢复", at=minutes(40), acting_user=user)
        closed = raise_("closed", 1, IncidentKind.CROWDING, IncidentSeverity.MEDIUM, 300)
        user = _assignee_user(closed)
        actions.acknowledge(closed, at=minutes(290), acting_user=user)
        actions.arrive(closed, at=minutes(260), acting_user=user)
        actions.report_up(
            closed, note="增开两个采样台，排队缓解", at=minutes(240), acting_user=user
        )
        actions.close(closed, note="", at=minutes(200), acting_user=acting_user)
        system = raise_(
            "system",
            2,
            IncidentKind.OTHER,
            IncidentSeverity.MEDIUM,
            15,
            description="本轮采样进度停滞（演示）",
            source=IncidentSource.COVERAGE_STALL,
        )
        made += [fresh, acknowledged, on_site, reported, closed, system]
        record(
            acting_user,
            AuditEvent.DEMO_INCIDENTS,
            obj=district,
            area_path=district.path,
            details={"incidents": len(made), "seed": seed},
        )
    return len(made)
