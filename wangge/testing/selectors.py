"""Reads of testing rounds: coverage at any node of the tree, the untested list and its
follow-up.

Coverage = sampled ÷ expected, counting people (shared/DOMAIN.md). The figures come from
`RoundGridStats` (expected per grid) and `RoundSample` (people sampled per grid), so a
district of a million residents is a handful of indexed aggregate queries.
"""

import datetime as dt
import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, overload

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.utils import timezone

from wangge.accounts.models import RoleAssignment, User
from wangge.areas.models import Area
from wangge.core import sql
from wangge.core.permissions import Perm, Role
from wangge.core.scoping import (
    ScopedUser,
    in_scope,
    is_within,
    overlap,
    overlapping,
    subtree_params,
    subtree_q,
    subtree_sql,
    topmost,
)
from wangge.residents.models import Household, Resident, ResidentQuerySet, household_label
from wangge.testing.choices import (
    FollowUpOutcome,
    RecallStatus,
    RoundStatus,
    TestResult,
    TubeStatus,
)
from wangge.testing.expectation import ExpectationRules, expected_residents, scope_paths
from wangge.testing.models import (
    ClosedRoundFigures,
    DoorToDoorTeam,
    Exemption,
    FollowUp,
    HomeVisit,
    PositiveCase,
    Recall,
    Registration,
    Round,
    RoundGridStats,
    RoundSample,
    RoundScope,
    SamplingPoint,
    Tube,
    UnknownResult,
    WalkIn,
)


def rounds_due_for_purge(closed_before: dt.datetime) -> list[Round]:
    """Closed rounds, closed before `closed_before`, whose records are not purged yet."""
    rounds = Round.objects.filter(
        status=RoundStatus.CLOSED, closed_at__lt=closed_before, records_purged_at=None
    )
    return list(rounds.order_by("closed_at", "pk"))


@dataclass
class Figures:
    """A node's figures in a round."""

    expected: int = 0
    sampled: int = 0
    home_visit_expected: int = 0
    home_visit_sampled: int = 0
    positives: int = 0
    open_recalls: int = 0
    recalls: int = 0

    @property
    def untested(self) -> int:
        return max(self.expected - self.sampled, 0)

    @property
    def coverage(self) -> float:
        return self.sampled / self.expected if self.expected else 0.0

    @property
    def coverage_percent(self) -> float:
        return round(100 * self.coverage, 1)

    @property
    def home_visit_outstanding(self) -> int:
        return max(self.home_visit_expected - self.home_visit_sampled, 0)

    def add(self, other: "Figures") -> None:
        # Called once per grid and level when rolling up a city: plain additions.
        self.expected += other.expected
        self.sampled += other.sampled
        self.home_visit_expected += other.home_visit_expected
        self.home_visit_sampled += other.home_visit_sampled
        self.positives += other.positives
        self.open_recalls += other.open_recalls
        self.recalls += other.recalls


@dataclass
class CoverageRow:
    area: Area
    figures: Figures = field(default_factory=Figures)


@dataclass
class Coverage:
    """An area's figures in a round, and those of each area directly below it."""

    area: Area
    total: Figures
    children: list[CoverageRow]


def grid_figures(
    round_: Round, area: Area, *, as_of: dt.datetime | None = None
) -> dict[int, Figures]:
    """Per-grid figures of the grids under `area` (including itself if a grid).

    With `as_of`, the figures as they stood then (the daily analysis makes past days):
    people sampled before it, recalls opened before it and open at it, cases detected
    before it. The expected figures are today's: the registry keeps no history."""
    return _figures_and_paths(round_, area, as_of=as_of)[0]


