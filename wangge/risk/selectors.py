"""An area's effective risk level: the strictest of its own current setting and its
ancestors' (DOMAIN.md), else normal."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from os.path import commonprefix

from django.db.models import Count, Q, QuerySet

from wangge.areas.choices import GRID_KINDS
from wangge.areas.models import Area
from wangge.core.scoping import overlapping, subtree_q, topmost
from wangge.risk.choices import STRICTNESS, RiskLevel
from wangge.risk.models import AreaRiskLevel, RiskPolicy


@dataclass(frozen=True)
class EffectiveLevel:
    level: str
    # The setting it comes from (the area's own or an ancestor's); None: never set (normal).
    setting: AreaRiskLevel | None

    @property
    def inherited_from(self) -> Area | None:
        return self.setting.area if self.setting is not None else None


def _ancestor_paths(path: str) -> list[str]:
    step = Area.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


# Up to this many paths are named one by one; beyond, the query names their common ancestor.
MAX_NAMED_PATHS = 50


def _current_on(paths: set[str], at: dt.datetime | None = None) -> "QuerySet[AreaRiskLevel]":
    """The current settings of these areas, and perhaps a few more (the caller keeps the
    ones it asked for). Many areas (a branch of 1,000 grids) are not named one by one —
    building a thousand-item IN costs the ORM more than the query costs the database — but
    through their common ancestor: its subtree and the areas above it, where few settings
    lie. With `at`, the settings that held then (set before it, not ended by it)."""
    if at is None:
        rows = AreaRiskLevel.objects.filter(ended_at__isnull=True)
    else:
        rows = AreaRiskLevel.objects.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=at), set_at__lte=at
        )
    if len(paths) <= MAX_NAMED_PATHS:
        return rows.filter(area__path__in=paths)
    common = commonprefix(list(paths))
    common = common[: len(common) - len(common) % Area.steplen]
    if not common:
        return rows
    return rows.filter(Q(area__path__startswith=common) | Q(area__path__in=_ancestor_paths(common)))


def effective_levels(
    areas: Iterable[Area], *, at: dt.datetime | None = None
) -> dict[int, EffectiveLevel]:
    """The effective level of each area, by area id, in one query; with `at`, the level
    as it was then (from the settings' history)."""
    areas = list(areas)
    chains = {area.path: _ancestor_paths(area.path) for area in areas}
    paths = {p for chain in chains.values() for p in chain}
    current = {
        setting.area.path: setting
        for setting in _current_on(paths, at).select_related("area")
        if setting.area.path in paths
    }
    return {
        area.pk: _strictest([current[p] for p in chains[area.path] if p in current])
        for area in areas
    }


def _strictest(chain: list[AreaRiskLevel]) -> EffectiveLevel:
    """The strictest of the current settings along an area's chain (top first, its own
    last); of equally strict ones the nearest, so an area's own setting names its level
    when no stricter one is above it."""
    if not chain:
        return EffectiveLevel(RiskLevel.NORMAL, None)
    strictest = max(reversed(chain), key=lambda s: STRICTNESS[s.level])
    return EffectiveLevel(strictest.level, strictest)


def effective_level(area: Area) -> EffectiveLevel:
    return effective_levels([area])[area.pk]


def policies() -> dict[str, RiskPolicy]:
    """Each level's policy, by level (one query; a missing row means no consequence)."""
    return {policy.level: policy for policy in RiskPolicy.objects.all()}


@dataclass(frozen=True)
class Consequence:
    """What an area's effective level means for a new round there."""

    level: str
    pool_size: int  # the level's, else the round's own
    door_to_door: bool


def consequences(areas: Iterable[Area], round_pool_size: int) -> dict[int, Consequence]:
    """The pool size and door-to-door sampling of each area (by id) for a round whose own
    pool size is `round_pool_size`: two queries whatever the number of areas. The level's
    pool size replaces the round's, except that a round of single tubes stays single."""
    levels = effective_levels(areas)
    by_level = policies()
    result: dict[int, Consequence] = {}
    for area_id, effective in levels.items():
        policy = by_level.get(effective.level)
        result[area_id] = Consequence(
            level=effective.level,
            pool_size=(
                policy.pool_size
                if policy and policy.pool_size and round_pool_size != 1
                else round_pool_size
            ),
            door_to_door=bool(policy and policy.door_to_door),
        )
    return result


@dataclass(frozen=True)
class AreaLevelView:
    """All an area's page shows of its level, read in one query: its own settings (newest
    first), the current settings above it (top first) and the effective level."""

    history: list[AreaRiskLevel]
    above: list[AreaRiskLevel]
    effective: EffectiveLevel


def door_to_door_grids(paths: Iterable[str]) -> set[int]:
    """The grids in these subtrees whose effective level samples every home door to door
    (lockdown, by default). Two queries when no such level is set there (the usual case),
    four otherwise: the grids of the subtrees and their levels."""
    paths = topmost(paths)
    door_levels = [level for level, policy in policies().items() if policy.door_to_door]
    if not paths or not door_levels:
        return set()
    settings = AreaRiskLevel.objects.filter(ended_at__isnull=True, level__in=door_levels)
    if not settings.filter(overlapping(paths, "area__path")).exists():
        return set()
    grids = Area.objects.filter(subtree_q(paths), kind__in=GRID_KINDS).only("pk", "path")
    return {
        area_id
        for area_id, effective in effective_levels(grids).items()
        if effective.level in door_levels
    }


def area_level_view(area: Area) -> AreaLevelView:
    rows = list(
        AreaRiskLevel.objects.filter(
            Q(area=area) | Q(area__path__in=_ancestor_paths(area.path)[:-1], ended_at__isnull=True)
        )
        .select_related("area", "set_by")
        .order_by("-set_at", "-pk")
    )
    own = [s for s in rows if s.area_id == area.pk]
    above = sorted((s for s in rows if s.area_id != area.pk), key=lambda s: s.area.path)
    current = [s for s in own if s.ended_at is None]
    return AreaLevelView(own, above, _strictest([*above, *current]))


def current_settings(paths: list[str] | None, level: str = "") -> list[AreaRiskLevel]:
    """The current settings (not normal) of the areas in these subtrees or above them (a
    level set on the street holds in a grid member's grid): None, everywhere. Strictest
    first, then by place in the tree."""
    rows = AreaRiskLevel.objects.filter(ended_at__isnull=True).exclude(level=RiskLevel.NORMAL)
    if paths is not None:
        rows = rows.filter(overlapping(paths, "area__path"))
    if level:
        rows = rows.filter(level=level)
    found = list(rows.select_related("area", "set_by"))
    found.sort(key=lambda s: (-STRICTNESS[s.level], s.area.path))
    return found


def settings_with_consequences(
    paths: list[str] | None, round_pool_size: int
) -> list[tuple[AreaRiskLevel, Consequence]]:
    """The current settings (not normal) in these subtrees or above them, each with what it
    means for a round whose own pool size is given (a round's page): two queries."""
    by_level = policies()
    found = []
    for setting in current_settings(paths):
        policy = by_level.get(setting.level)
        pool = policy.pool_size if policy and policy.pool_size else None
        found.append(
            (
                setting,
                Consequence(
                    level=setting.level,
                    pool_size=pool if pool and round_pool_size != 1 else round_pool_size,
                    door_to_door=bool(policy and policy.door_to_door),
                ),
            )
        )
    return found


def counts_by_level(paths: list[str] | None) -> dict[str, int]:
    """How many areas have each level of their own (not normal) in these subtrees or above
    them: one grouped query (the workbench card)."""
    rows = AreaRiskLevel.objects.filter(ended_at__isnull=True).exclude(level=RiskLevel.NORMAL)
    if paths is not None:
        rows = rows.filter(overlapping(paths, "area__path"))
    return {
        row["level"]: row["n"] for row in rows.order_by().values("level").annotate(n=Count("pk"))
    }
