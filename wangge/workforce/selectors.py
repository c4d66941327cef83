"""Reads of the workforce that are more than a filter: the chain of responsibility (包联) of
a household or an area, and the gaps and coverage of the chain below an area.

The gaps of a district (3,000 grids, hundreds of thousands of households) are read in a
fixed number of grouped queries over the subtree's path range, never one per area: the
areas of the levels that have required duties, the duties, and the covered (area, duty)
pairs with their households counted. Everything else is arithmetic in Python.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import Count, F
from django.db.models.functions import Coalesce

from wangge.areas.choices import GRID_KINDS, KIND_LEVEL
from wangge.areas.models import Area
from wangge.core.scoping import ancestor_paths, subtree_q
from wangge.residents.models import Household
from wangge.workforce.choices import DutyLevel
from wangge.workforce.models import Duty, Responsibility, ResponsibilityQuerySet

# The chain stops at the district: the city's own leaders are not on call for a grid.
DISTRICT_DEPTH = 2


def _above_district(path: str) -> list[str]:
    return ancestor_paths(path)[DISTRICT_DEPTH - 1 :]


def _on_path(path: str, at: dt.datetime, households: list[int]) -> ResponsibilityQuerySet:
    """The responsibilities held at `at` on the areas from the district down to `path`:
    the areas' own, and those for these households.

    The household test is written on an expression, not the column: with the column,
    SQLite reads the household index for "no household" (every area-level row of the
    installation) instead of starting from the handful of areas on the path."""
    on_path: ResponsibilityQuerySet = (
        Responsibility.objects.active_at(at)
        .alias(for_household=Coalesce("household_id", 0))
        .filter(area__path__in=_above_district(path), for_household__in=[0, *households])
    )
    return on_path


def chain_for_area(area: Area, at: dt.datetime) -> ResponsibilityQuerySet:
    """The responsibilities held at `at` on `area` and on every area above it up to the
    district, nearest first (the grid's stationed cadre before the street's leader).

    The filter starts from the handful of areas on the path (unique path index), then
    their responsibilities (area index): a few rows read whatever the size of the table.
    """
    chain: ResponsibilityQuerySet = (
        _on_path(area.path, at, [])
        .select_related("worker", "duty", "area")
        .order_by("-area__depth", "duty__order", "duty__code", "started_at")
    )
    return chain


def chain_for_household(household: Household, at: dt.datetime) -> ResponsibilityQuerySet:
    """The household's own representatives, then the chain of its grid up to the district.

    A household duty's row sits on the household's grid, so one filter on the areas of the
    path, then "no household, or this one", reads only the grid's rows.
    """
    chain: ResponsibilityQuerySet = (
        _on_path(household.grid.path, at, [household.pk])
        .select_related("worker", "duty", "area")
        .order_by(
            F("household").desc(nulls_last=True),
            "-area__depth",
            "duty__order",
            "duty__code",
            "started_at",
        )
    )
    return chain


def kinds_at_level(level: int) -> list[str]:
    """The area kinds of one level of the tree (a street, a town and a township are one)."""
    return [kind for kind, kind_level in KIND_LEVEL.items() if kind_level == level]


def duties_for_level(level: int) -> list[Duty]:
    """The duties an area of this level may be given, in their order."""
    return list(Duty.objects.filter(level=level).order_by("order", "code"))


# Gaps and coverage


@dataclass(frozen=True)
class GapArea:
    """An area below, as the gaps list shows it (a light row, not a model instance: a
    district has thousands)."""

    pk: int
    name: str
    kind: str
    path: str
    household_count: int


@dataclass(frozen=True)
class Gap:
    """An area with a required duty nobody holds; for a household duty, a grid and how
    many of its households have nobody for it."""

    area: GapArea
    duty: Duty
    missing: int = 1


@dataclass
class LevelCoverage:
    """One level of the chain below an area: its required (area, duty) pairs (households ×
    duties at the household level), how many are covered, and the gaps."""

    level: int
    required: int = 0
    covered: int = 0
    gaps: list[Gap] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(DutyLevel(self.level).label)

    @property
    def missing(self) -> int:
        return self.required - self.covered

    @property
    def percent(self) -> int:
        return _percent(self.covered, self.required)


@dataclass
class ChainCoverage:
    """The chain below one or more areas at a time: per level and overall."""

    levels: list[LevelCoverage]

    @property
    def required(self) -> int:
        return sum(level.required for level in self.levels)

    @property
    def covered(self) -> int:
        return sum(level.covered for level in self.levels)

    @property
    def missing(self) -> int:
        return self.required - self.covered

    @property
    def percent(self) -> int:
        return _percent(self.covered, self.required)

    def level(self, level: int) -> LevelCoverage | None:
        return next((row for row in self.levels if row.level == level), None)


def _percent(covered: int, required: int) -> int:
    """Rounded down, so that 99.6 % with a gap never reads as 100 %."""
    if not required:
        return 100
    return covered * 100 // required


def _required_duties() -> dict[int, list[Duty]]:
    by_level: dict[int, list[Duty]] = defaultdict(list)
    for duty in Duty.objects.filter(required=True).order_by("level", "order", "code"):
        by_level[duty.level].append(duty)
    return by_level


def chain_gaps(paths: Iterable[str], at: dt.datetime, *, list_gaps: bool = True) -> ChainCoverage:
    """The chain below the areas at `paths` (each included) at `at`: for every level with
    required duties, its areas × those duties, those someone holds, and the gaps (with
    `list_gaps`); at the household level, households × required household duties.

    Three queries whatever the size of the subtree — the duties, the areas of those levels
    (with their household counts), the (area, duty) pairs held — and a fourth when a
    household duty is required: the households held, counted by grid. The pairs and the
    households are read from partial covering indexes (models.py), ordered by duty and
    area, so the areas' own duties never read the household rows.
    """
    roots = list(paths)
    duties = _required_duties()
    if not roots or not duties:
        return ChainCoverage(levels=[])
    household_duties = duties.get(DutyLevel.HOUSEHOLD, [])
    area_levels = [level for level in duties if level != DutyLevel.HOUSEHOLD]
    kinds = [kind for level in area_levels for kind in kinds_at_level(level)]
    if household_duties:
        kinds += kinds_at_level(DutyLevel.GRID)
    within = subtree_q(roots)
    areas = [
        GapArea(*row)
        for row in Area.objects.filter(within, kind__in=kinds)
        .order_by("path")
        .values_list("pk", "name", "kind", "path", "household_count")
    ]
    held = Responsibility.objects.active_at(at).filter(subtree_q(roots, "area__path")).order_by()
    area_duties = [duty.pk for level in area_levels for duty in duties[level]]
    covered: dict[tuple[int, int], int] = dict.fromkeys(
        held.filter(household__isnull=True, duty_id__in=area_duties)
        .values_list("area_id", "duty_id")
        .distinct(),
        0,
    )
    if household_duties:
        covered.update(
            ((area_id, duty_id), households)
            for area_id, duty_id, households in held.filter(
                household__isnull=False, duty_id__in=[duty.pk for duty in household_duties]
            )
            .values_list("area_id", "duty_id")
            .annotate(households=Count("household_id", distinct=True))
        )
    levels: dict[int, LevelCoverage] = {
        level: LevelCoverage(level) for level in sorted(duties) if level in area_levels
    }
    households = LevelCoverage(DutyLevel.HOUSEHOLD) if household_duties else None
    # Ids looked up once: a district's loop runs over thousands of areas.
    by_kind = {
        kind: (levels.get(level), [(duty.pk, duty) for duty in duties.get(level, [])])
        for kind, level in KIND_LEVEL.items()
    }
    home_duties = [(duty.pk, duty) for duty in household_duties]
    for area in areas:
        row, level_duties = by_kind[area.kind]
        if row is not None:
            for duty_id, duty in level_duties:
                row.required += 1
                if (area.pk, duty_id) in covered:
                    row.covered += 1
                elif list_gaps:
                    row.gaps.append(Gap(area, duty))
        if households is not None and area.kind in GRID_KINDS:
            for duty_id, duty in home_duties:
                had = min(covered.get((area.pk, duty_id), 0), area.household_count)
                households.required += area.household_count
                households.covered += had
                if list_gaps and had < area.household_count:
                    households.gaps.append(Gap(area, duty, area.household_count - had))
    ordered = [row for row in levels.values() if row.required] + (
        [households] if households is not None and households.required else []
    )
    return ChainCoverage(levels=ordered)


def households_without(grid: Area, duty: Duty, at: dt.datetime) -> "list[Household]":
    """The households of a grid with nobody holding a household duty (a short list: one
    grid's addresses)."""
    held = (
        Responsibility.objects.active_at(at)
        .filter(area=grid, duty=duty, household__isnull=False)
        .values("household_id")
    )
    return list(Household.objects.filter(grid=grid).exclude(pk__in=held).order_by("sort_key", "pk"))


# The chain as a page shows it


@dataclass
class ChainStep:
    """One area of a chain: who holds its duties, and the required duties nobody holds."""

    area: Area
    holders: list[Responsibility] = field(default_factory=list)
    missing: list[Duty] = field(default_factory=list)


@dataclass
class ChainView:
    """A chain as its page shows it: a household's own representatives (and the required
    household duties nobody holds for it), then each area up to the district."""

    own: list[Responsibility]
    own_missing: list[Duty]
    steps: list[ChainStep]


def chain_steps(area: Area, at: dt.datetime, household: Household | None = None) -> ChainView:
    """The chain of an area (or of a household: its representatives first) up to the
    district, nearest first, with the required duties nobody holds on each area of it.
    Three queries: the areas of the path, the chain, the duties."""
    above = _above_district(area.path)
    areas = list(Area.objects.filter(path__in=above).order_by("-depth"))
    chain = list(chain_for_household(household, at) if household else chain_for_area(area, at))
    steps = {node.pk: ChainStep(node) for node in areas}
    own: list[Responsibility] = []
    for held in chain:
        if held.household_id is not None:
            own.append(held)
        elif held.area_id in steps:
            steps[held.area_id].holders.append(held)
    levels = {node.level for node in areas} | ({DutyLevel.HOUSEHOLD} if household else set())
    own_missing: list[Duty] = []
    for duty in Duty.objects.filter(required=True, level__in=levels).order_by("order", "code"):
        if duty.level == DutyLevel.HOUSEHOLD:
            if all(held.duty_id != duty.pk for held in own):
                own_missing.append(duty)
            continue
        for step in steps.values():
            if step.area.level == duty.level and all(
                held.duty_id != duty.pk for held in step.holders
            ):
                step.missing.append(duty)
    return ChainView(own=own, own_missing=own_missing, steps=list(steps.values()))