def _figures_and_paths(
    round_: Round, area: Area, *, as_of: dt.datetime | None = None
) -> tuple[dict[int, Figures], dict[int, str]]:
    """Per-area figures under `area` (grids, and the areas of walk-ins' recalls and cases),
    with each area's path for rolling them up: five queries, whatever the size."""
    figures: dict[int, Figures] = {}
    paths: dict[int, str] = {}
    for grid_id, path, expected, home in RoundGridStats.objects.filter(
        subtree_q([area.path], "grid__path"), round=round_
    ).values_list("grid_id", "grid__path", "expected", "home_visit_expected"):
        figures[grid_id] = Figures(expected=expected, home_visit_expected=home)
        paths[grid_id] = path
    if not figures:
        return figures, paths
    closed_by = round_.status == RoundStatus.CLOSED and (
        as_of is None or (round_.closed_at is not None and round_.closed_at <= as_of)
    )
    if closed_by:
        # The record kept at closing (the samples may have been purged since).
        for grid_id, sampled, home in ClosedRoundFigures.objects.filter(
            round=round_, grid__path__startswith=area.path
        ).values_list("grid_id", "sampled", "home_visit_sampled"):
            if grid_id in figures:
                figures[grid_id].sampled, figures[grid_id].home_visit_sampled = sampled, home
    else:
        samples = RoundSample.objects.filter(round=round_, counted=True)
        if as_of is not None:
            samples = samples.filter(first_sampled_at__lt=as_of)
        if any(not is_within(path, area.path) for path in scope_paths(round_)):
            # Part of the round: only these grids' samples (the whole round needs no filter:
            # every counted sample lies in its scope).
            if len(figures) <= 2000:
                samples = samples.filter(grid_id__in=list(figures))
            else:
                samples = samples.filter(subtree_q([area.path], "grid__path"))
        for grid_id, sampled, home in (
            samples.order_by()
            .values("grid_id")
            .annotate(n=Count("pk"), home=Count("pk", filter=Q(home_visit=True)))
            .values_list("grid_id", "n", "home")
        ):
            grid = figures.get(grid_id)
            if grid is not None:
                grid.sampled, grid.home_visit_sampled = sampled, home
    recalls = Recall.objects.filter(subtree_q([area.path], "area__path"), round=round_)
    still_open = Q(status=RecallStatus.OPEN)
    cases = PositiveCase.objects.filter(subtree_q([area.path], "area__path"), round=round_)
    if as_of is not None:
        recalls = recalls.filter(opened_at__lt=as_of)
        still_open = Q(closed_at__isnull=True) | Q(closed_at__gte=as_of)
        cases = cases.filter(detected_at__lt=as_of)
    for area_id, path, total, still_open_n in (
        recalls.order_by()
        .values("area_id", "area__path")
        .annotate(n=Count("pk"), open=Count("pk", filter=still_open))
        .values_list("area_id", "area__path", "n", "open")
    ):
        grid = figures.setdefault(area_id, Figures())
        grid.recalls, grid.open_recalls = total, still_open_n
        paths[area_id] = path
    for area_id, path, count in (
        cases.order_by()
        .values("area_id", "area__path")
        .annotate(n=Count("pk"))
        .values_list("area_id", "area__path", "n")
    ):
        figures.setdefault(area_id, Figures()).positives = count
        paths[area_id] = path
    return figures, paths


def coverage(round_: Round, area: Area) -> Coverage:
    """The area's figures and its children's, rolled up from the grids (a few queries);
    the children come worst coverage first, where help is needed."""
    per_grid, paths = _figures_and_paths(round_, area)
    children = list(Area.objects.get_children(area).order_by("name")) if not area.is_grid else []
    rows = {child.path: CoverageRow(child) for child in children}
    child_length = (area.depth + 1) * Area.steplen
    total = Figures()
    for grid_id, figures in per_grid.items():
        total.add(figures)
        row = rows.get(paths.get(grid_id, "")[:child_length])
        if row is not None:
            row.figures.add(figures)
    return Coverage(area=area, total=total, children=sorted(rows.values(), key=_worst_first))


def _worst_first(row: CoverageRow) -> tuple[bool, float, int, str]:
    """Lowest coverage first, then most people untested; areas expecting nobody last."""
    figures = row.figures
    return (not figures.expected, figures.coverage, -figures.untested, row.area.name)


def _latest_followup(round_: Round) -> QuerySet[FollowUp]:
    """The latest follow-up of the outer resident in the round (for a Subquery)."""
    return FollowUp.objects.filter(round=round_, resident_id=OuterRef("pk")).order_by(
        "-recorded_at", "-pk"
    )


# What needs doing first on the untested list: nobody has tried yet; then those to try
# again (not reachable, or past the time they said they would come); then the ones in
# hand; last those who refuse or are away (an exemption is the way off the list).
NEED_NOT_CONTACTED = 0
NEED_AGAIN = 1
NEED_IN_HAND = 2
NEED_LAST = 3


