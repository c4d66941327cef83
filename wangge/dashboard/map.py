"""The map's data: the areas below one area, outlined and coloured by a figure of a day.

Figures come from the frozen snapshots only (`wangge.snapshots.selectors.children`), so
a past day's map shows what was reported that day; outlines from the areas' boundaries
(`wangge.areas.selectors.children_outlines`). The payload is a GeoJSON FeatureCollection
whose features carry the colour and the words to show, plus the area's own outline, the
legend and the areas that have no outline (listed beside the map, never dropped). Colours
are decided here, not in the browser, so the page, its legend and the JSON agree.
"""

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse
from django.utils.formats import number_format
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.areas import geo
from wangge.areas.choices import GRID_KINDS, AreaKind
from wangge.areas.models import Area
from wangge.areas.selectors import children_outlines, outline_of
from wangge.risk.choices import RiskLevel
from wangge.snapshots import selectors as snapshots
from wangge.snapshots.figures import RATIO_BY_KEY, RISK_ORDER, ratio_value
from wangge.snapshots.models import DaySnapshot


@dataclass(frozen=True)
class Bucket:
    """A class of areas on the map: its colour and its words in the legend."""

    key: str
    colour: str
    label: "str | Promise"


@dataclass(frozen=True)
class Measure:
    key: str
    label: "str | Promise"
    buckets: tuple[Bucket, ...]
    # Incidents: the highest count of the "few" and of the "some" class.
    bands: tuple[int, int] = (2, 9)


# No snapshot of the day for an area (the day was not made there).
NO_FIGURES = Bucket("none", "#ffffff", _("No figures for the day"))

# The risk badges' tones (wangge/static/areas/areas.css: calm, notice, warn, alarm).
RISK = Measure(
    "risk",
    _("Risk level"),
    (
        Bucket("normal", "#e5e7eb", RiskLevel.NORMAL.label),
        Bucket("prevention", "#ca8a04", RiskLevel.PREVENTION.label),
        Bucket("control", "#ea580c", RiskLevel.CONTROL.label),
        Bucket("lockdown", "#b91c1c", RiskLevel.LOCKDOWN.label),
    ),
)
# The coverage chart's colours (wangge/static/testing/coverage.js): 95 % and 80 %.
COVERAGE = Measure(
    "coverage",
    _("Testing coverage"),
    (
        Bucket("no_round", "#e5e7eb", _("No testing round")),
        Bucket("low", "#b4232a", _("Under 80%")),
        Bucket("mid", "#d18b00", _("80% to 95%")),
        # xgettext:no-python-format
        Bucket("high", "#2f8f46", _("95% or more")),
    ),
)
INCIDENTS = Measure(
    "incidents",
    pgettext_lazy("map measure", "Incidents open"),
    (
        Bucket("zero", "#e5e7eb", _("None open")),
        Bucket("few", "#fdba74", _("1 or 2 open")),
        Bucket("some", "#f97316", _("3 to 9 open")),
        Bucket("many", "#c2410c", _("10 or more open")),
    ),
)
MEASURES: dict[str, Measure] = {m.key: m for m in (RISK, COVERAGE, INCIDENTS)}
INCIDENT_COLOURS = tuple(bucket.colour for bucket in INCIDENTS.buckets)


def incidents_measure(highest: int) -> Measure:
    """Incidents open, in classes that fit the areas shown: a grid's handful and a street's
    hundred cannot share fixed classes, so above 9 the range up to the highest count among
    the areas is cut in thirds (the legend says where)."""
    if highest <= INCIDENTS.bands[1]:
        return INCIDENTS
    few = math.ceil(highest / 3)
    some = max(few + 1, math.ceil(2 * highest / 3))
    zero, light, middle, dark = INCIDENT_COLOURS
    return Measure(
        INCIDENTS.key,
        INCIDENTS.label,
        (
            INCIDENTS.buckets[0],
            Bucket("few", light, _("1 to %(high)s open") % {"high": few}),
            Bucket("some", middle, _("%(low)s to %(high)s open") % {"low": few + 1, "high": some}),
            Bucket("many", dark, _("%(low)s or more open") % {"low": some + 1}),
        ),
        bands=(few, some),
    )


DEFAULT_MEASURE = RISK.key
LOW_COVERAGE = 80.0
HIGH_COVERAGE = 95.0
# Up to this many areas, their names are written on the map (at a point inside each).
LABELS_UP_TO = 16
_RISK_KEYS = {number: key for key, number in RISK_ORDER.items()}


@dataclass(frozen=True)
class Reading:
    """An area's class and the words for its figure on one measure."""

    bucket: Bucket
    text: str


def _bucket(measure: Measure, key: str) -> Bucket:
    return next(bucket for bucket in measure.buckets if bucket.key == key)


