"""Testing rounds for the demo district: one finished, one in progress, the whole flow.

`build_demo_rounds` (called by `wangge demo` after the district is built) adds:
- a finished round over the district, closed: most residents sampled at numbered sampling
  points and by door-to-door teams, tubes packed into boxes, shipped, received, resulted;
  one positive pool whose members were all retested alone (the recall is closed);
- a round in progress: coverage uneven across the streets, some tubes still open at their
  points, some boxes on the road, results for most of the rest, one positive pool with its
  recall list — part of its members already retested (one of them positive: a case for
  closed-loop control), the others still to find;
- a few exemptions with their reasons, a door-to-door team per street with its homes;
- follow-ups of the round in progress: in every grid a few of the untested were called
  (reached, will come — some past their time —, not reachable, refusing, away).

Rounds, points, teams, exemptions, follow-ups, boxes and results go through the actions (audited as
in real use). The registrations themselves — a hundred thousand and more — are written in
bulk exactly as the station upload stores them (`actions.registrations.storing.register_batch`):
Registration rows, the tube's `filled`, and a `RoundSample` per person with `counted` from
the round's expectation rule. The station path needs a device per area and validates item
by item; a demo of 100,000 residents is written in seconds this way instead.
"""

import datetime as dt
import random
import uuid
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import models, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.bulk import BatchSql
from wangge.lib.uuid7 import uuid7
from wangge.residents.choices import HOME_VISIT_TAGS
from wangge.residents.models import Resident
from wangge.testing.actions import rounds as round_actions
from wangge.testing.actions.followups import record_followup
from wangge.testing.actions.registrations.sql import REGISTRATION_FIELDS, SAMPLE_FIELDS
from wangge.testing.actions.results import ResultItem, record_results
from wangge.testing.choices import (
    ExemptionReason,
    FollowUpOutcome,
    ResultSource,
    SamplingMode,
    TestResult,
    TubeStatus,
    VisitOutcome,
)
from wangge.testing.expectation import expected_residents
from wangge.testing.models import (
    DoorToDoorTeam,
    HomeVisit,
    LabResult,
    PositiveCase,
    Recall,
    Registration,
    Round,
    RoundSample,
    SamplingPoint,
    Shipment,
    Tube,
    WalkIn,
)

Acting = User | Actor | None

FINISHED_NAME = "第一轮全员核酸检测"
CURRENT_NAME = "第二轮全员核酸检测"
DEMO_ACTION = AuditEvent.DEMO_ROUNDS
PEOPLE_PER_POINT = 2500
BOX_SIZE = 100
BATCH = 5000
LABORATORY = "兰州市疾病预防控制中心实验室"


@dataclass
class _Person:
    pk: int
    grid_id: int
    household_id: int
    home_visit: bool


@dataclass
class _Plan:
    """What one round's registrations will be, before they are written."""

    round: Round
    start: dt.datetime
    points: dict[int, SamplingPoint]  # community id → a point there
    teams: dict[int, DoorToDoorTeam]  # street id → its team
    tubes: list[Tube] = field(default_factory=list)
    # (tube index, client id, resident, mode, sampled at, grid, home visit)
    registrations: list[tuple[int, uuid.UUID, int, str, dt.datetime, int, bool]] = field(
        default_factory=list
    )
    # (client id, household, team, outcome, visited at)
    visits: list[tuple[uuid.UUID, int, int | None, str, dt.datetime]] = field(default_factory=list)


def _local(days: int, hour: int) -> dt.datetime:
    today = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(today, dt.time(hour, 0)))


def demo_rounds_exist(district: Area) -> bool:
    return Round.objects.filter(
        name__in=[FINISHED_NAME, CURRENT_NAME], scope__area=district
    ).exists()