def untested_residents(round_: Round, grid: Area, visible: ResidentQuerySet) -> ResidentQuerySet:
    """Expected residents of a grid with no registration in the round: the door-knocking list,
    in the order of what needs doing (`NEED_*`), each with their latest follow-up's
    `last_outcome` and `last_come_at`.

    `visible` is the caller's scoped resident queryset (Resident.objects.visible_to(...)).
    The round's rule (expectation.expected_residents) and the caller's scope are applied to
    one read of the grid's residents, and "not sampled" is a probe of the unique
    (round, resident) index per person: a grid of thousands is listed in a few
    milliseconds of database time (bench/coverage.py). The latest follow-up is a probe of
    the (round, resident, time) index.
    """
    rules = ExpectationRules.for_round(round_)
    if not rules.in_scope(grid.path):
        return visible.none()
    sampled = RoundSample.objects.filter(round=round_, resident_id=OuterRef("pk"))
    latest = _latest_followup(round_)
    queryset: ResidentQuerySet = (
        (expected_residents(round_, rules).filter(grid=grid) & visible)
        .exclude(Exists(sampled))
        .annotate(
            last_outcome=Subquery(latest.values("outcome")[:1]),
            last_come_at=Subquery(latest.values("come_at")[:1]),
        )
        .annotate(
            need=Case(
                When(last_outcome__isnull=True, then=Value(NEED_NOT_CONTACTED)),
                When(last_outcome=FollowUpOutcome.UNREACHABLE, then=Value(NEED_AGAIN)),
                When(last_come_at__lte=timezone.now(), then=Value(NEED_AGAIN)),
                When(
                    last_outcome__in=[FollowUpOutcome.REFUSES, FollowUpOutcome.AWAY],
                    then=Value(NEED_LAST),
                ),
                default=Value(NEED_IN_HAND),
                output_field=IntegerField(),
            )
        )
        .select_related("household")
        .order_by("household__sort_key", "household_id", "id")
        .order_by("need", "household__building", "household__unit", "household__room", "id")
    )
    return queryset


@dataclass
class UntestedRow:
    """A person on the untested list with their follow-ups in the round, latest first."""

    resident: Resident
    history: list[FollowUp]


def untested_rows(round_: Round, residents: Iterable[Resident]) -> list[UntestedRow]:
    """The listed residents with their follow-up history (one query for a page)."""
    people = list(residents)
    history: dict[int, list[FollowUp]] = {}
    for followup in (
        FollowUp.objects.filter(round=round_, resident__in=[r.pk for r in people])
        .select_related("recorded_by")
        .order_by("-recorded_at", "-pk")
    ):
        history.setdefault(followup.resident_id, []).append(followup)
    return [UntestedRow(resident, history.get(resident.pk, [])) for resident in people]


@dataclass
class FollowUpFigures:
    """How far the follow-up of a node's untested people has come: each untested person
    counted once, under the outcome of their latest follow-up."""

    untested: int = 0
    reached: int = 0
    will_come: int = 0
    refuses: int = 0
    unreachable: int = 0
    away: int = 0

    @property
    def contacted(self) -> int:
        return self.reached + self.will_come + self.refuses + self.unreachable + self.away

    @property
    def not_contacted(self) -> int:
        return self.untested - self.contacted

    @property
    def contacted_percent(self) -> int:
        return round(100 * self.contacted / self.untested) if self.untested else 100

    def count(self, outcome: str | None, people: int) -> None:
        self.untested += people
        if outcome is not None:
            setattr(self, outcome, getattr(self, outcome) + people)

    def add(self, other: "FollowUpFigures") -> None:
        for name in ("untested", *FollowUpOutcome.values):
            setattr(self, name, getattr(self, name) + getattr(other, name))


@dataclass
class FollowUpRow:
    area: Area
    figures: FollowUpFigures = field(default_factory=FollowUpFigures)


@dataclass
class FollowUpProgress:
    total: FollowUpFigures
    children: list[FollowUpRow]


def followup_progress(round_: Round, area: Area) -> FollowUpProgress:
    """The follow-up figures of an area and of each area below it, worst first (the
    smallest share of their untested people contacted). Three queries at any size: the
    round's scope, the children, and one count of untested people by grid and latest
    outcome."""
    rules = ExpectationRules.for_round(round_)
    sampled = RoundSample.objects.filter(round=round_, resident_id=OuterRef("pk"))
    counts = (
        expected_residents(round_, rules)
        .filter(subtree_q([area.path], "grid__path"))
        .exclude(Exists(sampled))
        .annotate(last=Subquery(_latest_followup(round_).values("outcome")[:1]))
        .order_by()
        .values_list("grid__path", "last")
        .annotate(n=Count("pk"))
    )
    children = list(Area.objects.get_children(area)) if not area.is_grid else []
    rows = {child.path: FollowUpRow(child) for child in children}
    child_length = (area.depth + 1) * Area.steplen
    total = FollowUpFigures()
    for path, outcome, people in counts:
        total.count(outcome, people)
        row = rows.get(path[:child_length])
        if row is not None:
            row.figures.count(outcome, people)
    ordered = sorted(
        rows.values(),
        key=lambda row: (row.figures.contacted_percent, -row.figures.untested, row.area.name),
    )
    return FollowUpProgress(total=total, children=ordered)


