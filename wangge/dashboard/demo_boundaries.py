"""Plausible outlines for the demo district, so that its map shows something true to form.

The district is an irregular blob around the real place (Qilihe District lies south of
the Yellow River in Lanzhou, its urban streets in the north, its towns in the loess hills
to the south; Yumen City's seat is in the Hexi Corridor). It is cut into its streets and
towns, each of those into its communities and villages, and each of those into its
compounds and village groups by Voronoi cells of points spread over the parent (a
Lloyd step makes the cells more even) clipped to the parent: the children of an
area cover it without gaps or overlaps, and each lies inside it. Buildings get no
outline. The shapes depend on the district's code only, so a rebuilt demo looks the same.
"""

import hashlib
import math
import random
from dataclasses import dataclass

import shapely
from django.db import transaction
from shapely.geometry import MultiPoint, MultiPolygon, Point, Polygon
from shapely.geometry.base import BaseGeometry

from wangge.accounts.models import User
from wangge.areas.actions import write_boundaries
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area, AreaBoundary
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor

# Where each demo district lies: centre longitude and latitude, and half its width and
# height in degrees (Qilihe: about 18 × 30 km, 397 km²; Yumen: its settled part).
LOCATIONS: dict[str, tuple[float, float, float, float]] = {
    "620103": (103.765, 35.965, 0.105, 0.150),
    "620981": (97.045, 40.290, 0.550, 0.400),
}
DEFAULT_LOCATION = (103.8, 36.0, 0.1, 0.1)
OUTLINE_VERTICES = 56
LLOYD_STEPS = 1
# Snapping to a grid of 1e-6° keeps every outline valid after rounding to six decimals.
GRID = 1e-6
URBAN_KINDS = frozenset({AreaKind.STREET, AreaKind.COMMUNITY})


@dataclass(frozen=True)
class DemoOutlines:
    areas: int


def _rng(code: str, salt: str = "") -> random.Random:
    digest = hashlib.sha256(f"{code}:{salt}".encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))  # noqa: S311 (demo shapes)


def district_outline(code: str) -> Polygon:
    """An irregular closed outline around the district's place (never crossing itself: a
    star shape around the centre whose radius varies smoothly)."""
    lon, lat, half_w, half_h = LOCATIONS.get(code, DEFAULT_LOCATION)
    rng = _rng(code, "outline")
    waves = [(rng.uniform(0.05, 0.14), k, rng.uniform(0, 2 * math.pi)) for k in (2, 3, 5)]
    points = []
    for step in range(OUTLINE_VERTICES):
        angle = 2 * math.pi * step / OUTLINE_VERTICES
        radius = 1 + sum(a * math.sin(k * angle + phase) for a, k, phase in waves)
        radius *= rng.uniform(0.97, 1.03)
        points.append(
            (lon + half_w * radius * math.cos(angle), lat + half_h * radius * math.sin(angle))
        )
    return _snapped(Polygon(points))


def _snapped(shape: BaseGeometry) -> Polygon | MultiPolygon:
    """Only the polygonal parts, snapped to the storage grid."""
    snapped = shapely.set_precision(shape, GRID)
    parts = [part for part in shapely.get_parts(snapped) if isinstance(part, Polygon)]
    parts = [part for part in parts if not part.is_empty and part.area > 0]
    if len(parts) == 1:
        return parts[0]
    return MultiPolygon(parts)


def _points_inside(
    shape: BaseGeometry, count: int, rng: random.Random, band: tuple[float, float]
) -> list[Point]:
    """`count` random points inside `shape`, within the band (0–1) of its height."""
    west, south, east, north = shape.bounds
    low = south + (north - south) * band[0]
    high = south + (north - south) * band[1]
    shapely.prepare(shape)
    found: list[Point] = []
    tries = 0
    while len(found) < count and tries < count * 400:
        tries += 1
        point = Point(rng.uniform(west, east), rng.uniform(low, high))
        if shape.contains(point):
            found.append(point)
    while len(found) < count:  # a band too thin for the tries: anywhere inside will do
        found.append(shape.representative_point())
    return found