def read(measure: Measure, figures: dict[str, int] | None) -> Reading:
    """Where an area's figures put it on the measure, and what to say."""
    if figures is None:
        return Reading(NO_FIGURES, str(NO_FIGURES.label))
    if measure.key == RISK.key:
        key = _RISK_KEYS.get(int(figures.get("control.risk_level") or 0), "normal")
        bucket = _bucket(RISK, key)
        return Reading(bucket, str(bucket.label))
    if measure.key == COVERAGE.key:
        coverage = ratio_value(RATIO_BY_KEY["testing.coverage"], figures)
        if coverage is None:
            return Reading(_bucket(COVERAGE, "no_round"), str(_("No testing round")))
        key = "high" if coverage >= HIGH_COVERAGE else "mid" if coverage >= LOW_COVERAGE else "low"
        text = _("%(coverage)s%% (%(sampled)s of %(expected)s)") % {
            "coverage": number_format(coverage, 1),
            "sampled": number_format(figures.get("testing.sampled") or 0, force_grouping=True),
            "expected": number_format(figures.get("testing.expected") or 0, force_grouping=True),
        }
        return Reading(_bucket(COVERAGE, key), str(text))
    open_ = int(figures.get("incidents.open") or 0)
    missed = int(figures.get("incidents.missed") or 0)
    few, some = measure.bands
    key = "zero" if open_ == 0 else "few" if open_ <= few else "some" if open_ <= some else "many"
    text = _("%(open)s open, %(missed)s past a time limit") % {"open": open_, "missed": missed}
    return Reading(_bucket(measure, key), str(text))


def map_url(area: Area, day: dt.date, measure: str) -> str:
    query = urlencode({"area": area.pk, "day": day.isoformat(), "colour": measure})
    return f"{reverse('dashboard:map')}?{query}"


def drills_down(area: Area) -> bool:
    """Whether a child's own map has anything below it to show (a grid's buildings are
    not mapped)."""
    return bool(area.numchild) and area.kind not in GRID_KINDS


def tiles() -> dict[str, str] | None:
    """The tile layer under the outlines, when a tile server is configured."""
    url = str(settings.WANGGE_MAP_TILE_URL or "")
    if not url:
        return None
    return {"url": url, "attribution": str(settings.WANGGE_MAP_TILE_ATTRIBUTION or "")}


def map_payload(area: Area, day: dt.date, measure_key: str) -> dict[str, Any]:
    """The map of the areas below `area` on `day`, coloured by the measure: a GeoJSON
    FeatureCollection plus what the page shows beside it. Six queries whatever the
    number of areas (outlines simplified and cached when they are large)."""
    rows: list[tuple[Area, DaySnapshot | None]] = [
        (child, snapshot)
        for child, snapshot in snapshots.children(area, day)
        if child.kind != AreaKind.BUILDING
    ]
    measure = MEASURES[measure_key]
    if measure is INCIDENTS:
        measure = incidents_measure(
            max(
                (int(s.figures.get("incidents.open") or 0) for _c, s in rows if s is not None),
                default=0,
            )
        )
    outlines = children_outlines(area)
    own = outline_of(area)
    features: list[dict[str, Any]] = []
    missing: list[dict[str, Any]] = []
    for child, snapshot in rows:
        reading = read(measure, snapshot.figures if snapshot is not None else None)
        properties = {
            "id": child.pk,
            "name": child.name,
            "kind": str(child.get_kind_display()),
            "bucket": reading.bucket.key,
            "colour": reading.bucket.colour,
            "text": reading.text,
            "url": map_url(child, day, measure.key) if drills_down(child) else "",
        }
        geometry = outlines.get(child.pk)
        if geometry is None:
            missing.append(properties)
        else:
            features.append({"type": "Feature", "geometry": geometry, "properties": properties})
    if len(features) <= LABELS_UP_TO:
        for feature in features:
            point = geo.from_geojson(feature["geometry"]).representative_point()
            feature["properties"]["label_at"] = [round(point.y, 6), round(point.x, 6)]
    own_figures = snapshots.current(area, day)
    reading = read(measure, own_figures.figures if own_figures is not None else None)
    used = {row["properties"]["bucket"] for row in features} | {row["bucket"] for row in missing}
    legend = [
        {"key": bucket.key, "colour": bucket.colour, "label": str(bucket.label)}
        for bucket in (*measure.buckets, NO_FIGURES)
        if bucket is not NO_FIGURES or NO_FIGURES.key in used
    ]
    return {
        "type": "FeatureCollection",
        "features": features,
        "area": {
            "id": area.pk,
            "name": area.name,
            "text": reading.text,
            "outline": own.geometry if own is not None else None,
            "bbox": list(own.bbox) if own is not None else None,
        },
        "day": day.isoformat(),
        "measure": {"key": measure.key, "label": str(measure.label)},
        "legend": legend,
        "missing": missing,
        "tiles": tiles(),
    }