def round_entry_areas(round_: Round, user: ScopedUser, permission: str) -> list[Area]:
    """Where a user's view of a round starts: the topmost areas both in the round's scope
    and in the user's (a district officer sees the round's communities; a grid member
    sees their grid of a district's round)."""
    wanted = overlap(scope_paths(round_), user.scope_paths(permission))
    return list(Area.objects.filter(path__in=wanted).order_by("path"))


def area_in_scope(round_: Round, area: Area) -> bool:
    return in_scope(scope_paths(round_), area.path)


def can_manage_round(user: ScopedUser, round_: Round) -> bool:
    """Whether the user may edit, open or close the round: they manage its whole scope."""
    paths = user.scope_paths(Perm.MANAGE_ROUNDS)
    if paths is None:
        return True
    scope = scope_paths(round_)
    return bool(scope) and all(in_scope(paths, path) for path in scope)


def overview(round_: Round, areas: list[Area]) -> tuple[Figures, list[CoverageRow]]:
    """Figures of several areas of a round (a user's entry areas) and their sum."""
    total, rows = Figures(), []
    for area in areas:
        figures = Figures()
        for grid in grid_figures(round_, area).values():
            figures.add(grid)
        total.add(figures)
        rows.append(CoverageRow(area, figures))
    return total, rows


@dataclass
class RecallProgress:
    """How far the recall of a round (or an area of it) has come."""

    opened: int = 0
    retested: int = 0  # open, sampled alone since: waiting for the laboratory
    closed: int = 0

    @property
    def open(self) -> int:
        return self.opened - self.closed

    @property
    def waiting(self) -> int:
        """Open and not yet sampled again: the people to find."""
        return self.open - self.retested


def retested_expression() -> "Case":
    """True when a recall's person was sampled into an individual tube of the round after
    the recall opened."""
    individual = Registration.objects.filter(
        round_id=OuterRef("round_id"), tube__capacity=1, sampled_at__gte=OuterRef("opened_at")
    )
    # One probe per recall, by its person's kind: "walk_in_id = NULL" would have SQLite
    # walk the index through every resident's registration (their walk_in_id is NULL).
    return Case(
        When(
            resident_id__isnull=False,
            then=Exists(individual.filter(resident_id=OuterRef("resident_id"))),
        ),
        When(
            walk_in_id__isnull=False,
            then=Exists(individual.filter(walk_in_id=OuterRef("walk_in_id"))),
        ),
        default=Value(False),
        output_field=BooleanField(),
    )


def recall_progress(recalls: "QuerySet[Recall]") -> RecallProgress:
    """Opened, retested and closed among these (already scoped) recalls, in one query."""
    figures = recalls.annotate(is_retested=retested_expression()).aggregate(
        opened=Count("pk"),
        closed=Count("pk", filter=Q(status=RecallStatus.CLOSED)),
        retested=Count("pk", filter=Q(status=RecallStatus.OPEN, is_retested=True)),
    )
    return RecallProgress(
        opened=figures["opened"], retested=figures["retested"], closed=figures["closed"]
    )


@dataclass(frozen=True)
class RecallLine:
    """A line of a recall list: the person, their household, grid and pool tube, whether
    they were sampled alone since the recall opened (waiting for the laboratory), and the
    leaders of their grid. Read as values, never as model instances (see `recall_lines`)."""

    pk: int
    status: str
    outcome: str
    closed_at: dt.datetime | None
    resident_id: int | None
    walk_in_id: int | None
    name: str
    id_number_masked: str
    phone_masked: str
    household_id: int | None
    household_label: str
    walk_in_address: str
    area_id: int
    area_name: str
    tube_barcode: str
    tube_result: str
    retested: bool
    leaders: list["Leader"]

    @property
    def outcome_label(self) -> str:
        return str(TestResult(self.outcome).label) if self.outcome else ""

    @property
    def tube_result_label(self) -> str:
        return str(TestResult(self.tube_result).label) if self.tube_result else ""


