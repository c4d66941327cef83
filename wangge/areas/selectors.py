"""Reads of the area tree: children with rolled-up counts, in a fixed number of queries."""

from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr

from wangge.areas import geo
from wangge.areas.choices import GRID_KINDS, AreaKind
from wangge.areas.importing import KIND_EXPORT_NAMES
from wangge.areas.models import Area, AreaBoundary
from wangge.core.permissions import Perm
from wangge.core.scoping import ScopedUser, subtree_q, topmost


@dataclass(frozen=True)
class AreaWithTotals:
    area: Area
    residents: int
    households: int
    grids: int
    # Marks other apps put beside the name (areas.extensions.area_badges).
    badges: tuple[Any, ...] = field(default=())


def rolled_up_totals(nodes: list[Area]) -> dict[str, dict[str, int]]:
    """Totals of each node's subtree, keyed by path; nodes must be siblings (same depth)."""
    if not nodes:
        return {}
    length = nodes[0].depth * Area.steplen
    prefix = nodes[0].path[: length - Area.steplen]
    rows = (
        Area.objects.filter(subtree_q([prefix]), depth__gte=nodes[0].depth)
        .order_by()
        .annotate(branch=Substr("path", 1, length))
        .filter(branch__in=[node.path for node in nodes])
        .values("branch")
        .annotate(
            residents=Sum("resident_count"),
            households=Sum("household_count"),
            grids=Count("pk", filter=Q(kind__in=GRID_KINDS)),
        )
    )
    return {
        row["branch"]: {
            "residents": row["residents"] or 0,
            "households": row["households"] or 0,
            "grids": row["grids"],
        }
        for row in rows
    }


def with_totals(nodes: list[Area]) -> list[AreaWithTotals]:
    """Sibling nodes with their subtree totals: two queries whatever the tree's size."""
    totals = rolled_up_totals(nodes)
    empty = {"residents": 0, "households": 0, "grids": 0}
    rows = []
    for node in nodes:
        found = totals.get(node.path, empty)
        rows.append(AreaWithTotals(node, found["residents"], found["households"], found["grids"]))
    return rows


def children_with_totals(area: Area) -> list[AreaWithTotals]:
    """In tree order: as imported (official code order) or created, streets before towns."""
    return with_totals(list(Area.objects.get_children(area).order_by("path")))


def entry_points(paths: list[str] | None) -> list[Area]:
    """A user's topmost areas (None: the whole tree's roots), given their scope paths."""
    if paths is None:
        return list(Area.objects.get_root_nodes().order_by("name"))
    return list(Area.objects.filter(path__in=topmost(paths)).order_by("path"))


def kind_summary(rows: list[AreaWithTotals]) -> list[tuple[str, int]]:
    """How many children of each kind ("9 streets, 4 towns"), in the order they first appear."""
    counts: dict[str, int] = {}
    labels: dict[str, str] = {}
    for row in rows:
        counts[row.area.kind] = counts.get(row.area.kind, 0) + 1
        labels[row.area.kind] = str(row.area.get_kind_display())
    return [(labels[kind], count) for kind, count in counts.items()]


@dataclass(frozen=True)
class AreaMatch:
    area: Area
    trail: list[str]  # names of the visible ancestors, top first


def search_areas(
    user: ScopedUser,
    query: str,
    limit: int = 30,
    *,
    permission: str = Perm.VIEW_AREAS,
    offset: int = 0,
    without_buildings: bool = False,
) -> list[AreaMatch]:
    """Areas the user holds `permission` on whose name contains `query`, with where they
    lie (the visible ancestors' names): two queries."""
    text = query.strip()
    if not text:
        return []
    found = Area.objects.visible_to(user, permission).filter(name__contains=text)
    if without_buildings:
        found = found.exclude(kind=AreaKind.BUILDING)
    matches = list(found.order_by("depth", "path")[offset : offset + limit])
    ancestor_paths = {
        match.path[:end]
        for match in matches
        for end in range(Area.steplen, len(match.path), Area.steplen)
    }
    names = dict(
        Area.objects.visible_to(user, permission)
        .filter(path__in=sorted(ancestor_paths))
        .values_list("path", "name")
    )
    return [
        AreaMatch(
            match,
            [
                names[match.path[:end]]
                for end in range(Area.steplen, len(match.path), Area.steplen)
                if match.path[:end] in names
            ],
        )
        for match in matches
    ]


