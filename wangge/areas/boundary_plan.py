"""Checking a file of outlines against the tree: which area each feature is, and whether
importing it would leave an outline where it cannot be. Reads only; the action
(`wangge.areas.actions.import_boundaries`) writes a plan that has no error.

Every feature is checked and every problem reported on its feature, so that an office
corrects the file once: unreadable or invalid geometry (from the reader), an area that is
not there or not the importer's (one message for both: out of scope looks like missing),
an area the importer holds itself (its outline is set from the level above, as its name
is), two features for one area, and an outline that lies more than the tolerance outside
its parent's — the parent's outline in the same file, else the one already stored. An
outline that would leave an already stored child outside is reported on the parent.
"""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from wangge.areas import geo
from wangge.areas.boundaries import FeatureRow
from wangge.areas.choices import BoundaryOutcome
from wangge.areas.models import Area, AreaBoundary
from wangge.core.scoping import ancestor_paths, in_scope, is_within, subtree_q

STEP = Area.steplen
QUERY_CHUNK = 200
# A report names at most this many of the children a new outline would leave outside.
SHOWN_NAMES = 5


@dataclass
class BoundaryRow:
    """A feature and the area it is the outline of (None when it names none)."""

    feature: FeatureRow
    area: Area | None = None
    replaces: bool = False

    @property
    def errors(self) -> list[str]:
        return self.feature.errors

    @property
    def outcome(self) -> str:
        if self.errors:
            return BoundaryOutcome.ERROR
        return BoundaryOutcome.REPLACE if self.replaces else BoundaryOutcome.NEW

    @property
    def outcome_label(self) -> str:
        return str(BoundaryOutcome(self.outcome).label)


@dataclass
class BoundaryPlan:
    """Every feature of the file, as the tree and its outlines stand now."""

    rows: list[BoundaryRow] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.rows) and not any(row.errors for row in self.rows)

    def counts(self) -> dict[str, int]:
        totals = dict.fromkeys(BoundaryOutcome.values, 0)
        for row in self.rows:
            totals[row.outcome] += 1
        return totals

    @property
    def errors(self) -> list[tuple[int, str]]:
        return [(row.feature.index, message) for row in self.rows for message in row.errors]