@functools.cache
def _recall_lines_sql(vendor: str, scopes: int, status: bool) -> str:
    """The recall list's statement, built once per shape (the connection's quoting, how
    many subtrees the reader holds, whether a status is asked for)."""
    t, c = sql.table, sql.column
    r, p, h, w, a, tb, g = (
        t(Recall),
        t(Resident),
        t(Household),
        t(WalkIn),
        t(Area),
        t(Tube),
        t(Registration),
    )
    area_path = f"a.{c(Area, 'path')}"
    # "Retested": one probe per recall, by its person's kind ("walk_in_id = NULL" would
    # have the database walk every resident's registration of the round).
    individual = (
        f"SELECT 1 FROM {g} s JOIN {tb} st ON st.{c(Tube, 'id')} = s.{c(Registration, 'tube')} "  # noqa: S608
        f"WHERE s.{c(Registration, 'round')} = x.{c(Recall, 'round')} "
        f"AND st.{c(Tube, 'capacity')} = 1 "
        f"AND s.{c(Registration, 'sampled_at')} >= x.{c(Recall, 'opened_at')}"
    )
    conditions = [f"x.{c(Recall, 'round')} = %s", f"{area_path} LIKE %s"]
    if scopes:
        conditions.append(subtree_sql(area_path, scopes))
    if status:
        conditions.append(f"x.{c(Recall, 'status')} = %s")
    return (
        f"SELECT x.{c(Recall, 'id')}, x.{c(Recall, 'status')}, x.{c(Recall, 'outcome')}, "  # noqa: S608
        f"x.{c(Recall, 'closed_at')}, x.{c(Recall, 'resident')}, x.{c(Recall, 'walk_in')}, "
        f"COALESCE(p.{c(Resident, 'name')}, w.{c(WalkIn, 'name')}, ''), "
        f"COALESCE(p.{c(Resident, 'id_number_masked')}, ''), "
        f"COALESCE(p.{c(Resident, 'phone_masked')}, w.{c(WalkIn, 'phone_masked')}, ''), "
        f"p.{c(Resident, 'household')}, h.{c(Household, 'building')}, h.{c(Household, 'unit')}, "
        f"h.{c(Household, 'room')}, h.{c(Household, 'address')}, "
        f"COALESCE(w.{c(WalkIn, 'address')}, ''), x.{c(Recall, 'area')}, a.{c(Area, 'name')}, "
        f"tb.{c(Tube, 'barcode')}, tb.{c(Tube, 'result')}, "
        f"CASE WHEN x.{c(Recall, 'resident')} IS NOT NULL THEN EXISTS ({individual} "
        f"AND s.{c(Registration, 'resident')} = x.{c(Recall, 'resident')}) "
        f"WHEN x.{c(Recall, 'walk_in')} IS NOT NULL THEN EXISTS ({individual} "
        f"AND s.{c(Registration, 'walk_in')} = x.{c(Recall, 'walk_in')}) ELSE FALSE END "
        f"FROM {r} x JOIN {a} a ON a.{c(Area, 'id')} = x.{c(Recall, 'area')} "
        f"JOIN {tb} tb ON tb.{c(Tube, 'id')} = x.{c(Recall, 'source_tube')} "
        f"LEFT JOIN {p} p ON p.{c(Resident, 'id')} = x.{c(Recall, 'resident')} "
        f"LEFT JOIN {h} h ON h.{c(Household, 'id')} = p.{c(Resident, 'household')} "
        f"LEFT JOIN {w} w ON w.{c(WalkIn, 'id')} = x.{c(Recall, 'walk_in')} "
        f"WHERE {' AND '.join(conditions)} "
        # Open ("open" > "closed") before closed, then by grid and household.
        f"ORDER BY x.{c(Recall, 'status')} DESC, {area_path}, h.{c(Household, 'sort_key')}, "
        f"p.{c(Resident, 'household')}, x.{c(Recall, 'id')} LIMIT %s OFFSET %s"
    )


