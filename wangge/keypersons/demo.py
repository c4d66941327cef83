"""The demo district's key persons: in the lockdown compound and the control area, of every
category and measure, with their checks and tests, so that some are overdue today, one is
flagged, one turned positive, one is ready for release and one was released.

The places are read from the risk levels (`risk.selectors`): a grid whose effective level
is lockdown, and one whose level is control. When the demo has no such area yet (the risk
levels are set by their own demo, which may run later), the logins' grid stands for the
lockdown compound and the next grid of its community for the control area; the command
says so. Everything goes through the actions, at past times, as the grid would have
recorded it."""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.core.scoping import subtree_q
from wangge.keypersons import actions
from wangge.keypersons.choices import Category, KeyPersonStatus, Measure, ScheduledResult
from wangge.keypersons.models import KeyPerson
from wangge.lib.idnumbers import make_resident_card_number
from wangge.residents.models import Resident
from wangge.risk.choices import RiskLevel
from wangge.risk.models import AreaRiskLevel
from wangge.risk.selectors import effective_levels

SYSTEM = Actor(user=None, label="wangge demo")
TZ_HOUR = 9


def _key(district: Area, name: str) -> str:
    return f"demo.keypersons:{district.pk}:{name}"


def demo_keypersons_exist(district: Area) -> bool:
    return KeyPerson.objects.filter(source_key__startswith=_key(district, "")).exists()


def remove_demo_keypersons(district: Area) -> int:
    """Delete every key person of the district (their tests and checks go with them),
    before a demo reset removes the areas; how many."""
    _deleted, by_model = KeyPerson.objects.filter(subtree_q([district.path], "area__path")).delete()
    return by_model.get(KeyPerson._meta.label, 0)


@dataclass(frozen=True)
class DemoPlaces:
    lockdown: Area
    control: Area
    from_risk_levels: bool


def _first_grid(area: Area) -> Area | None:
    if area.is_grid:
        return area
    grid: Area | None = Area.objects.within(area).grids().order_by("path").first()
    return grid


def demo_places(district: Area, favour: Area | None = None) -> DemoPlaces:
    """The lockdown compound and a grid of the control area (module docstring)."""
    found: dict[str, Area] = {}
    settings = (
        AreaRiskLevel.objects.filter(
            ended_at__isnull=True,
            level__in=[RiskLevel.LOCKDOWN, RiskLevel.CONTROL],
            area__path__startswith=district.path,
        )
        .select_related("area")
        .order_by("area__path")
    )
    grids = {s.level: _first_grid(s.area) for s in settings}
    levels = effective_levels([g for g in grids.values() if g is not None])
    for wanted in (RiskLevel.LOCKDOWN, RiskLevel.CONTROL):
        grid = grids.get(wanted)
        if grid is not None and levels[grid.pk].level == wanted:
            found[wanted] = grid
    if len(found) == 2:
        return DemoPlaces(found[RiskLevel.LOCKDOWN], found[RiskLevel.CONTROL], True)
    first = favour or Area.objects.within(district).grids().order_by("path").first()
    if first is None:
        raise ValueError("the demo district has no grid")
    parent = Area.objects.get_parent(first)
    siblings = Area.objects.within(parent).grids().exclude(pk=first.pk).order_by("path")
    second = siblings.first() or first
    return DemoPlaces(
        found.get(RiskLevel.LOCKDOWN, first), found.get(RiskLevel.CONTROL, second), False
    )