def _cells(shape: BaseGeometry, seeds: list[Point]) -> list[BaseGeometry]:
    """The Voronoi cells of the seeds (in the seeds' order), clipped to `shape`."""
    if len(seeds) == 1:
        return [shape]
    diagram = shapely.voronoi_polygons(
        MultiPoint(seeds), extend_to=shape.envelope.buffer(1.0), ordered=True
    )
    return [cell.intersection(shape) for cell in shapely.get_parts(diagram)]


def split(
    shape: BaseGeometry, children: list[Area], rng: random.Random
) -> list[Polygon | MultiPolygon]:
    """Outlines for the children that cover `shape` exactly, one per child, in order."""
    count = len(children)
    if count == 0:
        return []
    if count == 1:
        return [_snapped(shape)]
    urban = [child.kind in URBAN_KINDS for child in children]
    mixed = any(urban) and not all(urban)
    if mixed:
        # Streets along the river in the north, towns and townships in the hills below.
        city = _points_inside(shape, sum(urban), rng, (0.62, 1.0))
        country = _points_inside(shape, count - sum(urban), rng, (0.0, 0.55))
        seeds = [city.pop(0) if flag else country.pop(0) for flag in urban]
        steps = 0
    else:
        seeds = _points_inside(shape, count, rng, (0.0, 1.0))
        steps = LLOYD_STEPS
    # Distinct seeds (Voronoi cells of repeated points would be missing).
    seen: set[tuple[float, float]] = set()
    for index, seed in enumerate(seeds):
        while (seed.x, seed.y) in seen:
            seed = Point(seed.x + rng.uniform(-1e-4, 1e-4), seed.y + rng.uniform(-1e-4, 1e-4))
        seeds[index] = seed
        seen.add((seed.x, seed.y))
    for _step in range(steps):
        cells = _cells(shape, seeds)
        moved = [
            cell.centroid if not cell.is_empty else seed
            for cell, seed in zip(cells, seeds, strict=True)
        ]
        if len({(p.x, p.y) for p in moved}) < count:
            break
        seeds = moved
    outlines = []
    for cell, seed in zip(_cells(shape, seeds), seeds, strict=True):
        outline = _snapped(cell)
        if outline.is_empty:  # cannot happen for a seed inside `shape`; a dot, then
            outline = _snapped(seed.buffer(GRID * 10).intersection(shape))
        outlines.append(outline)
    return outlines


def demo_boundaries_exist(district: Area) -> bool:
    return bool(AreaBoundary.objects.filter(area=district).exists())


@transaction.atomic
def build_demo_boundaries(
    district: Area, acting_user: "User | Actor | None" = None
) -> DemoOutlines:
    """Outline the district and every area below it down to its grids (replacing any)."""
    code = district.code or str(district.pk)
    outlines: dict[int, tuple[Area, BaseGeometry]] = {
        district.pk: (district, district_outline(code))
    }
    nodes = list(Area.objects.within(district).exclude(kind=AreaKind.BUILDING).order_by("path"))
    children: dict[str, list[Area]] = {}
    for node in nodes:
        if node.depth > district.depth:
            children.setdefault(node.path[: -Area.steplen], []).append(node)
    for node in nodes:  # in path order: a parent is outlined before its children
        kids = children.get(node.path)
        if not kids or node.pk not in outlines:
            continue
        rng = _rng(code, node.path)
        for kid, shape in zip(kids, split(outlines[node.pk][1], kids, rng), strict=True):
            outlines[kid.pk] = (kid, shape)
    write_boundaries(
        list(outlines.values()),
        imported_by=None,
        source="demo",
    )
    log.record(
        acting_user,
        AuditEvent.DEMO_BOUNDARIES,
        obj=district,
        area_path=district.path,
        details={"areas": len(outlines)},
    )
    return DemoOutlines(areas=len(outlines))