def recall_lines(
    user: ScopedUser,
    round_: Round,
    *,
    area: Area | None = None,
    status: str | None = None,
    limit: int,
    offset: int = 0,
) -> list[RecallLine]:
    """The recalls of a round the user may list (the registry permission), under `area`,
    of one status or all: open ones first, then by grid and household.

    One hand-written statement with "retested" in it, plus the grid leaders: the list is
    read right after a positive pool, and the ORM's statement building, planning and model
    instances were more than half of the 10 ms from the laboratory's answer to the list on
    screen (docs/benchmarks.md). The scoping is `core.scoping`'s, as SQL.
    """
    paths = user.scope_paths(Perm.VIEW_REGISTRY)
    if paths is not None and not paths:
        return []
    scopes = [] if paths is None else topmost(paths)
    statement = _recall_lines_sql(connection.vendor, len(scopes), status is not None)
    params: list[Any] = [round_.pk, f"{area.path if area else ''}%", *subtree_params(scopes)]
    if status is not None:
        params.append(status)
    with connection.cursor() as cursor:
        cursor.execute(statement, [*params, limit, offset])
        found = cursor.fetchall()
    leaders = grid_leaders({row[15] for row in found})
    return [
        RecallLine(
            pk=pk,
            status=status_,
            outcome=outcome,
            closed_at=sql.aware(closed_at),
            resident_id=resident_id,
            walk_in_id=walk_in_id,
            name=name,
            id_number_masked=id_number_masked,
            phone_masked=phone_masked,
            household_id=household_id,
            household_label=household_label(building, unit, room, address, household_id),
            walk_in_address=walk_in_address,
            area_id=area_id,
            area_name=area_name,
            tube_barcode=barcode,
            tube_result=result,
            retested=bool(retested),
            leaders=leaders.get(area_id, []),
        )
        for (
            pk,
            status_,
            outcome,
            closed_at,
            resident_id,
            walk_in_id,
            name,
            id_number_masked,
            phone_masked,
            household_id,
            building,
            unit,
            room,
            address,
            walk_in_address,
            area_id,
            area_name,
            barcode,
            result,
            retested,
        ) in found
    ]


class RecallListing(Sequence[RecallLine]):
    """A recall list for Django's Paginator: its length is known from the page's progress
    figures (no count statement), and each page is one `recall_lines` read."""

    def __init__(
        self,
        user: ScopedUser,
        round_: Round,
        *,
        area: Area | None,
        status: str | None,
        progress: RecallProgress,
    ) -> None:
        self.user, self.round, self.area, self.status = user, round_, area, status
        if status == RecallStatus.OPEN:
            self.length = progress.open
        elif status == RecallStatus.CLOSED:
            self.length = progress.closed
        else:
            self.length = progress.opened

    def __len__(self) -> int:
        return self.length

    def __iter__(self) -> Iterator[RecallLine]:
        return iter(self[0 : self.length])

    @overload
    def __getitem__(self, index: int) -> RecallLine: ...

    @overload
    def __getitem__(self, index: slice) -> list[RecallLine]: ...

    def __getitem__(self, index: int | slice) -> RecallLine | list[RecallLine]:
        if isinstance(index, int):
            found = self[index : index + 1]
            if not found:
                raise IndexError(index)
            return found[0]
        start, stop, _step = index.indices(self.length)
        return recall_lines(
            self.user,
            self.round,
            area=self.area,
            status=self.status,
            limit=max(stop - start, 0),
            offset=start,
        )


@dataclass(frozen=True)
class Leader:
    name: str
    phone: str


def grid_leaders(area_ids: set[int]) -> dict[int, list[Leader]]:
    """The users holding the grid-leader role on each of these areas, in one statement
    (written by hand: it follows every recall list, see `recall_lines`)."""
    if not area_ids:
        return {}
    ra, c = RoleAssignment, sql.column
    statement = (
        f"SELECT ra.{c(ra, 'area')}, u.{c(User, 'display_name')}, u.{c(User, 'username')}, "  # noqa: S608
        f"u.{c(User, 'phone_masked')} FROM {sql.table(ra)} ra "
        f"JOIN {sql.table(User)} u ON u.{c(User, 'id')} = ra.{c(ra, 'user')} "
        f"WHERE ra.{c(ra, 'role')} = %s AND ra.{c(ra, 'area')} IN "
        f"({', '.join(['%s'] * len(area_ids))}) ORDER BY ra.{c(ra, 'area')}, u.{c(User, 'username')}"
    )
    leaders: dict[int, list[Leader]] = {}
    with connection.cursor() as cursor:
        cursor.execute(statement, [Role.GRID_LEADER.value, *sorted(area_ids)])
        for area_id, display_name, username, phone in cursor.fetchall():
            # The name as User.__str__ gives it, without building users for it.
            leaders.setdefault(area_id, []).append(Leader(display_name or username, phone))
    return leaders


@dataclass
class HomeToVisit:
    """A household a door-to-door team must visit, its people, and the last outcome."""

    household: Household
    residents: list[tuple[Resident, bool]] = field(default_factory=list)  # (person, sampled)
    outcome: str = ""
    outcome_label: str = ""
    visited_at: dt.datetime | None = None

    @property
    def done(self) -> bool:
        return all(sampled for _resident, sampled in self.residents)


