"""The demo district's door-to-door service: open requests from the households that stay
in, in every state, so a newcomer sees the loop from the call to the delivery.

The households are read from the other apps at build time: those with someone under a
home measure (key persons), then those of the lockdown and control areas (risk levels),
the logins' grid first. When the district has neither, the first grid's households are
served as exceptions (the reason says so) and `build_demo_services` reports it. The past
is replayed through the actions at past times, then the overdue check itself raises the
late request's incident, so timelines, limits and the incident are what the real loop
writes. Figures on the pages are counted from these rows, never typed.
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import F

from wangge.areas.models import Area
from wangge.core.scoping import overlapping, subtree_q
from wangge.keypersons.choices import KeyPersonStatus
from wangge.keypersons.models import KeyPerson
from wangge.residents.models import Household
from wangge.risk.models import AreaRiskLevel
from wangge.services import actions
from wangge.services.actions import Acting, HandoutLine, NewRequest
from wangge.services.choices import ServiceStatus
from wangge.services.models import ServiceRequest, SupplyHandout
from wangge.services.selectors import CLOSED_LEVELS, HOME_MEASURES
from wangge.workforce.choices import WorkerKind
from wangge.workforce.models import Worker

EXCEPTION = "演示：本区尚无封控区、管控区或居家隔离人员，按特殊困难户服务"

# (kind, care, urgency, detail, what happens, hours ago it was asked)
PLAN = [
    ("emergency", "", "emergency", "老人胸闷，需送医", "late", 2.0),
    ("groceries", "", "routine", "大米 10 斤、青菜、鸡蛋", "delivered", 26.0),
    ("medicine", "", "urgent", "降压药（硝苯地平缓释片）", "delivered", 20.0),
    ("medical_care", "dialysis", "urgent", "周三透析，需闭环转运", "delivered", 5.0),
    ("groceries", "", "routine", "奶粉 2 罐、尿不湿", "on_the_way", 6.0),
    ("medicine", "", "urgent", "胰岛素", "on_the_way", 1.5),
    ("medical_care", "pregnancy", "routine", "孕 28 周产检", "accepted", 3.0),
    ("groceries", "", "routine", "蔬菜包", "assigned", 2.5),
    ("medical_care", "chemotherapy", "urgent", "化疗复诊", "requested", 0.8),
    ("groceries", "", "routine", "米面油", "requested", 1.2),
    ("other", "", "routine", "代缴电费", "requested", 0.4),
    ("groceries", "", "routine", "蔬菜包", "cancelled", 7.0),
]
SUPPLIES = {
    "groceries": [
        HandoutLine("rice", Decimal(5), "kg"),
        HandoutLine("vegetables", Decimal(3), "kg"),
    ],
    "medicine": [HandoutLine("medicine", Decimal(2), "盒")],
    "medical_care": [HandoutLine("masks", Decimal(10), "个")],
}


@dataclass(frozen=True)
class DemoServices:
    requests: int
    late: int
    handouts: int
    # Why the households were chosen ("key persons", "risk levels" or the exception).
    source: str


def demo_services_exist(district: Area) -> bool:
    return ServiceRequest.objects.filter(subtree_q([district.path], "area__path")).exists()


def remove_demo_services(district: Area) -> int:
    """Delete the district's handouts and requests (the demo's and any recorded while
    trying it), before a reset removes the areas; how many requests."""
    SupplyHandout.objects.filter(subtree_q([district.path], "area__path")).delete()
    _deleted, by_model = ServiceRequest.objects.filter(
        subtree_q([district.path], "area__path")
    ).delete()
    return by_model.get(ServiceRequest._meta.label, 0)


def _households(district: Area, favour: Area | None) -> tuple[list[Household], str]:
    """Households that may ask: key persons' first, then the closed areas' (the favoured
    grid first); the source they came from."""
    chosen: dict[int, Household] = {}
    sources = []
    people = (
        KeyPerson.objects.filter(
            subtree_q([district.path], "area__path"),
            status=KeyPersonStatus.UNDER_MEASURE,
            measure__in=sorted(HOME_MEASURES),
            household__isnull=False,
        )
        .select_related("household__grid")
        .order_by("area__path", "pk")[:4]
    )
    for person in people:
        assert person.household is not None  # noqa: S101 (filtered above)
        chosen.setdefault(person.household.pk, person.household)
    if chosen:
        sources.append("key persons")
    closed = list(
        AreaRiskLevel.objects.filter(ended_at__isnull=True, level__in=sorted(CLOSED_LEVELS))
        .filter(overlapping([district.path], "area__path"))
        .select_related("area")
    )
    if closed:
        grids = list(
            Area.objects.filter(subtree_q([setting.area.path for setting in closed], "path"))
            .filter(subtree_q([district.path], "path"))
            .grids()
            .order_by("path")[:50]
        )
        if favour is not None and favour in grids:
            grids.remove(favour)
            grids.insert(0, favour)
        for grid in grids:
            for household in (
                Household.objects.filter(grid=grid)
                .select_related("grid")
                .order_by("sort_key", "pk")[: len(PLAN)]
            ):
                chosen.setdefault(household.pk, household)
            if len(chosen) >= len(PLAN):
                break
        sources.append("risk levels")
    if chosen:
        return list(chosen.values())[: len(PLAN)], " + ".join(sources)
    with_households = Area.objects.within(district).grids().filter(households__isnull=False)
    grid = (
        favour
        if favour is not None and with_households.filter(pk=favour.pk).exists()
        else with_households.order_by("path").first()
    )
    if grid is None:
        return [], "no grid"
    households = list(
        Household.objects.filter(grid=grid)
        .select_related("grid")
        .order_by("sort_key", "pk")[: len(PLAN)]
    )
    return households, f"exception: first grid {grid.name}"


def _assignee(household: Household) -> Worker | None:
    """A volunteer serving the household's grid (one with a login first), else anyone."""
    workers = actions.assignable_workers_of(household.grid)
    found: Worker | None = (
        workers.filter(kind=WorkerKind.VOLUNTEER)
        .order_by(F("user").asc(nulls_last=True), "pk")
        .first()
        or workers.order_by(F("user").asc(nulls_last=True), "pk").first()
    )
    return found