def _chunks(items: Sequence[Any], size: int = QUERY_CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def may_outline(scope: list[str] | None, area: Area) -> bool:
    """Whether an actor sets this area's outline: strictly below an area they manage, as
    for its name (None: an operator, anywhere)."""
    if scope is None:
        return True
    return any(is_within(area.path, path) and area.path != path for path in scope)


def _may_name(scope: list[str] | None, area: Area) -> bool:
    """Whether a path may start at this area: in the actor's areas or above them (the
    breadcrumbs they see)."""
    if scope is None or in_scope(scope, area.path):
        return True
    return any(area.path in ancestor_paths(path) for path in scope)


def _by_code(codes: set[str]) -> dict[str, Area]:
    found: dict[str, Area] = {}
    for chunk in _chunks(sorted(codes)):
        found.update((area.code, area) for area in Area.objects.filter(code__in=chunk))
    return found


def _by_path(paths: set[tuple[str, ...]], scope: list[str] | None) -> dict[tuple[str, ...], Any]:
    """Each path's area, or the reason it names none (a string). One query per level."""
    resolved: dict[tuple[str, ...], Any] = {}
    firsts = sorted({path[0] for path in paths})
    starts: dict[str, list[Area]] = defaultdict(list)
    for chunk in _chunks(firsts):
        for area in Area.objects.filter(name__in=chunk).order_by("path"):
            if _may_name(scope, area):
                starts[area.name].append(area)
    for name in firsts:
        if len(starts[name]) == 1:
            resolved[(name,)] = starts[name][0]
        elif not starts[name]:
            resolved[(name,)] = _("no area named %(name)s among your areas") % {"name": name}
        else:
            resolved[(name,)] = _(
                "%(name)s names %(count)s areas; start the path higher up or give a code"
            ) % {"name": name, "count": len(starts[name])}
    depth = max((len(path) for path in paths), default=0)
    for level in range(2, depth + 1):
        wanted = {path[:level] for path in paths if len(path) >= level}
        parents: dict[tuple[str, ...], Area] = {}
        for prefix in wanted:
            parent = resolved.get(prefix[:-1])
            if isinstance(parent, Area):
                parents[prefix[:-1]] = parent
        names = sorted({prefix[-1] for prefix in wanted if prefix[:-1] in parents})
        children: dict[tuple[str, str], Area] = {}
        depths = sorted({parent.depth + 1 for parent in parents.values()})
        for chunk in _chunks(names):
            for area in Area.objects.filter(name__in=chunk, depth__in=depths):
                if _may_name(scope, area):
                    children[(area.path[:-STEP], area.name)] = area
        for prefix in wanted:
            parent = resolved.get(prefix[:-1])
            if not isinstance(parent, Area):
                resolved[prefix] = parent  # the reason the path stopped higher up
                continue
            child = children.get((parent.path, prefix[-1]))
            resolved[prefix] = child or (
                _("%(parent)s has no area named %(name)s")
                % {"parent": parent.name, "name": prefix[-1]}
            )
    return resolved


def _stored_outlines(paths: Iterable[str]) -> dict[str, BaseGeometry]:
    found: dict[str, BaseGeometry] = {}
    for chunk in _chunks(sorted(set(paths))):
        for path, geometry in AreaBoundary.objects.filter(area__path__in=chunk).values_list(
            "area__path", "geometry"
        ):
            found[path] = geo.from_geojson(geometry)
    return found


def _stored_children(parents: list[Area], skip: set[str]) -> list[tuple[Area, BaseGeometry]]:
    """Stored outlines of the areas right below `parents`, except the areas at `skip`."""
    found: list[tuple[Area, BaseGeometry]] = []
    for chunk in _chunks(parents):
        condition = Q(pk__in=[])
        for parent in chunk:
            condition |= subtree_q([parent.path], "area__path") & Q(area__depth=parent.depth + 1)
        for boundary in (
            AreaBoundary.objects.filter(condition).select_related("area").order_by("area__path")
        ):
            if boundary.area.path not in skip:
                found.append((boundary.area, geo.from_geojson(boundary.geometry)))
    return found


def tolerance() -> float:
    return float(settings.WANGGE_BOUNDARY_TOLERANCE_PERCENT) / 100


def _percent(share: float) -> str:
    return f"{share * 100:.1f}%"


def plan_boundary_import(
    features: Sequence[FeatureRow], *, scope: list[str] | None
) -> BoundaryPlan:
    """Which area each feature outlines and what is wrong; `scope` is the actor's
    MANAGE_AREAS paths (None: an operator). Nothing is written."""
    plan = BoundaryPlan([BoundaryRow(feature) for feature in features])
    codes = _by_code({row.feature.code for row in plan.rows if row.feature.code})
    paths = _by_path({row.feature.path for row in plan.rows if row.feature.path}, scope)

    for row in plan.rows:
        feature = row.feature
        area: Area | None = None
        if feature.code:
            area = codes.get(feature.code)
            if area is None or not _may_name(scope, area):
                feature.errors.append(
                    _("no area has the code %(code)s among your areas") % {"code": feature.code}
                )
                continue
            by_path = paths.get(feature.path) if feature.path else None
            if isinstance(by_path, Area) and by_path.pk != area.pk:
                feature.errors.append(
                    _("the code names %(name)s but the path names another area")
                    % {"name": area.name}
                )
                continue
        elif feature.path:
            found = paths.get(feature.path)
            if not isinstance(found, Area):
                feature.errors.append(str(found))
                continue
            area = found
        if area is None:
            continue
        if not may_outline(scope, area):
            feature.errors.append(
                _("the outline of %(name)s is set by the level above you") % {"name": area.name}
            )
            continue
        row.area = area

    # One feature per area.
    by_area: dict[int, list[BoundaryRow]] = defaultdict(list)
    for row in plan.rows:
        if row.area is not None:
            by_area[row.area.pk].append(row)
    for same in by_area.values():
        if len(same) > 1:
            numbers = ", ".join(f"#{row.feature.index}" for row in same)
            for row in same:
                row.errors.append(
                    _("features %(numbers)s are all for %(name)s; keep one")
                    % {"numbers": numbers, "name": row.area.name if row.area else ""}
                )

    placed = [row for row in plan.rows if row.area is not None and row.feature.shape is not None]
    existing = set(
        AreaBoundary.objects.filter(area__in=[row.area for row in placed]).values_list(
            "area_id", flat=True
        )
    )
    for row in placed:
        row.replaces = row.area is not None and row.area.pk in existing
    _check_containment(placed)
    return plan


def _check_containment(placed: list[BoundaryRow]) -> None:
    """Children inside their parents, within the tolerance: each feature against its
    parent's new or stored outline, and stored children against a new parent outline."""
    limit = tolerance()
    new = {row.area.path: row.feature.shape for row in placed if row.area is not None}
    parent_paths = {path[:-STEP] for path in new if len(path) > STEP}
    stored = _stored_outlines(parent_paths - new.keys())
    parent_names = dict(
        Area.objects.filter(path__in=sorted(parent_paths)).values_list("path", "name")
    )
    for row in placed:
        assert row.area is not None and row.feature.shape is not None  # noqa: S101
        parent_path = row.area.path[:-STEP]
        outline = new.get(parent_path) or stored.get(parent_path)
        if outline is None:
            continue
        share = geo.share_outside(row.feature.shape, outline)
        if share > limit:
            row.errors.append(
                _("%(share)s of it lies outside %(parent)s")
                % {"share": _percent(share), "parent": parent_names.get(parent_path, "")}
            )
    by_path = {row.area.path: row for row in placed if row.area is not None}
    areas = [row.area for row in placed if row.area is not None]
    left_out: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for child, shape in _stored_children(areas, skip=set(new)):
        parent_row = by_path.get(child.path[:-STEP])
        if parent_row is None or parent_row.feature.shape is None:
            continue
        share = geo.share_outside(shape, parent_row.feature.shape)
        if share > limit:
            left_out[child.path[:-STEP]].append((child.name, share))
    for path, children in left_out.items():
        row = by_path[path]
        if len(children) == 1:
            name, share = children[0]
            row.errors.append(
                _("%(share)s of %(child)s (below it, already imported) would lie outside it")
                % {"share": _percent(share), "child": name}
            )
            continue
        names = "、".join(name for name, _share in children[:SHOWN_NAMES])
        if len(children) > SHOWN_NAMES:
            names += "…"
        row.errors.append(
            _("%(count)s areas below it (already imported) would lie outside it: %(names)s")
            % {"count": len(children), "names": names}
        )