def homes_to_visit(round_: Round, area: Area, visible: ResidentQuerySet) -> list[HomeToVisit]:
    """The households of the expected residents in `area` who must be sampled at home
    (bedridden, limited mobility), with who is sampled already and the last visit's outcome.

    `visible` is the caller's scoped resident queryset; a few queries whatever the size.
    """
    in_area = subtree_q([area.path], "grid__path")
    expected = expected_residents(round_).filter(in_area).values("pk")
    residents = list(
        visible.needing_home_visit()
        .filter(in_area, pk__in=expected)
        .select_related("household")
        .order_by("grid__path", "household__sort_key", "household_id", "id")
    )
    sampled = set(
        RoundSample.objects.filter(
            round=round_, resident_id__in=[r.pk for r in residents]
        ).values_list("resident_id", flat=True)
    )
    homes: dict[int, HomeToVisit] = {}
    for resident in residents:
        home = homes.setdefault(resident.household_id, HomeToVisit(resident.household))
        home.residents.append((resident, resident.pk in sampled))
    for visit in HomeVisit.objects.filter(round=round_, household_id__in=list(homes)).order_by(
        "visited_at", "id"
    ):
        home = homes[visit.household_id]
        home.outcome, home.visited_at = visit.outcome, visit.visited_at
        home.outcome_label = str(visit.get_outcome_display())
    return list(homes.values())


def visible_any(queryset: "QuerySet[Any]", user: ScopedUser, *permissions: str) -> "QuerySet[Any]":
    """Rows visible with any of these permissions (e.g. tubes for samplers and staff)."""
    combined: QuerySet[Any] = queryset.visible_to(user, permissions[0])  # type: ignore[attr-defined]
    for permission in permissions[1:]:
        combined = combined | queryset.visible_to(user, permission)  # type: ignore[attr-defined]
    return combined


@dataclass
class TubeCounts:
    """Tubes of a round by stage of their life."""

    by_status: dict[str, int]
    people: int

    def get(self, status: str) -> int:
        return self.by_status.get(status, 0)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


def tube_counts(tubes: "QuerySet[Tube]") -> TubeCounts:
    """Tubes and the people in them, per status, in one query."""
    by_status = {status: 0 for status in TubeStatus.values}
    people = 0
    for row in tubes.order_by().values("status").annotate(n=Count("pk"), people=Sum("filled")):
        by_status[row["status"]] = row["n"]
        people += row["people"] or 0
    return TubeCounts(by_status=by_status, people=people)


def open_unknown_results(user: ScopedUser) -> "QuerySet[UnknownResult]":
    """Alarms still open for results whose barcode no tube had, in the user's areas."""
    alarms: QuerySet[UnknownResult] = UnknownResult.objects.visible_to(user, Perm.VIEW_TESTING)
    return alarms.filter(resolved_at__isnull=True)


def results_area(user: User | None) -> Area | None:
    """Where a user loads laboratory results from: their topmost area with the permission;
    None for a superuser or the operator of a command (their alarms superusers see)."""
    paths = user.scope_paths(Perm.LOAD_RESULTS) if user is not None else None
    if not paths:
        return None
    area: Area | None = Area.objects.filter(path__in=paths).order_by("path").first()
    return area


Place = TypeVar("Place", SamplingPoint, DoorToDoorTeam)


def closest_place(places: Iterable[Place], area_path: str) -> Place | None:
    """The sampling point (or door-to-door team) a station of this area works at unless told
    otherwise: the one of its own area, else of the nearest area above it; the first given
    on a tie. A place of an area below or beside the station's is never a default."""
    serving = [place for place in places if in_scope([place.area.path], area_path)]
    return max(serving, key=lambda place: len(place.area.path), default=None)


def station_places(holder: ScopedUser, model: type[Place]) -> QuerySet[Place]:
    """The points (or teams) of open rounds where the holder may set a station to work: of
    its areas, below them or above them (a community's point serves its grids' stations)."""
    paths = holder.scope_paths(Perm.REGISTER_SAMPLES)
    rounds = Round.objects.visible_to(holder, Perm.REGISTER_SAMPLES).filter(status=RoundStatus.OPEN)
    places = model.objects.filter(round__in=rounds)
    if paths is not None:
        places = places.filter(overlapping(paths, "area__path"))
    return places.select_related("area", "round")