def build_demo_services(
    district: Area,
    *,
    seed: int,
    acting_user: Acting,
    at: dt.datetime,
    favour: Area | None = None,
) -> DemoServices:
    """Requests in every state (new, assigned, accepted, on the way, delivered with
    supplies, cancelled, one late with its incident). Idempotent: a district that has
    requests keeps them."""
    if demo_services_exist(district):
        return DemoServices(0, 0, 0, "already built")
    households, source = _households(district, favour)
    if not households:
        return DemoServices(0, 0, 0, source)
    exception = EXCEPTION if source.startswith("exception") else ""
    rng = random.Random(seed)  # noqa: S311 (demo data, not secrets)
    made = late = handed = 0
    for index, (kind, care, urgency, detail, state, hours) in enumerate(PLAN):
        household = households[index % len(households)]
        asked = at - dt.timedelta(hours=hours, minutes=rng.randrange(0, 20))
        request = actions.record_request(
            household,
            NewRequest(
                kind=kind,
                urgency=urgency,
                channel=rng.choice(["phone", "phone", "visit", "app"]),
                detail=detail,
                care=care,
                override_reason=exception,
            ),
            at=asked,
            acting_user=acting_user,
        )
        made += 1
        if state == "requested":
            continue
        if state == "cancelled":
            actions.cancel(
                request,
                reason="家属已送达",
                at=asked + dt.timedelta(hours=1),
                acting_user=acting_user,
            )
            continue
        worker = _assignee(household)
        if worker is None:
            continue
        step_at = asked + dt.timedelta(minutes=10)
        actions.assign(request, worker=worker, at=step_at, acting_user=acting_user)
        steps = {
            "late": [ServiceStatus.ACCEPTED],
            "accepted": [ServiceStatus.ACCEPTED],
            "on_the_way": [ServiceStatus.ACCEPTED, ServiceStatus.ON_THE_WAY],
            "delivered": [
                ServiceStatus.ACCEPTED,
                ServiceStatus.ON_THE_WAY,
                ServiceStatus.DELIVERED,
            ],
        }.get(state, [])
        limit = request.due_at - step_at
        for number, status in enumerate(steps, start=1):
            step_at = step_at + min(limit / 4, dt.timedelta(minutes=40)) * number / len(steps)
            lines = SUPPLIES.get(kind, []) if status == ServiceStatus.DELIVERED else []
            actions.advance(
                request,
                status,
                note="已送到门口，电话告知户主" if status == ServiceStatus.DELIVERED else "",
                handouts=lines,
                at=step_at,
                acting_user=acting_user,
            )
            handed += len(lines)
    # The overdue check of the worker, now: the late request raises its incident.
    late = actions.escalate_overdue(at)
    return DemoServices(made, late, handed, source)