def tree_export_rows(roots: list[Area], user: ScopedUser | None) -> list[list[str]]:
    """The subtrees below `roots` as sheet rows: code, name, kind, parent code.

    A parent without a code is written as "#N", the row it is on (the header is row 1).
    A root's parent code is written only when the user may see that parent (None: an
    operator sees all); to the importer an empty parent code on an existing area means
    "where it already is", so the file still imports back.
    """
    if not roots:
        return []
    nodes = list(
        Area.objects.filter(subtree_q(root.path for root in roots))
        .order_by("path")
        .values_list("path", "code", "name", "kind")
    )
    reference = {
        path: code or f"#{line}" for line, (path, code, _name, _kind) in enumerate(nodes, start=2)
    }
    outside = sorted({root.path[: -Area.steplen] for root in roots if root.depth > 1})
    if outside:
        parents = Area.objects.filter(path__in=outside)
        if user is not None:
            parents = parents.visible_to(user, Perm.VIEW_AREAS)
        reference.update((path, code or "") for path, code in parents.values_list("path", "code"))
    return [
        [
            code or "",
            name,
            KIND_EXPORT_NAMES.get(kind, kind),
            reference.get(path[: -Area.steplen], ""),
        ]
        for path, code, name, kind in nodes
    ]


# A node of the picker lists at most this many children: a community's grids, a street's
# communities; more would be no way to choose (the search is).
PICKER_CHILDREN = 500


@dataclass(frozen=True)
class PickerNode:
    """An area offered by the tree picker, and whether it opens onto choosable children."""

    area: Area

    @property
    def opens(self) -> bool:
        # A grid's children are buildings, which a picker does not offer.
        return bool(self.area.numchild) and self.area.kind not in GRID_KINDS


def picker_roots(user: ScopedUser, permission: str) -> list[PickerNode]:
    """Where the picker's tree starts: the user's topmost areas for `permission`."""
    roots = entry_points(user.scope_paths(permission))
    return [PickerNode(area) for area in roots if area.kind != AreaKind.BUILDING]


def picker_children(user: ScopedUser, permission: str, path: str) -> list[PickerNode]:
    """The areas right below the one at `path` that the user holds `permission` on, in tree
    order: one query (nothing for a path outside the user's scope)."""
    parent = Area(path=path, depth=len(path) // Area.steplen)
    children = (
        Area.objects.visible_to(user, permission)
        .within(parent)
        .filter(depth=parent.depth + 1)
        .exclude(kind=AreaKind.BUILDING)
        .only("pk", "name", "kind", "path", "depth", "numchild")
        .order_by("path")[:PICKER_CHILDREN]
    )
    return [PickerNode(area) for area in children]


# --- outlines (the map) ------------------------------------------------------------------

# A map sends at most about this many positions as they were drawn; beyond it the children's
# outlines are simplified to what a screen can show (and the result cached per area).
MAP_POINTS_BUDGET = 20_000
# Detail finer than this share of the map's extent is below a pixel on any screen.
SIMPLIFY_SHARE = 1 / 3000
OUTLINE_CACHE_SECONDS = 24 * 3600


def outline_of(area: Area) -> AreaBoundary | None:
    """The area's own outline, or None when none was imported."""
    return AreaBoundary.objects.filter(area=area).first()


def children_outlines(area: Area) -> dict[int, dict[str, Any]]:
    """The outlines of the areas right below `area`, by area id: two queries, and a
    simplification (cached until an outline changes) when they are too detailed to send."""
    below = AreaBoundary.objects.filter(
        subtree_q([area.path], "area__path"), area__depth=area.depth + 1
    )
    facts = list(
        below.values_list(
            "area_id", "points", "imported_at", "min_lon", "min_lat", "max_lon", "max_lat"
        )
    )
    if not facts:
        return {}
    total = sum(points for _pk, points, *_rest in facts)
    if total <= MAP_POINTS_BUDGET:
        return dict(below.values_list("area_id", "geometry"))
    stamp = max(imported_at for _pk, _points, imported_at, *_rest in facts)
    key = f"map-outlines:{area.pk}:{len(facts)}:{total}:{stamp.timestamp()}"
    cached: dict[int, dict[str, Any]] | None = cache.get(key)
    if cached is not None:
        return cached
    extent = geo.union_bounds([(w, s, e, n) for _pk, _points, _at, w, s, e, n in facts])
    assert extent is not None  # noqa: S101 (facts is not empty)
    tolerance = max(extent[2] - extent[0], extent[3] - extent[1]) * SIMPLIFY_SHARE
    simplified = {
        pk: geo.simplify(geometry, tolerance)
        for pk, geometry in below.values_list("area_id", "geometry")
    }
    cache.set(key, simplified, OUTLINE_CACHE_SECONDS)
    return simplified