def figures_in_my_areas(rounds: list[Round], user: ScopedUser) -> dict[int, Figures]:
    """Expected and sampled people of each round within the user's areas: two queries
    for any number of rounds (the workbench's round cards)."""
    figures = {round_.pk: Figures() for round_ in rounds}
    mine = Area.objects.visible_to(user, Perm.VIEW_TESTING)
    for round_id, expected in (
        RoundGridStats.objects.filter(round__in=rounds, grid__in=mine)
        .order_by()
        .values("round_id")
        .annotate(n=Sum("expected"))
        .values_list("round_id", "n")
    ):
        figures[round_id].expected = expected or 0
    for round_id, sampled in (
        RoundSample.objects.filter(round__in=rounds, counted=True, grid__in=mine)
        .order_by()
        .values("round_id")
        .annotate(n=Count("pk"))
        .values_list("round_id", "n")
    ):
        figures[round_id].sampled = sampled
    return figures


def my_grids_in_rounds(rounds: list[Round], user: ScopedUser) -> dict[int, list[Area]]:
    """Per round, the grids the user holds a registry role on that the round covers: where
    their untested lists are (one query; none for people above the grids)."""
    paths = user.scope_paths(Perm.VIEW_REGISTRY)
    grids: dict[int, list[Area]] = {round_.pk: [] for round_ in rounds}
    if not paths:
        return grids
    for stats in (
        RoundGridStats.objects.filter(round__in=rounds, grid__path__in=paths)
        .select_related("grid")
        .order_by("grid__path")
    ):
        if stats.grid.is_grid:
            grids[stats.round_id].append(stats.grid)
    return grids


# --- for the daily analysis (wangge.snapshots): grouped counts of a branch ------------------


def exempt_by_grid(round_: Round, area: Area, *, as_of: dt.datetime) -> dict[int, int]:
    """People of the round exempt by a recorded exemption before `as_of`, per grid under
    `area`: one grouped query."""
    return dict(
        Exemption.objects.filter(
            subtree_q([area.path], "resident__grid__path"), round=round_, recorded_at__lt=as_of
        )
        .order_by()
        .values_list("resident__grid_id")
        .annotate(n=Count("resident_id", distinct=True))
        .values_list("resident__grid_id", "n")
    )


def followed_up_by_grid(
    round_: Round, area: Area, start: dt.datetime, end: dt.datetime
) -> dict[int, int]:
    """Untested people of the round someone tried to reach between `start` and `end` (each
    person once, however many attempts), per grid under `area`: one grouped query."""
    return dict(
        FollowUp.objects.filter(
            subtree_q([area.path], "resident__grid__path"),
            round=round_,
            recorded_at__gte=start,
            recorded_at__lt=end,
        )
        .order_by()
        .values_list("resident__grid_id")
        .annotate(n=Count("resident_id", distinct=True))
        .values_list("resident__grid_id", "n")
    )


def positives_by_area(
    area: Area, start: dt.datetime, end: dt.datetime
) -> tuple[dict[str, int], dict[str, int]]:
    """Pooled tubes that came back positive and positive cases detected between `start`
    and `end`, in any round, per area path under `area`: two grouped queries."""
    pools = dict(
        Tube.objects.filter(
            subtree_q([area.path], "area__path"),
            capacity__gt=1,
            result=TestResult.POSITIVE,
            resulted_at__gte=start,
            resulted_at__lt=end,
        )
        .order_by()
        .values_list("area__path")
        .annotate(n=Count("pk"))
        .values_list("area__path", "n")
    )
    cases = dict(
        PositiveCase.objects.filter(
            subtree_q([area.path], "area__path"), detected_at__gte=start, detected_at__lt=end
        )
        .order_by()
        .values_list("area__path")
        .annotate(n=Count("pk"))
        .values_list("area__path", "n")
    )
    return pools, cases


def rounds_of_day(
    area: Area, start: dt.datetime, end: dt.datetime
) -> list[tuple[Round, list[str]]]:
    """The rounds over `area` or part of it that a day from `start` to `end` may report:
    those running then (started before its end, not closed before its start), and those
    closed before it, latest first; each with its scope paths. Two queries."""
    rounds = list(
        Round.objects.filter(status__in=[RoundStatus.OPEN, RoundStatus.CLOSED], starts_at__lt=end)
        .filter(overlapping([area.path], "scope__area__path"))
        .distinct()
        .order_by("-starts_at", "-pk")
    )
    scopes: dict[int, list[str]] = {round_.pk: [] for round_ in rounds}
    for round_id, path in RoundScope.objects.filter(round__in=rounds).values_list(
        "round_id", "area__path"
    ):
        scopes[round_id].append(path)
    return [(round_, scopes[round_.pk]) for round_ in rounds]
