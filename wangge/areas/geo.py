"""Area outlines as geometry: reading a GeoJSON polygon strictly, and the measures the
importer and the map need (bounding box, share outside a parent, simplification).

Coordinates are WGS84 longitude / latitude, as GeoJSON (RFC 7946) has them. Nothing here is
repaired silently: a ring that crosses itself is refused with where it crosses, because a
"fixed" outline would draw a different place from the one the office drew. Areas and
shares are computed on longitude / latitude as they are: for the ratio of two areas a few
kilometres across the distortion cancels out.
"""

import math
from collections.abc import Sequence
from typing import Any

import shapely
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

GEOMETRY_TYPES = ("Polygon", "MultiPolygon")
# Six decimals of a degree are about 0.1 m: finer digits only make files bigger.
DECIMALS = 6
# One outline may not have more positions than this (a district drawn at survey precision
# has a few tens of thousands); more is a file made for something else.
MAX_POINTS = 200_000


class GeometryError(ValueError):
    """An outline that cannot be an area's; the message says why, for the report."""


def _position(value: Any) -> tuple[float, float]:
    if not isinstance(value, list | tuple) or len(value) < 2:
        raise GeometryError(_("a position is not a pair of numbers [longitude, latitude]"))
    lon, lat = value[0], value[1]
    for number in (lon, lat):
        if isinstance(number, bool) or not isinstance(number, int | float):
            raise GeometryError(_("a position is not a pair of numbers [longitude, latitude]"))
        if not math.isfinite(number):
            raise GeometryError(_("a position is not a finite number"))
    if not (-180 <= lon <= 180 and -90 <= lat <= 90):
        raise GeometryError(
            _(
                "the position %(lon)s, %(lat)s is not a longitude and latitude "
                "(the file must be in WGS84 degrees, not projected metres)"
            )
            % {"lon": lon, "lat": lat}
        )
    return float(lon), float(lat)


def _ring(value: Any) -> list[tuple[float, float]]:
    if not isinstance(value, list | tuple):
        raise GeometryError(_("a ring is not a list of positions"))
    points = [_position(item) for item in value]
    if len(points) < 4:
        raise GeometryError(_("a ring has fewer than four positions"))
    if points[0] != points[-1]:
        raise GeometryError(_("a ring does not end where it starts"))
    return points


def _polygon_rings(value: Any) -> list[list[tuple[float, float]]]:
    if not isinstance(value, list | tuple) or not value:
        raise GeometryError(_("a polygon has no rings"))
    return [_ring(ring) for ring in value]


def _where(reason: str) -> str:
    """GEOS's reason ("Self-intersection[103.7 36.1]") as words and a place."""
    name, _sep, place = reason.partition("[")
    coordinates = place.rstrip("]").split()
    spot = ""
    if len(coordinates) >= 2:
        try:
            spot = f"{float(coordinates[0]):.6f}, {float(coordinates[1]):.6f}"
        except ValueError:
            spot = ""
    kinds = {
        "Self-intersection": _("the outline crosses itself"),
        "Ring Self-intersection": _("a ring touches itself"),
        "Interior is disconnected": _("a hole cuts the polygon in two"),
        "Hole lies outside shell": _("a hole lies outside its polygon"),
        "Nested holes": _("a hole lies inside another hole"),
        "Nested shells": _("one polygon lies inside another"),
        "Duplicate Rings": _("a ring is repeated"),
        "Too few points in geometry component": _("a ring has too few distinct positions"),
        "Invalid Coordinate": _("a position is not a number"),
    }
    words = kinds.get(name.strip(), name.strip())
    if spot:
        return _("%(problem)s near %(place)s") % {"problem": words, "place": spot}
    return str(words)


def read_geometry(value: Any) -> BaseGeometry:
    """A GeoJSON Polygon or MultiPolygon as a valid shapely geometry, or GeometryError.

    Refused: another type, a malformed structure, positions outside longitude / latitude,
    rings not closed or too short, too many positions, an empty area, and any invalid
    polygon (crossing itself, holes outside the shell …), with where the problem lies.
    """
    if not isinstance(value, dict):
        raise GeometryError(_("the feature has no geometry"))
    kind = value.get("type")
    coordinates = value.get("coordinates")
    if kind not in GEOMETRY_TYPES:
        raise GeometryError(
            _("the geometry is a %(kind)s; an area's outline is a Polygon or MultiPolygon")
            % {"kind": str(kind)[:40]}
        )
    if kind == "Polygon":
        parts = [_polygon_rings(coordinates)]
    else:
        if not isinstance(coordinates, list | tuple) or not coordinates:
            raise GeometryError(_("a MultiPolygon has no polygons"))
        parts = [_polygon_rings(polygon) for polygon in coordinates]
    if sum(len(ring) for rings in parts for ring in rings) > MAX_POINTS:
        raise GeometryError(
            _("the outline has more than %(count)s positions") % {"count": f"{MAX_POINTS:,}"}
        )
    polygons = [Polygon(rings[0], rings[1:]) for rings in parts]
    shape: BaseGeometry = polygons[0] if kind == "Polygon" else MultiPolygon(polygons)
    if not shape.is_valid:
        raise GeometryError(_where(explain_validity(shape)))
    if shape.area <= 0:
        raise GeometryError(_("the outline encloses no area"))
    return shape


def bounds(shape: BaseGeometry) -> tuple[float, float, float, float]:
    """(west, south, east, north)."""
    west, south, east, north = shape.bounds
    return float(west), float(south), float(east), float(north)


def count_points(shape: BaseGeometry) -> int:
    return int(shapely.get_num_coordinates(shape))


def share_outside(child: BaseGeometry, parent: BaseGeometry) -> float:
    """The share (0–1) of `child`'s area that lies outside `parent`."""
    if child.area <= 0:
        return 0.0
    if parent.contains(child):
        return 0.0
    return float(child.difference(parent).area / child.area)


def _rounded(coordinates: Any) -> Any:
    if coordinates and isinstance(coordinates[0], int | float):
        return [round(float(coordinates[0]), DECIMALS), round(float(coordinates[1]), DECIMALS)]
    return [_rounded(item) for item in coordinates]


def as_geojson(shape: BaseGeometry) -> dict[str, Any]:
    """The geometry as stored and sent: GeoJSON with plain lists, six decimals."""
    data = mapping(shape)
    return {"type": data["type"], "coordinates": _rounded(data["coordinates"])}


def from_geojson(value: dict[str, Any]) -> BaseGeometry:
    """A stored outline (already checked) as a shapely geometry."""
    return shapely.geometry.shape(value)


def simplify(value: dict[str, Any], tolerance: float) -> dict[str, Any]:
    """A stored outline with detail finer than `tolerance` degrees removed (the shape kept
    valid); returns the outline as it was when simplifying would lose it altogether."""
    shape = from_geojson(value).simplify(tolerance, preserve_topology=True)
    if shape.is_empty or shape.area <= 0:
        return value
    return as_geojson(shape)


def union_bounds(
    boxes: Sequence[tuple[float, float, float, float]],
) -> tuple[float, float, float, float] | None:
    if not boxes:
        return None
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )
