"""The demo district's workforce: the people at work, their teams, and who answers for what.

`build_demo_workforce(district, profile, …)` runs after the registry is built (the `demo`
command calls it; idempotent like the rounds: `demo_workforce_exists`). Where the seed gives
figures (profiles.WorkforceFigures) the streets' part reproduces them exactly, so that the
district's summary (wangge/workforce/summary.py) reads as the seed: for qilihe "9 streets,
65 communities, 1,848 staff; 429 city-level and 790 district-level stationed cadres, 428
committee members, 196 veterans and 657 volunteers in 638 compounds"; yumen gets its 85 party
vanguard teams, 55 women's and youth teams and a little more than 5,000 people sent down.
Elsewhere the numbers are drawn from a seeded random source, plausible for the area.

Responsibilities (包联) follow the default duties at every level: a district leader for each
street and town, a street or town leader and a cadre for each community and village, a
stationed cadre and a grid leader for each grid, household representatives for the
households of the demo logins' compound. A few gaps are left on purpose (GAP_COMPOUNDS
compounds without a stationed cadre, one village without its leader) and a few
responsibilities changed hands (the former holder left), so the gaps and the history have
something to show.

Rows are written in bulk (a few thousand workers); phones are sealed exactly as
`Worker.set_phone` seals them (`seal_phone`). Workers are linked to the demo logins (the
`cadre`, `gridleader`, `gridmember`, `community`, `street` and `volunteer` users) and the
grid leader of every grid to the grid-leader user `ensure_grid_leaders` made for it.
"""

import datetime as dt
import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import ForeignKey, Model, Q
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone

from wangge.accounts.models import RoleAssignment, User
from wangge.areas.choices import GRID_KINDS, AreaKind
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.bulk import BatchSql, copy_rows
from wangge.core.permissions import Role
from wangge.core.personal_data import seal_phone
from wangge.demo.logins import LOGINS, places, username
from wangge.demo.names import CITY_OFFICES, DISTRICT_OFFICES
from wangge.demo.people import PeopleFactory
from wangge.demo.profiles import Profile
from wangge.demo.structure import spread
from wangge.residents.models import Household
from wangge.workforce.choices import Committee, SentFrom, TeamKind, WorkerKind
from wangge.workforce.models import Duty, Responsibility, Team, TeamMembership, Worker

GAP_COMPOUNDS = 3  # compounds left without a stationed cadre
GAP_VILLAGES = 1  # villages left without a town leader
REPLACED_CADRES = 4  # grids whose stationed cadre changed hands (the logins' grid among them)
REPLACED_LEADERS = 1
HOUSEHOLDS_PER_REPRESENTATIVE = 10
MAX_REPRESENTATIVES = 40
# Yumen's sent-down people: cadres, the rest young volunteers (团员青年).
SENT_DOWN_CADRE_SHARE = 0.6
BATCH = 1000

_RURAL = frozenset({AreaKind.TOWN, AreaKind.TOWNSHIP})
_TEAM_NAMES = {
    TeamKind.PARTY_VANGUARD: "党员先锋队",
    TeamKind.WOMEN_VOLUNTEER: "巾帼志愿者服务队",
    TeamKind.YOUTH_VANGUARD: "青年先锋队",
}


@dataclass
class _Node:
    pk: int
    path: str
    kind: str
    name: str
    parent: "_Node | None" = None
    children: list["_Node"] = field(default_factory=list)

    @property
    def grids(self) -> list["_Node"]:
        return [child for child in self.children if child.kind in GRID_KINDS]


@dataclass
class _Part:
    """The streets' part or the towns' part of the district."""

    urban: bool
    subdivisions: list[_Node] = field(default_factory=list)
    places: list[_Node] = field(default_factory=list)  # communities and villages
    grids: list[_Node] = field(default_factory=list)


def copy_objects(model: type[Model], objects: list[Any], now: dt.datetime) -> None:
    """Unsaved instances written through the database's bulk path (`core.bulk.copy_rows`),
    skipping Django's per-value preparation; an automatic integer key is left to the
    database, automatic timestamps get `now`."""
    batch = BatchSql(now)
    fields = [f for f in model._meta.concrete_fields if not isinstance(f, AutoFieldMixin)]
    converters: list[Any] = []
    for f in fields:
        target = f.target_field if isinstance(f, ForeignKey) else f
        kind = target.get_internal_type()
        if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False):
            converters.append(lambda _value: batch.time(now))
        elif kind == "UUIDField":
            converters.append(lambda value: None if value is None else batch.uuid(value))
        elif kind == "DateTimeField":
            converters.append(batch.time)
        else:
            converters.append(lambda value: value)
    names = [f.attname for f in fields]
    rows = (
        tuple(convert(getattr(obj, name)) for convert, name in zip(converters, names, strict=True))
        for obj in objects
    )
    copy_rows(model, [str(f.column) for f in fields], rows)


