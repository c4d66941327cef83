"""Reading a GeoJSON file of area outlines into features, each with the area it names.

A file is a FeatureCollection (or one Feature) in WGS84 longitude / latitude. Each feature
names its area by its properties, in this order of preference:

- ``code`` (also ``adcode``, ``区划代码``, ``division_code``): the area's division code, as
  the official division files and most Chinese GeoJSON sources have it;
- ``path`` (also ``name_path``, ``路径``, ``名称路径``): the names from an area down to it,
  separated by "/": ``七里河区/西园街道/西园社区/民主西路小区``. The first name must name
  exactly one area among those the importer may see; each next one a child by name.
  Compounds and village groups rarely have codes, so a path is how they are named;
- ``name`` alone is read as a path of one name.

When a feature has both a code and a path, they must name the same area. Reading never
touches the database (`wangge.areas.actions.plan_boundary_import` resolves the names) and
never raises for a feature: a bad feature carries its errors, so the report lists them all.
"""

import json
import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _
from shapely.geometry.base import BaseGeometry

from wangge.areas.geo import GeometryError, read_geometry
from wangge.areas.importing import CodeError, normalise_code

# A district's compounds, villages and groups at survey precision are a few megabytes.
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_FEATURES = 20_000
PATH_MAX_DEPTH = 8

CODE_KEYS = ("code", "adcode", "区划代码", "division_code", "divisioncode")
PATH_KEYS = ("path", "name_path", "namepath", "路径", "名称路径")
NAME_KEYS = ("name", "名称")
# Names of WGS84 a "crs" member may carry (RFC 7946 dropped the member; old files have it).
WGS84_NAMES = frozenset(
    {"urn:ogc:def:crs:OGC:1.3:CRS84", "urn:ogc:def:crs:OGC::CRS84", "EPSG:4326", "CRS84"}
)
_PATH_SPLIT = re.compile(r"\s*/\s*")


class BoundaryFileError(ValueError):
    """The file cannot be read as outlines at all (not a per-feature problem)."""


@dataclass
class FeatureRow:
    """One feature of the file: where it is (1-based), how it names its area, its outline
    (None when unreadable) and what is wrong with it."""

    index: int
    code: str = ""
    path: tuple[str, ...] = ()
    shape: BaseGeometry | None = None
    errors: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """How the feature names its area, for the report."""
        if self.code and self.path:
            return f"{self.code} {'/'.join(self.path)}"
        return self.code or "/".join(self.path)


def _text(value: Any) -> str:
    if value is None or isinstance(value, bool | dict | list):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def _first(properties: dict[str, Any], keys: tuple[str, ...]) -> str:
    lowered = {str(key).strip().lower(): value for key, value in properties.items()}
    for key in keys:
        text = _text(lowered.get(key))
        if text:
            return text
    return ""


def read_path(text: str) -> tuple[str, ...]:
    """The names of a path, top first; empty names (a leading "/") are dropped."""
    return tuple(name for name in _PATH_SPLIT.split(text.strip()) if name)


def read_feature(index: int, value: Any) -> FeatureRow:
    """One feature as a row; problems become the row's errors."""
    row = FeatureRow(index=index)
    if not isinstance(value, dict) or value.get("type") != "Feature":
        row.errors.append(_("this is not a GeoJSON Feature"))
        return row
    properties = value.get("properties")
    if not isinstance(properties, dict):
        properties = {}
    code = _first(properties, CODE_KEYS)
    if code:
        try:
            row.code = normalise_code(code)
        except CodeError as exc:
            row.errors.append(_("code: %(problem)s") % {"problem": exc})
    path = _first(properties, PATH_KEYS) or _first(properties, NAME_KEYS)
    if path:
        row.path = read_path(path)
        if len(row.path) > PATH_MAX_DEPTH or any(len(name) > 100 for name in row.path):
            row.errors.append(_("the path is not a path of area names"))
            row.path = ()
    if not row.code and not row.path and not row.errors:
        row.errors.append(
            _("the feature names no area: give it a code or a path property (区划代码 / 路径)")
        )
    try:
        row.shape = read_geometry(value.get("geometry"))
    except GeometryError as exc:
        row.errors.append(str(exc))
    return row


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def read_boundary_file(data: bytes) -> list[FeatureRow]:
    """The features of an uploaded file; BoundaryFileError when it is no GeoJSON at all."""
    if len(data) > MAX_FILE_BYTES:
        raise BoundaryFileError(
            _("The file is larger than %(size)s MB.") % {"size": MAX_FILE_BYTES // (1024 * 1024)}
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise BoundaryFileError(_("A GeoJSON file is UTF-8 text; this one is not.")) from exc
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as exc:
        raise BoundaryFileError(_("The file is not valid JSON.")) from exc
    if not isinstance(document, dict):
        raise BoundaryFileError(_("The file is not a GeoJSON FeatureCollection."))
    crs = document.get("crs")
    if crs is not None:
        name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
        if not isinstance(name, str) or name.strip() not in WGS84_NAMES:
            raise BoundaryFileError(
                _(
                    "The file's coordinates are not WGS84 longitude and latitude "
                    "(its crs is %(crs)s); export it as EPSG:4326."
                )
                % {"crs": str(name)[:60]}
            )
    if document.get("type") == "Feature":
        features: Any = [document]
    elif document.get("type") == "FeatureCollection":
        features = document.get("features")
        if not isinstance(features, list):
            raise BoundaryFileError(_("The FeatureCollection has no list of features."))
    else:
        raise BoundaryFileError(_("The file is not a GeoJSON FeatureCollection."))
    if not features:
        raise BoundaryFileError(_("The file has no features."))
    if len(features) > MAX_FEATURES:
        raise BoundaryFileError(
            _("The file has more than %(count)s features.") % {"count": f"{MAX_FEATURES:,}"}
        )
    return [read_feature(index, value) for index, value in enumerate(features, start=1)]