def build_demo_rounds(
    district: Area, *, seed: int, acting_user: Acting, favour: Area | None = None
) -> None:
    """Add the finished round and the round in progress over the demo district.

    Idempotent: a district that has them already is left as it is. The positive pools are
    taken in the `favour` area when it has a full pool (the demo logins' community, so that
    their inboxes show the notifications).
    """
    if demo_rounds_exist(district):
        return
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by its seed
    with transaction.atomic():
        now = timezone.now()
        finished_start = _local(-3, 7)
        finished = _round(district, FINISHED_NAME, finished_start, acting_user)
        _fill(finished, district, rng, acting_user, share=lambda _street: 0.97, now=now)
        _results(finished, rng, acting_user, ship_share=1.0, result_share=1.0, favour=favour)
        _recall_all(finished, rng, acting_user, retested=1.0, positive_member=False)
        round_actions.close_round(finished.round, acting_user=acting_user)

        current_start = min(_local(0, 6), now - dt.timedelta(hours=3))
        current = _round(district, CURRENT_NAME, current_start, acting_user)
        shares: dict[int, float] = {}

        def uneven(street: int) -> float:
            return shares.setdefault(street, rng.choice([0.92, 0.85, 0.74, 0.6, 0.45, 0.3]))

        _fill(current, district, rng, acting_user, share=uneven, now=now, open_tail=True)
        _results(current, rng, acting_user, ship_share=0.85, result_share=0.8, favour=favour)
        _recall_all(current, rng, acting_user, retested=0.6, positive_member=True)
        _follow_up_some(current, rng, acting_user, now=now)
        log.record(
            acting_user,
            DEMO_ACTION,
            obj=district,
            area_path=district.path,
            details={"rounds": [finished.round.pk, current.round.pk], "seed": seed},
        )


def _round(district: Area, name: str, start: dt.datetime, acting_user: Acting) -> _Plan:
    round_ = round_actions.create_round(
        name=name,
        scope=[district],
        starts_at=start,
        ends_at=start + dt.timedelta(hours=24),
        pool_size=10,
        exempt_infants_under_years=1,
        exempt_under_treatment=True,
        acting_user=acting_user,
    )
    round_actions.open_round(round_, acting_user=acting_user)
    points, teams = _points_and_teams(round_, district, start, acting_user)
    return _Plan(round=round_, start=start, points=points, teams=teams)


def _points_and_teams(
    round_: Round, district: Area, start: dt.datetime, acting_user: Acting
) -> tuple[dict[int, SamplingPoint], dict[int, DoorToDoorTeam]]:
    """A numbered point per community (more in large ones), a team per street."""
    below = list(
        Area.objects.filter(
            path__startswith=district.path, depth__in=[district.depth + 1, district.depth + 2]
        ).order_by("path")
    )
    streets = [a for a in below if a.depth == district.depth + 1]
    communities = [a for a in below if a.depth == district.depth + 2]
    sizes = _subtree_residents(communities)
    points: dict[int, SamplingPoint] = {}
    for community in communities:
        count = max(1, min(4, round(sizes.get(community.path, 0) / PEOPLE_PER_POINT)))
        for index in range(count):
            point = round_actions.add_sampling_point(
                round_,
                round_actions.PointData(
                    area=community,
                    location=f"{community.name}{'广场' if index == 0 else f'{index + 1}号门'}",
                    desks=max(1, min(6, sizes.get(community.path, 0) // 700 // count or 1)),
                    opens_at=start,
                    closes_at=start + dt.timedelta(hours=14),
                ),
                acting_user=acting_user,
            )
            points.setdefault(community.pk, point)
    teams: dict[int, DoorToDoorTeam] = {}
    for street in streets:
        teams[street.pk] = round_actions.save_door_team(
            round_,
            name=f"{street.name}上门采样队",
            area=street,
            members=[],
            acting_user=acting_user,
        )
    return points, teams


def _subtree_residents(areas: Sequence[Area]) -> dict[str, int]:
    from wangge.areas.selectors import rolled_up_totals

    if not areas:
        return {}
    totals: dict[str, int] = {}
    by_depth: dict[int, list[Area]] = defaultdict(list)
    for area in areas:
        by_depth[area.depth].append(area)
    for same_depth in by_depth.values():
        for path, row in rolled_up_totals(same_depth).items():
            totals[path] = row["residents"]
    return totals


def _exempt_a_few(
    plan: _Plan, people: list[_Person], rng: random.Random, acting_user: Acting
) -> set[int]:
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    if user is None or not people:
        return set()
    chosen = rng.sample(people, min(6, len(people)))
    reasons = [
        (ExemptionReason.HOSPITALISED, "市第一人民医院住院"),
        (ExemptionReason.AWAY, "外出务工"),
        (ExemptionReason.RECENTLY_TESTED, "已在单位检测"),
        (ExemptionReason.UNDER_TREATMENT, "透析治疗中"),
        (ExemptionReason.AWAY, "探亲未归"),
        (ExemptionReason.OTHER, "隔离观察中，由医护人员上门"),
    ]
    residents = Resident.objects.select_related("grid").in_bulk([p.pk for p in chosen])
    for person, (reason, note) in zip(chosen, reasons, strict=False):
        round_actions.record_exemption(
            plan.round, residents[person.pk], reason=reason, note=note, acting_user=user
        )
    return {person.pk for person in chosen}


def _fill(
    plan: _Plan,
    district: Area,
    rng: random.Random,
    acting_user: Acting,
    *,
    share: Callable[[int], float],
    now: dt.datetime,
    open_tail: bool = False,
) -> None:
    """Register most expected residents into tubes of ten, per grid, at their community's
    point (or at home, by their street's team)."""
    round_ = plan.round
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    rows = list(
        expected_residents(round_)
        .filter(grid__path__startswith=district.path)
        .order_by("grid__path", "household_id", "pk")
        .values_list("pk", "grid_id", "grid__path", "household_id", "tags")
    )
    people = [
        _Person(pk, grid_id, household_id, bool(tags & int(HOME_VISIT_TAGS)))
        for pk, grid_id, _path, household_id, tags in rows
    ]
    exempted = _exempt_a_few(plan, people, rng, acting_user)
    paths = {grid_id: path for _pk, grid_id, path, _h, _t in rows}
    ancestors = _ancestor_ids(set(paths.values()), district)
    by_grid: dict[int, list[_Person]] = defaultdict(list)
    for person in people:
        if person.pk not in exempted:
            by_grid[person.grid_id].append(person)

    serial = 0
    elapsed_limit = max((now - plan.start).total_seconds() - 600, 3600)
    window = min(elapsed_limit, 14 * 3600)
    for grid_id, members in by_grid.items():
        path = paths[grid_id]
        street_id, community_id = (
            ancestors[path[: (district.depth + 1) * Area.steplen]],
            ancestors[path[: (district.depth + 2) * Area.steplen]],
        )
        wanted = share(street_id)
        sampled = [p for p in members if rng.random() < wanted]
        point = plan.points.get(community_id)
        team = plan.teams.get(street_id)
        at_point = [p for p in sampled if not p.home_visit]
        at_home = [p for p in sampled if p.home_visit]
        for mode, group in ((SamplingMode.POINT, at_point), (SamplingMode.DOOR, at_home)):
            last = len(group) - 1 - (len(group) - 1) % 10
            for start in range(0, len(group), 10):
                serial += 1
                pool = group[start : start + 10]
                opened = plan.start + dt.timedelta(seconds=rng.uniform(0, window))
                tube = Tube(
                    barcode=f"{round_.pk:04d}{serial:08d}",
                    round=round_,
                    capacity=10,
                    filled=len(pool),
                    status=TubeStatus.SEALED,
                    area_id=community_id,
                    sampling_point=point if mode == SamplingMode.POINT else None,
                    door_team=team if mode == SamplingMode.DOOR else None,
                    opened_at=opened,
                    sealed_at=opened + dt.timedelta(minutes=6),
                )
                if open_tail and mode == SamplingMode.POINT and start == last and len(pool) < 10:
                    # The grid's last tube at its point is still filling up.
                    tube.status, tube.sealed_at = TubeStatus.OPEN, None
                plan.tubes.append(tube)
                index = len(plan.tubes) - 1
                for offset, person in enumerate(pool):
                    plan.registrations.append(
                        (
                            index,
                            uuid7(),
                            person.pk,
                            mode,
                            opened + dt.timedelta(seconds=25 * offset),
                            person.grid_id,
                            person.home_visit,
                        )
                    )
                if mode == SamplingMode.DOOR:
                    for household in sorted({p.household_id for p in pool}):
                        plan.visits.append(
                            (
                                uuid7(),
                                household,
                                team.pk if team else None,
                                VisitOutcome.SAMPLED,
                                opened,
                            )
                        )
        # Some homes could not be sampled: the team found nobody, or was turned away.
        missed = sorted({p.household_id for p in members if p.home_visit and p not in sampled})
        for household in missed[:2]:
            plan.visits.append(
                (
                    uuid7(),
                    household,
                    team.pk if team else None,
                    rng.choice([VisitOutcome.NOBODY_HOME, VisitOutcome.REFUSED]),
                    plan.start + dt.timedelta(hours=2),
                )
            )
    _write(plan, user)
    _walk_ins(plan, district, rng, acting_user)


def _ancestor_ids(paths: set[str], district: Area) -> dict[str, int]:
    wanted = set()
    for path in paths:
        for depth in (district.depth + 1, district.depth + 2):
            wanted.add(path[: depth * Area.steplen])
    return dict(Area.objects.filter(path__in=wanted).values_list("path", "pk"))


def _write(plan: _Plan, user: User | None) -> None:
    """The tubes through the ORM (their ids are needed), the rest as plain bulk inserts."""
    Tube.objects.bulk_create(plan.tubes, batch_size=BATCH)
    sql = BatchSql(timezone.now())
    round_id, user_id, now = plan.round.pk, user.pk if user else None, sql.time(sql.now)
    registrations = [
        (
            sql.uuid(client_id),
            round_id,
            plan.tubes[index].pk,
            resident,
            None,
            mode,
            None,
            user_id,
            sql.time(at),
            now,
        )
        for index, client_id, resident, mode, at, _grid, _home in plan.registrations
    ]
    _insert(
        sql,
        Registration,
        REGISTRATION_FIELDS,
        registrations,
    )
    # The first registration of each person in the round is their sample (ingestion's rule).
    first: dict[int, tuple[int, dt.datetime, int, bool]] = {}
    for _index, _client, resident, _mode, at, grid, home in plan.registrations:
        if resident not in first or at < first[resident][1]:
            first[resident] = (resident, at, grid, home)
    _insert(
        sql,
        RoundSample,
        SAMPLE_FIELDS,
        [
            (round_id, resident, grid, True, home, sql.time(at))
            for resident, at, grid, home in first.values()
        ],
    )
    _insert(
        sql,
        HomeVisit,
        ["client_id", "round", "household", "team", "outcome", "note", "visited_at", "recorded_by"],
        [
            (sql.uuid(client_id), round_id, household, team, outcome, "", sql.time(at), user_id)
            for client_id, household, team, outcome, at in plan.visits
        ],
    )


def _insert(
    sql: BatchSql, model: type[models.Model], names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Plain INSERTs (`core.bulk`), in batches: the ORM's bulk_create builds a model per
    row and prepares every value through its field, which for a demo of a hundred
    thousand registrations is most of the time."""
    for start in range(0, len(rows), BATCH):
        sql.insert(model, names, rows[start : start + BATCH])


def _walk_ins(plan: _Plan, district: Area, rng: random.Random, acting_user: Acting) -> None:
    """Three visitors sampled on the spot at the first point, in one tube."""
    point = next(iter(plan.points.values()), None)
    if point is None:
        return
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    at = plan.start + dt.timedelta(hours=1)
    tube = Tube.objects.create(
        barcode=f"{plan.round.pk:04d}9{rng.randrange(10**7):07d}",
        round=plan.round,
        capacity=10,
        filled=3,
        status=TubeStatus.SEALED,
        area=point.area,
        sampling_point=point,
        opened_at=at,
        sealed_at=at + dt.timedelta(minutes=20),
    )
    for index, name in enumerate(["访客甲", "访客乙", "访客丙"]):
        walk_in = WalkIn(
            client_id=uuid7(),
            round=plan.round,
            area=point.area,
            name=name,
            address="外地来兰人员",
        )
        walk_in.set_phone(f"1390931{rng.randrange(10**4):04d}")
        walk_in.save()
        Registration.objects.create(
            client_id=uuid7(),
            round=plan.round,
            tube=tube,
            walk_in=walk_in,
            sampled_at=at + dt.timedelta(minutes=index),
            registered_by=user,
        )


def _results(
    plan: _Plan,
    rng: random.Random,
    acting_user: Acting,
    *,
    ship_share: float,
    result_share: float,
    favour: Area | None,
) -> None:
    """Pack sealed tubes into boxes of a hundred per community, ship and receive most,
    and load negative results for most of what arrived — one pool positive.

    The boxes are written in bulk (a few hundred of them, one audit entry); the results go
    through `record_results`, so the positive pool's recall is opened as in real use.
    """
    round_ = plan.round
    sealed = list(
        Tube.objects.filter(round=round_, status=TubeStatus.SEALED)
        .order_by("area_id", "opened_at", "pk")
        .only("pk", "area_id", "barcode", "filled", "sampling_point_id", "sealed_at")
    )
    by_area: dict[int, list[Tube]] = defaultdict(list)
    for tube in sealed:
        by_area[tube.area_id].append(tube)
    boxes: list[tuple[Shipment, list[Tube]]] = []
    for area_id, tubes in by_area.items():
        for start in range(0, len(tubes), BOX_SIZE):
            box = tubes[start : start + BOX_SIZE]
            packed = max(tube.sealed_at or plan.start for tube in box)
            shipped = rng.random() < ship_share
            arrived = shipped and rng.random() < ship_share
            shipment = Shipment(
                round=round_,
                box_code=f"BOX-{round_.pk}-{len(boxes) + 1:04d}",
                origin_id=area_id,
                laboratory=LABORATORY,
                shipped_at=packed + dt.timedelta(minutes=30) if shipped else None,
                received_at=packed + dt.timedelta(hours=2) if arrived else None,
            )
            boxes.append((shipment, box))
    Shipment.objects.bulk_create([shipment for shipment, _box in boxes], batch_size=BATCH)
    received: list[Tube] = []
    moves: list[tuple[int, str, int]] = []
    for shipment, box in boxes:
        status = (
            TubeStatus.RECEIVED
            if shipment.received_at
            else TubeStatus.SHIPPED
            if shipment.shipped_at
            else TubeStatus.SEALED
        )
        moves += [(shipment.pk, status, tube.pk) for tube in box]
        if shipment.received_at:
            received.extend(box)
    BatchSql(timezone.now()).update(Tube, ["shipment", "status"], moves)
    log.record(
        acting_user,
        AuditEvent.DEMO_SHIPMENTS,
        obj=round_,
        details={"boxes": len(boxes), "tubes": len(moves), "received": len(received)},
    )
    to_result = [tube for tube in received if rng.random() < result_share]
    if not to_result:
        return
    positive = max(
        (tube for tube in to_result if tube.filled == 10 and tube.sampling_point_id),
        key=lambda tube: (favour is not None and tube.area_id == favour.pk, tube.pk % 97),
        default=to_result[0],
    )
    items = [
        ResultItem(
            tube.barcode,
            TestResult.POSITIVE if tube is positive else TestResult.NEGATIVE,
            {"ORF1ab": 29.4, "N": 28.7} if tube is positive else {},
            tube.sealed_at + dt.timedelta(hours=5) if tube.sealed_at else None,
        )
        for tube in to_result
    ]
    record_results(
        items,
        tubes=Tube.objects.filter(round=round_),
        source=ResultSource.IMPORT,
        acting_user=acting_user,
    )


def _recall_all(
    plan: _Plan, rng: random.Random, acting_user: Acting, *, retested: float, positive_member: bool
) -> None:
    """Retest recalled people alone (single tubes), and load the results of most."""
    round_ = plan.round
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    recalls = list(
        Recall.objects.filter(round=round_, resident__isnull=False).select_related("resident")
    )
    recalls.sort(key=lambda recall: recall.pk)
    count = round(len(recalls) * retested)
    chosen = recalls[:count]
    items: list[ResultItem] = []
    for index, recall in enumerate(chosen):
        # Results are loaded as the demo is built, so recalls open "now"; the retests follow.
        at = recall.opened_at + dt.timedelta(seconds=1 + index)
        tube = Tube.objects.create(
            barcode=f"{round_.pk:04d}8{recall.pk:07d}",
            round=round_,
            capacity=1,
            filled=1,
            status=TubeStatus.SEALED,
            area_id=recall.area_id,
            opened_at=at,
            sealed_at=at,
        )
        Registration.objects.create(
            client_id=uuid7(),
            round=round_,
            tube=tube,
            resident=recall.resident,
            mode=SamplingMode.DOOR,
            sampled_at=at,
            registered_by=user,
        )
        last = index == len(chosen) - 1
        if retested < 1 and last:
            continue  # sampled again, the laboratory has not answered yet
        result = TestResult.POSITIVE if positive_member and index == 0 else TestResult.NEGATIVE
        items.append(ResultItem(tube.barcode, result, {}, at))
    if items:
        record_results(
            items,
            tubes=Tube.objects.filter(round=round_),
            source=ResultSource.API,
            acting_user=acting_user,
        )


# What a grid worker hears on the phone, with the note they might write.
_FOLLOW_UPS = [
    (FollowUpOutcome.REACHED, "已通知，答应尽快去采样点"),
    (FollowUpOutcome.WILL_COME, "下班后到1号采样点"),
    (FollowUpOutcome.UNREACHABLE, "电话无人接听"),
    (FollowUpOutcome.REFUSES, "称已在单位检测，未出示证明"),
    (FollowUpOutcome.AWAY, "在外地出差"),
]


def _follow_up_some(
    plan: _Plan, rng: random.Random, acting_user: Acting, *, now: dt.datetime
) -> None:
    """A few untested people of every grid called, through the action (audited)."""
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    if user is None:
        return
    sampled = RoundSample.objects.filter(round=plan.round, resident_id=OuterRef("pk"))
    by_grid: dict[int, list[int]] = defaultdict(list)
    for pk, grid_id in (
        expected_residents(plan.round)
        .exclude(Exists(sampled))
        .order_by("pk")
        .values_list("pk", "grid_id")
    ):
        by_grid[grid_id].append(pk)
    chosen = [
        pk
        for grid_id in sorted(by_grid)
        for pk in rng.sample(by_grid[grid_id], min(len(by_grid[grid_id]), rng.randint(1, 4)))
    ]
    residents = Resident.objects.select_related("grid").in_bulk(chosen)
    for pk in chosen:
        outcome, note = rng.choice(_FOLLOW_UPS)
        # Some said they would come an hour ago and have not: they are due again.
        come_at = now + dt.timedelta(hours=rng.choice([-1, 2, 4]))
        record_followup(
            plan.round,
            residents[pk],
            outcome=outcome,
            come_at=come_at if outcome == FollowUpOutcome.WILL_COME else None,
            note=note,
            acting_user=user,
        )


@transaction.atomic
def remove_demo_rounds(district: Area, *, acting_user: Acting) -> int:
    """Delete every round whose scope is the demo district, with all their records (for
    `wangge demo --reset`, which deletes the district and must find nothing using it)."""
    rounds = list(
        Round.objects.filter(scope__area__path__startswith=district.path).values_list(
            "pk", flat=True
        )
    )
    if not rounds:
        return 0
    in_rounds = Q(round_id__in=rounds)
    PositiveCase.objects.filter(in_rounds).delete()
    Recall.objects.filter(in_rounds).delete()
    LabResult.objects.filter(tube__round_id__in=rounds).delete()
    Registration.objects.filter(in_rounds).delete()
    WalkIn.objects.filter(in_rounds).delete()
    Tube.objects.filter(in_rounds).delete()
    Shipment.objects.filter(in_rounds).delete()
    Round.objects.filter(pk__in=rounds).delete()
    log.record(
        acting_user,
        AuditEvent.DEMO_ROUNDS_REMOVED,
        obj=district,
        area_path=district.path,
        details={"rounds": rounds},
    )
    return len(rounds)


__all__ = ["build_demo_rounds", "demo_rounds_exist", "remove_demo_rounds"]