def demo_workforce_exists(district: Area) -> bool:
    return Worker.objects.filter(area__path__startswith=district.path).exists()


class _Builder:
    def __init__(self, profile: Profile, district: Area, seed: int) -> None:
        self.profile = profile
        self.district = district
        self.rng = random.Random(f"wangge-demo-workforce:{profile.key}:{seed}")  # noqa: S311 - synthetic data
        self.people = PeopleFactory(profile, seed + 1_000_003)
        self.now = timezone.now()
        self.since = self.now - dt.timedelta(days=120)
        self.changed = self.now - dt.timedelta(days=21)
        self.workers: list[Worker] = []
        self.responsibilities: list[Responsibility] = []
        self.duties = dict(Duty.objects.values_list("code", "pk"))
        # Workers by the community or village they work in (for teams).
        self.by_place: dict[int, list[Worker]] = defaultdict(list)
        self.city_name = (Area.objects.get_parent(district) or district).name
        self.gaps: list[str] = []
        self.linked: set[int] = set()

    # --- people ------------------------------------------------------------------------------

    def worker(
        self,
        node: _Node,
        kind: str,
        *,
        place: _Node | None = None,
        sent_from: str = "",
        committee: str = "",
        party: bool = False,
        sent_down: bool = False,
        unit: str = "",
        active: bool = True,
        user: tuple[int, str, str] | None = None,
    ) -> Worker:
        name, phone = self.people.staff_member()
        user_id = None
        if user is not None:
            user_id, user_name, masked = user
            name = user_name or name
            if len(masked) == 11 and masked[3:7] == "****":
                # The same number the user's masked phone shows.
                phone = f"{masked[:3]}{self.rng.randrange(10_000):04d}{masked[7:]}"
        sealed = seal_phone(phone)
        worker = Worker(
            name=name,
            kind=kind,
            sent_from=sent_from,
            committee=committee,
            party_member=party,
            sent_down=sent_down,
            unit=unit,
            area_id=node.pk,
            user_id=user_id,
            active=active,
            phone_cipher=sealed.cipher,
            phone_index=sealed.index,
            phone_masked=sealed.masked,
        )
        self.workers.append(worker)
        if place is not None and active:
            self.by_place[place.pk].append(worker)
        return worker

    def answer(
        self,
        worker: Worker,
        node: _Node,
        duty: str,
        *,
        household: int | None = None,
        started: dt.datetime | None = None,
        ended: dt.datetime | None = None,
    ) -> None:
        self.responsibilities.append(
            Responsibility(
                worker_id=worker.pk,
                duty_id=self.duties[duty],
                area_id=node.pk,
                household_id=household,
                started_at=started or self.since,
                ended_at=ended,
            )
        )

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def weights(self, count: int) -> list[float]:
        return [self.rng.uniform(0.6, 1.4) for _ in range(count)]

    def share(self, total: int, count: int) -> list[int]:
        """`total` over `count` places, unevenly (nothing to share among none)."""
        return spread(total, self.weights(count)) if count else []

    def unit(self, level: str, subdivision: _Node) -> str:
        if level == SentFrom.CITY:
            return self.city_name + self.rng.choice(CITY_OFFICES)
        if level == SentFrom.DISTRICT:
            return self.district.name + self.rng.choice(DISTRICT_OFFICES)
        return subdivision.name + "人民政府"

    # --- the tree ------------------------------------------------------------------------------

    def load_tree(self) -> tuple[_Part, _Part]:
        nodes: dict[str, _Node] = {}
        urban, rural = _Part(urban=True), _Part(urban=False)
        top = self.district.depth
        rows = (
            Area.objects.within(self.district)
            .filter(depth__gt=top, depth__lte=top + 3)
            .order_by("path")
            .values_list("pk", "path", "kind", "name", "depth")
        )
        for pk, path, kind, name, depth in rows:
            parent = nodes.get(path[: -Area.steplen])
            node = _Node(pk, path, kind, name, parent)
            nodes[path] = node
            if parent is not None:
                parent.children.append(node)
            if depth == top + 1:
                (rural if kind in _RURAL else urban).subdivisions.append(node)
        for part in (urban, rural):
            for subdivision in part.subdivisions:
                for place in subdivision.children:
                    part.places.append(place)
                    part.grids.extend(place.grids)
        return urban, rural

    # --- the build -----------------------------------------------------------------------------

    def build(self, acting_user: "User | Actor | None") -> dict[str, int]:
        urban, rural = self.load_tree()
        where = places(self.profile, self.district)
        self.home_grid = where["grid"].pk
        self.home_place = where["community"].pk
        self.home_subdivision = where["street"].pk
        self.logins = dict(
            User.objects.filter(
                username__in=[username(self.profile, spec) for spec in LOGINS]
            ).values_list("username", "pk")
        )
        self.grid_users = self.grid_leader_users()
        district_node = _Node(self.district.pk, self.district.path, self.district.kind, "")
        figures = self.profile.workforce
        # Yumen: a total sent down (cadres and young volunteers), drawn a little above the seed's.
        sent_down = (
            figures.sent_down_over + self.rng.randint(12, 98) if figures.sent_down_over else 0
        )
        # A stationed cadre for each grid and each community or village, at least.
        slots = [float(len(part.grids) + len(part.places)) for part in (urban, rural)]
        cadres_down = max(int(sum(slots)), round(sent_down * SENT_DOWN_CADRE_SHARE))
        cadre_share = spread(cadres_down, slots)
        youth_share = spread(
            max(0, sent_down - cadres_down), [float(len(urban.places)), float(len(rural.places))]
        )
        for index, part in enumerate((urban, rural)):
            if not part.subdivisions:
                continue
            self.build_part(
                part,
                district_node,
                cadres=cadre_share[index] if sent_down else None,
                youth=youth_share[index] if sent_down else 0,
            )
        teams, members = self.build_teams([*urban.places, *rural.places])
        copy_objects(Worker, self.workers, self.now)
        copy_objects(Responsibility, self.responsibilities, self.now)
        Team.objects.bulk_create(teams, batch_size=BATCH)
        copy_objects(
            TeamMembership,
            [
                TeamMembership(team_id=team.pk, worker_id=worker.pk, joined_at=self.since)
                for team, worker in members
            ],
            self.now,
        )
        counts = {
            "workers": len(self.workers),
            "responsibilities": len(self.responsibilities),
            "teams": len(teams),
            "gaps": len(self.gaps),
        }
        log.record(
            acting_user,
            AuditEvent.DEMO_WORKFORCE,
            obj=self.district,
            area_path=self.district.path,
            details={**counts, "profile": self.profile.key},
        )
        return counts

    def grid_leader_users(self) -> dict[int, tuple[int, str, str]]:
        """The grid-leader users on each grid: (user id, name, masked phone), one per grid."""
        found: dict[int, tuple[int, str, str]] = {}
        rows = (
            RoleAssignment.objects.filter(
                role=Role.GRID_LEADER, area__path__startswith=self.district.path
            )
            .order_by("user__username")
            .values_list(
                "area_id", "user_id", "user__username", "user__display_name", "user__phone_masked"
            )
        )
        logins = set(self.logins)
        for area_id, user_id, name, display, masked in rows:
            if area_id in found:
                continue
            # The demo logins' display name names a place, not a person.
            found[area_id] = (user_id, "" if name in logins else display, masked)
        return found

    def build_part(self, part: _Part, district: _Node, *, cadres: int | None, youth: int) -> None:
        figures = self.profile.workforce
        exact = part.urban and figures.urban_staff is not None
        rng = self.rng
        # District leaders, one for each street or town (based at the district).
        for subdivision in part.subdivisions:
            leader = self.worker(
                district,
                WorkerKind.STATIONED_CADRE,
                sent_from=SentFrom.DISTRICT,
                party=True,
                unit=self.district.name + rng.choice(("委", "人民政府")),
            )
            self.answer(leader, subdivision, "district_leader_street")

        # Staff: the streets' or towns' own, the communities' or villages', grid leaders and
        # members (the seed's "工作人员").
        grids, places_ = part.grids, part.places
        if exact:
            rest = (figures.urban_staff or 0) - len(grids)
            street_total = round(rest * 0.15)
            place_total = round(rest * 0.45)
            members_total = rest - street_total - place_total
            street_staff = self.share(street_total, len(part.subdivisions))
            place_staff = self.share(place_total, len(places_))
            members = self.share(members_total, len(grids))
        else:
            street_staff = [rng.randint(12, 20) for _ in part.subdivisions]
            place_staff = [rng.randint(3, 7) for _ in places_]
            members = [int(rng.random() < 0.4) for _ in grids]
        street_people: dict[int, list[Worker]] = {}
        for subdivision, count in zip(part.subdivisions, street_staff, strict=True):
            street_people[subdivision.pk] = [
                self.worker(
                    subdivision,
                    WorkerKind.STREET_STAFF,
                    party=self.chance(0.7),
                    unit=subdivision.name,
                    user=self.login("street")
                    if n == 0 and subdivision.pk == self.home_subdivision
                    else None,
                )
                for n in range(max(1, count))
            ]
        for place, count in zip(places_, place_staff, strict=True):
            for n in range(max(1, count)):
                self.worker(
                    place,
                    WorkerKind.COMMUNITY_STAFF,
                    place=place,
                    party=self.chance(0.6),
                    unit=place.name,
                    user=self.login("community")
                    if n == 0 and place.pk == self.home_place
                    else None,
                )
        home = next((i for i, grid in enumerate(grids) if grid.pk == self.home_grid), None)
        if home is not None and members[home] == 0:
            # The demo's grid-member login works in that grid: someone to link it to.
            donor = max(range(len(members)), key=members.__getitem__)
            members[donor] -= 1
            members[home] += 1
        replaced_leaders = set(rng.sample(range(len(grids)), min(REPLACED_LEADERS, len(grids))))
        for index, (grid, count) in enumerate(zip(grids, members, strict=True)):
            place = grid.parent or grid
            user = (
                self.login("gridleader")
                if grid.pk == self.home_grid
                else self.grid_users.get(grid.pk)
            )
            leader = self.worker(
                grid,
                WorkerKind.GRID_LEADER,
                place=place,
                party=self.chance(0.6),
                unit=place.name,
                user=user,
            )
            if index in replaced_leaders and grid.pk != self.home_grid:
                former = self.worker(grid, WorkerKind.GRID_LEADER, unit=place.name, active=False)
                self.answer(former, grid, "grid_leader", ended=self.changed)
                self.answer(leader, grid, "grid_leader", started=self.changed)
            else:
                self.answer(leader, grid, "grid_leader")
            for n in range(count):
                self.worker(
                    grid,
                    WorkerKind.GRID_MEMBER,
                    place=place,
                    unit=place.name,
                    user=self.login("gridmember") if n == 0 and grid.pk == self.home_grid else None,
                )

        # Street or town leaders for the communities and villages (one village left without).
        villages = [place for place in places_ if place.kind == AreaKind.VILLAGE]
        unled = set(rng.sample([v.pk for v in villages], min(GAP_VILLAGES, len(villages))))
        for subdivision in part.subdivisions:
            staff = street_people[subdivision.pk]
            for index, place in enumerate(subdivision.children):
                if place.pk in unled:
                    self.gaps.append(f"{place.name}: street_leader_community")
                    continue
                self.answer(staff[index % len(staff)], place, "street_leader_community")

        self.build_cadres(part, cadres, street_people)
        self.build_others(part, exact, youth)

    def login(self, name: str) -> tuple[int, str, str] | None:
        """A demo login to link to a worker (its own name is a place's: keep the worker's)."""
        spec = next(spec for spec in LOGINS if spec.name == name)
        pk = self.logins.get(username(self.profile, spec))
        if pk is None or pk in self.linked:
            return None
        self.linked.add(pk)
        return (pk, "", "")

    def build_cadres(
        self, part: _Part, total: int | None, street_people: dict[int, list[Worker]]
    ) -> None:
        """Stationed cadres: one in each grid (a few compounds left without), one for each
        community or village, the rest spread over the communities and villages."""
        rng = self.rng
        figures = self.profile.workforce
        grids, places_ = part.grids, part.places
        compounds = [g for g in grids if g.kind == AreaKind.COMPOUND and g.pk != self.home_grid]
        uncovered = (
            set(rng.sample([g.pk for g in compounds], GAP_COMPOUNDS))
            if part.urban and len(compounds) > 10 * GAP_COMPOUNDS
            else set()
        )
        self.gaps.extend(f"{pk}: stationed_cadre_grid" for pk in sorted(uncovered))
        if part.urban and figures.city_cadres is not None and figures.district_cadres is not None:
            # The district leaders of the streets are district-level cadres too.
            levels = [SentFrom.CITY] * figures.city_cadres + [SentFrom.DISTRICT] * (
                figures.district_cadres - len(part.subdivisions)
            )
        else:
            count = (
                total
                if total is not None
                else (len(grids) + sum(rng.randint(1, 3) for _ in places_))
            )
            shares = (0.3, 0.7, 0.0) if part.urban else (0.15, 0.55, 0.3)
            city, district, _street = spread(count, list(shares))
            levels = (
                [SentFrom.CITY] * city
                + [SentFrom.DISTRICT] * district
                + [SentFrom.STREET] * (count - city - district)
            )
        rng.shuffle(levels)
        covered = [g for g in grids if g.pk not in uncovered]
        others = [g.pk for g in covered if g.pk != self.home_grid]
        replaced = set(rng.sample(others, min(len(others), REPLACED_CADRES - 1))) | {self.home_grid}
        queue = list(reversed(levels))

        def cadre(
            node: _Node, place: _Node, *, user: tuple[int, str, str] | None = None
        ) -> Worker | None:
            if not queue:
                return None
            level = queue.pop()
            subdivision = place.parent or place
            return self.worker(
                node,
                WorkerKind.STATIONED_CADRE,
                place=place,
                sent_from=level,
                party=self.chance(0.85),
                sent_down=True,
                unit=self.unit(level, subdivision),
                user=user,
            )

        for grid in covered:
            place = grid.parent or grid
            held = cadre(
                grid, place, user=self.login("cadre") if grid.pk == self.home_grid else None
            )
            if held is None:
                break
            if grid.pk in replaced:
                former = self.worker(
                    grid,
                    WorkerKind.STATIONED_CADRE,
                    sent_from=held.sent_from,
                    party=True,
                    sent_down=True,
                    unit=held.unit,
                    active=False,
                )
                self.answer(former, grid, "stationed_cadre_grid", ended=self.changed)
                self.answer(held, grid, "stationed_cadre_grid", started=self.changed)
            else:
                self.answer(held, grid, "stationed_cadre_grid")
        for place in places_:
            held = cadre(place, place)
            if held is None:
                staff = street_people.get(place.parent.pk if place.parent else 0) or []
                held = staff[-1] if staff else None
            if held is not None:
                self.answer(held, place, "cadre_community")
        # The rest help in the communities and villages.
        for place, count in zip(places_, self.share(len(queue), len(places_)), strict=True):
            for _ in range(count):
                cadre(place, place)

    def build_others(self, part: _Part, exact: bool, youth: int) -> None:
        """Committee members, veterans, volunteers (household representatives among them),
        young volunteers sent down, and in the towns village doctors and police."""
        rng = self.rng
        figures = self.profile.workforce
        places_, grids = part.places, part.grids
        if exact:
            committee = self.share(figures.committee_members or 0, len(places_))
            veterans = self.share(figures.veterans or 0, len(places_))
            volunteers_total = figures.volunteers or 0
        else:
            committee = [rng.randint(1, 3) for _ in places_]
            veterans = [rng.randint(0, 3) for _ in places_]
            volunteers_total = sum(rng.randint(2, 8) for _ in places_)
        for place, n in zip(places_, committee, strict=True):
            for _ in range(n):
                self.worker(
                    place,
                    WorkerKind.COMMITTEE_MEMBER,
                    place=place,
                    committee=Committee.SOCIAL_WORK,
                    party=self.chance(0.5),
                    unit=place.name,
                )
        for place, n in zip(places_, veterans, strict=True):
            for _ in range(n):
                self.worker(place, WorkerKind.VETERAN, place=place, party=self.chance(0.6))
        # Household representatives: volunteers of the logins' compound.
        home = next((g for g in grids if g.pk == self.home_grid), None)
        if home is not None:
            households = list(
                Household.objects.filter(grid_id=home.pk)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            count = min(
                MAX_REPRESENTATIVES,
                volunteers_total,
                math.ceil(len(households) / HOUSEHOLDS_PER_REPRESENTATIVE),
            )
            representatives = [
                self.worker(
                    home,
                    WorkerKind.VOLUNTEER,
                    place=home.parent or home,
                    party=self.chance(0.3),
                    user=self.login("volunteer") if n == 0 else None,
                )
                for n in range(count)
            ]
            volunteers_total -= count
            for index, household in enumerate(households):
                if representatives:
                    chosen = representatives[index * len(representatives) // len(households)]
                    self.answer(chosen, home, "household_representative", household=household)
        targets = grids or places_
        for node, n in zip(targets, self.share(volunteers_total, len(targets)), strict=True):
            for _ in range(n):
                self.worker(
                    node, WorkerKind.VOLUNTEER, place=node.parent or node, party=self.chance(0.2)
                )
        for place, n in zip(places_, self.share(youth, len(places_)), strict=True):
            for _ in range(n):
                self.worker(
                    place,
                    WorkerKind.VOLUNTEER,
                    place=place,
                    sent_down=True,
                    unit=self.district.name + "团委",
                )
        if exact:
            return
        if part.urban:
            for grid in grids:
                for _ in range(rng.randint(0, 2)):
                    self.worker(grid, WorkerKind.PROPERTY_STAFF, place=grid.parent or grid)
            return
        for place in places_:
            if place.kind == AreaKind.VILLAGE:
                self.worker(place, WorkerKind.MEDICAL, place=place, unit=place.name + "卫生室")
        for subdivision in part.subdivisions:
            for _ in range(rng.randint(1, 2)):
                self.worker(subdivision, WorkerKind.POLICE, unit=subdivision.name + "派出所")

    # --- teams ---------------------------------------------------------------------------------

    def build_teams(self, places_: list[_Node]) -> tuple[list[Team], list[tuple[Team, Worker]]]:
        figures = self.profile.workforce
        rng = self.rng
        together = figures.women_and_youth_teams
        # A few teams are women's teams; many are split between women and youth.
        women = together if together < 10 else round(together * rng.uniform(0.5, 0.6))
        kinds = (
            [TeamKind.PARTY_VANGUARD] * figures.party_vanguard_teams
            + [TeamKind.WOMEN_VOLUNTEER] * women
            + [TeamKind.YOUTH_VANGUARD] * (together - women)
        )
        staffed = [place for place in places_ if self.by_place.get(place.pk)]
        if not staffed:
            return [], []
        # The logins' community first, so its staff see teams.
        order = sorted(staffed, key=lambda p: (p.pk != self.home_place, rng.random()))
        teams: list[Team] = []
        members: list[tuple[Team, Worker]] = []
        seen: dict[tuple[int, str], int] = defaultdict(int)
        for index, kind in enumerate(kinds):
            place = order[index % len(order)]
            seen[(place.pk, kind)] += 1
            number = seen[(place.pk, kind)]
            name = place.name + _TEAM_NAMES[kind] + (f"第{number}分队" if number > 1 else "")
            people = self.by_place[place.pk]
            party = [w for w in people if w.party_member] or people
            leader = rng.choice(party)
            team = Team(name=name, kind=kind, area_id=place.pk, leader_id=leader.pk)
            teams.append(team)
            chosen = {leader.pk: leader}
            for worker in rng.sample(people, min(len(people), rng.randint(6, 12))):
                chosen.setdefault(worker.pk, worker)
            members.extend((team, worker) for worker in chosen.values())
        return teams, members


@transaction.atomic
def build_demo_workforce(
    district: Area, profile: Profile, *, seed: int, acting_user: "User | Actor | None"
) -> dict[str, int]:
    """Add the workforce, teams and responsibilities of the demo district (once)."""
    if demo_workforce_exists(district):
        return {}
    return _Builder(profile, district, seed).build(acting_user)


@transaction.atomic
def remove_demo_workforce(district: Area) -> int:
    """Delete the district's workforce (for `wangge demo --reset`, which deletes its areas)."""
    in_district = Q(area__path__startswith=district.path)
    Responsibility.objects.filter(
        in_district | Q(worker__area__path__startswith=district.path)
    ).delete()
    Team.objects.filter(in_district).delete()
    deleted, _by_model = Worker.objects.filter(in_district).delete()
    return deleted


__all__ = ["build_demo_workforce", "demo_workforce_exists", "remove_demo_workforce"]