# name, place, category, measure, days since start, tests (day → result), today's check
# (temperature or None), released days ago (None: still followed)
SCENARIOS: list[tuple[str, str, str, str, int, dict[int, str], str | None, int | None]] = [
    (
        "ready",
        "lockdown",
        Category.CLOSE_CONTACT,
        Measure.CENTRALISED_QUARANTINE,
        8,
        {1: "negative", 2: "negative", 3: "negative", 5: "negative", 7: "negative"},
        "36.4",
        None,
    ),
    (
        "test_overdue",
        "lockdown",
        Category.CLOSE_CONTACT,
        Measure.CENTRALISED_QUARANTINE,
        3,
        {1: "negative", 2: "negative"},
        None,
        None,
    ),
    (
        "on_track",
        "lockdown",
        Category.SECONDARY_CONTACT,
        Measure.HOME_QUARANTINE,
        2,
        {1: "negative"},
        "36.6",
        None,
    ),
    (
        "pending",
        "lockdown",
        Category.SECONDARY_CONTACT,
        Measure.HOME_QUARANTINE,
        4,
        {1: "negative", 4: "pending"},
        "36.5",
        None,
    ),
    ("fever", "control", Category.RETURNEE, Measure.HOME_MONITORING, 1, {}, "37.8", None),
    ("no_check", "control", Category.CHECKPOINT_FEVER, Measure.HOME_QUARANTINE, 0, {}, None, None),
    ("code", "control", Category.CHECKPOINT_CODE, Measure.HOME_MONITORING, 1, {}, "36.3", None),
    (
        "positive",
        "lockdown",
        Category.CLOSE_CONTACT,
        Measure.CENTRALISED_QUARANTINE,
        4,
        {1: "negative", 2: "negative", 3: "positive"},
        "37.1",
        None,
    ),
    ("other", "control", Category.OTHER, Measure.HOME_QUARANTINE, 2, {1: "negative"}, "36.2", None),
    (
        "released",
        "control",
        Category.SECONDARY_CONTACT,
        Measure.HOME_QUARANTINE,
        10,
        {1: "negative", 4: "negative", 7: "negative"},
        None,
        3,
    ),
]
# Who is not in the registry (a visitor, a returnee staying with family): named and sealed.
NAMED = {"fever": "返兰人员", "no_check": "卡口来客"}


def _at(day: dt.date, hour: int = TZ_HOUR) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=timezone.get_current_timezone())


def build_demo_keypersons(
    district: Area, *, seed: int, today: dt.date, favour: Area | None = None
) -> DemoPlaces:
    """The key persons of SCENARIOS (module docstring); the places they were put in."""
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    places = demo_places(district, favour)
    grids = {"lockdown": places.lockdown, "control": places.control}
    used: set[int] = set(
        KeyPerson.objects.filter(status=KeyPersonStatus.UNDER_MEASURE).values_list(
            "resident_id", flat=True
        )
    )
    available = {
        name: [
            r for r in Resident.objects.filter(grid=grid).order_by("pk")[:60] if r.pk not in used
        ]
        for name, grid in grids.items()
    }
    now = timezone.now()
    with transaction.atomic():
        for index, (name, place, category, measure, age, tests, check, released) in enumerate(
            SCENARIOS
        ):
            started = today - dt.timedelta(days=age)
            grid = grids[place]
            person: actions.NamedPerson | Resident
            if name in NAMED or not available[place]:
                birth = dt.date(1960, 1, 1) + dt.timedelta(days=rng.randrange(0, 20000))
                person = actions.NamedPerson(
                    name=NAMED.get(name, f"来访人员{index}"),
                    id_number=make_resident_card_number(
                        "620103", birth, rng.randrange(1, 999), "M"
                    ),
                    phone=f"139{rng.randrange(10**8):08d}",
                    address=f"{grid.name}临时住址{index + 1}号",
                )
            else:
                person = available[place].pop(rng.randrange(len(available[place])))
            key_person = actions.place_under_measure(
                person,
                category=category,
                measure=measure,
                started_on=started,
                area=grid,
                source_key=_key(district, name),
                acting_user=SYSTEM,
            )
            last_day = today - dt.timedelta(days=released) if released is not None else today
            day = started
            while day < last_day:  # a check every past day of the measure
                temperature = Decimal(f"36.{rng.randrange(1, 8)}")
                actions.record_health_check(
                    key_person,
                    temperature=temperature,
                    checked_at=_at(day, 8 + rng.randrange(3)),
                    acting_user=SYSTEM,
                )
                day += dt.timedelta(days=1)
            if check is not None and _at(today, 8) <= now:
                actions.record_health_check(
                    key_person,
                    temperature=Decimal(check),
                    symptoms=["fever"] if Decimal(check) >= Decimal("37.3") else [],
                    checked_at=_at(today, 8),
                    acting_user=SYSTEM,
                )
            for test in key_person.tests.order_by("day"):
                result = tests.get(test.day)
                if result is None:
                    continue
                sampled = min(_at(test.due_on, 10), now)
                actions.record_test(
                    test,
                    result=ScheduledResult(result),
                    sampled_at=sampled,
                    place=f"{grid.name}采样点",
                    acting_user=SYSTEM,
                )
            if released is not None:
                actions.release(
                    key_person, note="期满解除", at=_at(last_day, 11), acting_user=SYSTEM
                )
    return places
