"""What the command dashboard shows of an area's day, read from the frozen snapshots only.

Every figure here comes from `wangge.snapshots.selectors` (the area's day, the day before,
its 14 days, its children's day) and the catalogue `wangge.snapshots.figures`: no raw row
of a domain app is read, so a past day reads as it was reported, and a page costs a fixed
number of queries whatever the size of the district, the number of children or of days.
"""

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.areas.models import Area
from wangge.risk.choices import RiskLevel
from wangge.snapshots import selectors
from wangge.snapshots.figures import (
    FIGURES,
    LISTS,
    RATIO_BY_KEY,
    RATIOS,
    RISK_ORDER,
    Better,
    Figure,
    Ratio,
    Section,
    ratio_value,
)
from wangge.snapshots.models import DaySnapshot

Figures = Mapping[str, int]

# Shown elsewhere on the page: the risk level as a badge, the minutes to arrive as their mean.
NOT_IN_SECTIONS = frozenset({"control.risk_level", "incidents.arrive_minutes"})
KEY_PERSON_FIGURES = (
    "control.central_quarantine",
    "control.home_quarantine",
    "control.health_monitoring",
)
OVERDUE_FIGURES = ("control.checks_overdue", "control.tests_overdue", "control.traced_overdue")
LATE_FIGURES = ("incidents.missed", "services.late")
# How many children each "where to act" list names.
WHERE_TO_ACT = 3

LEVEL_BY_ORDER = {order: level for level, order in RISK_ORDER.items()}
RISK_TONES: dict[str, str] = {
    RiskLevel.LOCKDOWN: "alarm",
    RiskLevel.CONTROL: "warn",
    RiskLevel.PREVENTION: "notice",
    RiskLevel.NORMAL: "calm",
}


class Tone(StrEnum):
    """How a change reads: good news, bad news, or neither."""

    GOOD = "good"
    BAD = "bad"
    NEUTRAL = "neutral"


def tone(change: float | None, better: Better) -> Tone:
    """Good or bad by the figure's `better`; no change, no previous day, or a figure
    without a better direction is neutral."""
    if not change or better == Better.NEITHER:
        return Tone.NEUTRAL
    rising_is_good = better == Better.UP
    return Tone.GOOD if (change > 0) == rising_is_good else Tone.BAD


@dataclass(frozen=True)
class Shown:
    """A figure or a ratio of the day as shown: its value, the change since the previous
    day made (None when there is none, or the value is missing either day) and its tone."""

    key: str
    label: "str | Promise"
    value: int | float | None
    change: int | float | None
    tone: Tone
    percent: bool = False
    ratio: bool = False
    decimals: int = 0

    @property
    def ratio_text(self) -> str:
        """A ratio with its places (“97.3%”, “24”), "—" when it has no value."""
        if self.value is None:
            return "—"
        return f"{self.value:.{self.decimals}f}" + ("%" if self.percent else "")

    @property
    def change_text(self) -> str:
        """The change with its sign (“+12”, “−3.5”, “0”), or "" when there is none."""
        if self.change is None:
            return ""
        size = f"{abs(self.change):,.{self.decimals}f}"
        if self.change > 0:
            return f"+{size}"
        if self.change < 0:
            return f"−{size}"
        return "0"


def _key_persons(figures: Figures) -> int:
    return sum(figures.get(key) or 0 for key in KEY_PERSON_FIGURES)


def _overdue(figures: Figures) -> int:
    return sum(figures.get(key) or 0 for key in OVERDUE_FIGURES)


def _late(figures: Figures) -> int:
    return sum(figures.get(key) or 0 for key in LATE_FIGURES)


def coverage(figures: Figures) -> float | None:
    return ratio_value(RATIO_BY_KEY["testing.coverage"], figures)


def show_figure(figure: Figure, figures: Figures, before: Figures | None) -> Shown:
    value = figures.get(figure.key)
    change = None
    if before is not None and value is not None and before.get(figure.key) is not None:
        change = value - before[figure.key]
    return Shown(figure.key, figure.label, value, change, tone(change, figure.better))


def show_ratio(ratio: Ratio, figures: Figures, before: Figures | None) -> Shown:
    value = ratio_value(ratio, figures)
    earlier = ratio_value(ratio, before) if before is not None else None
    change = None
    if value is not None and earlier is not None:
        change = round(value - earlier, ratio.decimals)
    return Shown(
        ratio.key,
        ratio.label,
        value,
        change,
        tone(change, ratio.better),
        percent=ratio.scale == 100,
        ratio=True,
        decimals=ratio.decimals,
    )


def _show_derived(
    key: str,
    label: "str | Promise",
    read: Callable[[Figures], int],
    better: Better,
    figures: Figures,
    before: Figures | None,
) -> Shown:
    value = read(figures)
    change = value - read(before) if before is not None else None
    return Shown(key, label, value, change, tone(change, better))


@dataclass(frozen=True)
class SectionShown:
    key: str
    label: "str | Promise"
    items: list[Shown]


def sections(figures: Figures, before: Figures | None) -> list[SectionShown]:
    """Every figure of the catalogue by section, each section's ratios first."""
    shown = []
    for section in Section:
        items = [show_ratio(r, figures, before) for r in RATIOS if r.section == section]
        items += [
            show_figure(f, figures, before)
            for f in FIGURES
            if f.section == section and f.key not in NOT_IN_SECTIONS
        ]
        shown.append(SectionShown(section.value, section.label, items))
    return shown


def headline(figures: Figures, before: Figures | None) -> list[Shown]:
    """The few figures the top of the page leads with."""
    by_key = {f.key: f for f in FIGURES}
    keys = ("testing.untested", "testing.positive_cases", "testing.open_recalls")
    later = ("incidents.open", "incidents.missed", "services.late", "workforce.gaps")
    return [
        show_ratio(RATIO_BY_KEY["testing.coverage"], figures, before),
        *(show_figure(by_key[key], figures, before) for key in keys),
        _show_derived(
            "control.key_persons",
            _("Key persons under a measure"),
            _key_persons,
            Better.NEITHER,
            figures,
            before,
        ),
        *(show_figure(by_key[key], figures, before) for key in later),
    ]


@dataclass(frozen=True)
class Risk:
    level: str
    label: "str | Promise"
    tone: str


def risk(figures: Figures) -> Risk | None:
    """The highest risk level in the area's branch on that day (None if not recorded)."""
    order = figures.get("control.risk_level")
    level = LEVEL_BY_ORDER.get(order) if order is not None else None
    if level is None:
        return None
    return Risk(level, RiskLevel(level).label, RISK_TONES[level])


# --- trends ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Series:
    name: "str | Promise"
    read: Callable[[Figures], int | float | None]


@dataclass(frozen=True)
class Chart:
    key: str
    title: "str | Promise"
    series: tuple[Series, ...]
    percent: bool = False
    stacked: bool = False


def _figure(key: str) -> Callable[[Figures], int | None]:
    def read(figures: Figures) -> int | None:
        return figures.get(key)

    return read


_LABEL = {f.key: f.label for f in FIGURES}

CHARTS: tuple[Chart, ...] = (
    Chart(
        "coverage",
        _("Coverage"),
        (Series(_("Coverage"), coverage),),
        percent=True,
    ),
    Chart(
        "untested",
        _("Untested"),
        (
            Series(_LABEL["testing.untested"], _figure("testing.untested")),
            Series(_LABEL["testing.followed_up"], _figure("testing.followed_up")),
        ),
    ),
    Chart(
        "positives",
        _("Positives"),
        (
            Series(_LABEL["testing.positive_cases"], _figure("testing.positive_cases")),
            Series(_LABEL["testing.positive_pools"], _figure("testing.positive_pools")),
            Series(_LABEL["testing.open_recalls"], _figure("testing.open_recalls")),
        ),
    ),
    Chart(
        "key_persons",
        _("Key persons"),
        tuple(Series(_LABEL[key], _figure(key)) for key in KEY_PERSON_FIGURES),
        stacked=True,
    ),
    Chart(
        "incidents",
        _("Incidents"),
        (
            Series(_LABEL["incidents.open"], _figure("incidents.open")),
            Series(_LABEL["incidents.missed"], _figure("incidents.missed")),
        ),
    ),
    Chart(
        "services",
        _("Service requests"),
        (
            Series(_LABEL["services.open"], _figure("services.open")),
            Series(_LABEL["services.late"], _figure("services.late")),
            Series(_LABEL["services.done"], _figure("services.done")),
        ),
    ),
)


@dataclass(frozen=True)
class TrendTable:
    """The charts' figures as rows of a table (print, and no JavaScript): one row a day."""

    columns: list[str]
    rows: list[tuple[dt.date, list[int | float | None]]]


def trend_days(until: dt.date, days: int = selectors.TREND_DAYS) -> list[dt.date]:
    return [until - dt.timedelta(days=days - 1 - i) for i in range(days)]


def trends(snapshots: Sequence[DaySnapshot], until: dt.date) -> dict[str, Any]:
    """The charts' data for json_script: every day of the window (None where a day was not
    made), each chart with its series."""
    days = trend_days(until)
    by_day = {s.day: s.figures for s in snapshots}
    charts = []
    for chart in CHARTS:
        charts.append(
            {
                "key": chart.key,
                "title": str(chart.title),
                "percent": chart.percent,
                "stacked": chart.stacked,
                "series": [
                    {
                        "name": str(series.name),
                        "values": [
                            series.read(by_day[day]) if day in by_day else None for day in days
                        ],
                    }
                    for series in chart.series
                ],
            }
        )
    return {"days": [day.isoformat() for day in days], "charts": charts}


def trend_table(data: Mapping[str, Any]) -> TrendTable:
    columns: list[str] = []
    values: list[list[int | float | None]] = []
    for chart in data["charts"]:
        for series in chart["series"]:
            name = series["name"]
            columns.append(f"{name} (%)" if chart["percent"] else name)
            values.append(series["values"])
    rows = [
        (dt.date.fromisoformat(day), [column[i] for column in values])
        for i, day in enumerate(data["days"])
    ]
    return TrendTable(columns, rows)


# --- children -------------------------------------------------------------------------


class SortKey(StrEnum):
    COVERAGE = "coverage"
    UNTESTED = "untested"
    POSITIVES = "positives"
    KEY_PERSONS = "key_persons"
    OVERDUE = "overdue"
    INCIDENTS = "incidents"
    LATE = "late"
    RISK = "risk"
    TREE = "tree"


@dataclass(frozen=True)
class Column:
    key: SortKey
    label: "str | Promise"
    read: Callable[[Figures], int | float | None]
    # The worst values first: the lowest (coverage) or the highest (the rest).
    worst_low: bool = False
    # Shown on a phone too (the others only on wider screens).
    phone: bool = True


COLUMNS: tuple[Column, ...] = (
    Column(SortKey.RISK, _("Highest risk level"), lambda f: f.get("control.risk_level")),
    Column(SortKey.COVERAGE, _("Coverage"), coverage, worst_low=True),
    Column(SortKey.UNTESTED, _("Untested"), _figure("testing.untested")),
    Column(SortKey.POSITIVES, _("Positive cases"), _figure("testing.positive_cases"), phone=False),
    Column(SortKey.KEY_PERSONS, _("Key persons"), _key_persons, phone=False),
    Column(SortKey.OVERDUE, pgettext_lazy("checks and tests", "Overdue"), _overdue, phone=False),
    Column(SortKey.INCIDENTS, _("Incidents open"), _figure("incidents.open")),
    Column(SortKey.LATE, _("Limits missed"), _late),
)
COLUMN_BY_KEY = {column.key: column for column in COLUMNS}
DEFAULT_SORT = SortKey.COVERAGE


@dataclass
class ChildRow:
    area: Area
    snapshot: DaySnapshot | None
    values: dict[str, int | float | None] = field(default_factory=dict)
    risk: Risk | None = None

    @property
    def cells(self) -> list[tuple[Column, int | float | None]]:
        """The figures of the columns but the level (shown as a badge), in column order."""
        return [(c, self.values.get(c.key)) for c in COLUMNS if c.key != SortKey.RISK]

    @property
    def made(self) -> bool:
        return self.snapshot is not None


def child_rows(found: Sequence[tuple[Area, DaySnapshot | None]], sort: SortKey) -> list[ChildRow]:
    """The children with their key figures, worst first by `sort` (tree order breaks ties;
    a child whose day was not made, or without the figure, comes last)."""
    rows = []
    for area, snapshot in found:
        row = ChildRow(area, snapshot)
        if snapshot is not None:
            row.values = {column.key: column.read(snapshot.figures) for column in COLUMNS}
            row.risk = risk(snapshot.figures)
        rows.append(row)
    if sort == SortKey.TREE:
        return rows
    column = COLUMN_BY_KEY[sort]

    def order(indexed: tuple[int, ChildRow]) -> tuple[int, float, int]:
        position, row = indexed
        value = row.values.get(column.key)
        if value is None:
            return (1, 0.0, position)
        return (0, value if column.worst_low else -value, position)

    return [row for _, row in sorted(enumerate(rows), key=order)]


@dataclass(frozen=True)
class Pick:
    area: Area
    value: int | float


@dataclass(frozen=True)
class WhereToAct:
    key: str
    label: "str | Promise"
    picks: list[Pick]
    percent: bool = False


def where_to_act(rows: Sequence[ChildRow], limit: int = WHERE_TO_ACT) -> list[WhereToAct]:
    """The children to act on first: the most untested, the lowest coverage, the most
    overdue checks, tests and traced people, the most limits missed (incidents and service
    requests). A child with nothing to act on is not named."""

    def top(key: SortKey, *, low: bool = False) -> list[Pick]:
        scored: list[tuple[float, int, Area]] = []
        for position, row in enumerate(rows):
            value = row.values.get(key)
            if value is None or (value >= 100 if low else value <= 0):
                continue
            scored.append((value if low else -value, position, row.area))
        scored.sort(key=lambda entry: (entry[0], entry[1]))
        return [Pick(area, value if low else -value) for value, _, area in scored[:limit]]

    return [
        WhereToAct("untested", _("Most untested"), top(SortKey.UNTESTED)),
        WhereToAct("coverage", _("Lowest coverage"), top(SortKey.COVERAGE, low=True), True),
        WhereToAct(
            "overdue", _("Most overdue checks, tests and traced people"), top(SortKey.OVERDUE)
        ),
        WhereToAct("late", _("Most time limits missed"), top(SortKey.LATE)),
    ]


# --- the action lists -----------------------------------------------------------------


@dataclass(frozen=True)
class ListItem:
    area: str
    ref: str
    text: str
    due: dt.datetime | None
    url: str


# A list longer than this is folded on the page (its count still shows).
OPEN_LIST = 10


@dataclass(frozen=True)
class ListShown:
    key: str
    label: "str | Promise"
    count: int
    items: list[ListItem]

    @property
    def unfolded(self) -> bool:
        return 0 < len(self.items) <= OPEN_LIST

    @property
    def more(self) -> int:
        """Items the figure counts beyond those the snapshot kept."""
        return max(0, self.count - len(self.items))


def _safe_url(value: object) -> str:
    """A link inside Wangge only (a path): anything else frozen in a list is not linked."""
    url = str(value or "")
    return url if url.startswith("/") and not url.startswith("//") and "\\" not in url else ""


def _due(value: object) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value)) if value else None
    except ValueError:
        return None


def action_lists(snapshot: DaySnapshot) -> list[ListShown]:
    shown = []
    for action_list in LISTS:
        raw = snapshot.lists.get(action_list.key) or []
        items = [
            ListItem(
                area=str(item.get("area", "")),
                ref=str(item.get("ref", "")),
                text=str(item.get("text", "")),
                due=_due(item.get("due")),
                url=_safe_url(item.get("url")),
            )
            for item in raw
            if isinstance(item, dict)
        ]
        count = snapshot.figures.get(action_list.count) or 0
        shown.append(ListShown(action_list.key, action_list.label, max(count, len(items)), items))
    return shown


# --- the day ---------------------------------------------------------------------------


@dataclass
class Day:
    """Everything the dashboard shows of `area` on `day` (`snapshot` None: not made)."""

    area: Area
    day: dt.date
    days_made: list[dt.date]
    snapshot: DaySnapshot | None = None
    previous: DaySnapshot | None = None
    headline: list[Shown] = field(default_factory=list)
    sections: list[SectionShown] = field(default_factory=list)
    risk: Risk | None = None
    trends: dict[str, Any] = field(default_factory=dict)
    children: list[ChildRow] = field(default_factory=list)
    where_to_act: list[WhereToAct] = field(default_factory=list)
    lists: list[ListShown] = field(default_factory=list)

    @property
    def made(self) -> bool:
        return self.snapshot is not None

    @property
    def earlier_day(self) -> dt.date | None:
        """The day made just before this one (the picker's "previous")."""
        return next((d for d in self.days_made if d < self.day), None)

    @property
    def later_day(self) -> dt.date | None:
        return next((d for d in reversed(self.days_made) if d > self.day), None)


def read_day(
    area: Area, day: dt.date | None, sort: SortKey = DEFAULT_SORT, *, default: dt.date
) -> Day:
    """The area's day (None: the last one made, else `default`) from its snapshots, in a
    fixed number of queries: the days made; the day, with who made it; the day before;
    the trend; the children and their day."""
    made = selectors.days_made(area)
    if day is None:
        day = made[0] if made else default
    shown = Day(area, day, made)
    snapshot = (
        DaySnapshot.objects.filter(area=area, day=day, current=True).select_related("run").first()
    )
    if snapshot is None:
        return shown
    previous = selectors.previous(area, day)
    before = previous.figures if previous is not None else None
    shown.snapshot = snapshot
    shown.previous = previous
    shown.headline = headline(snapshot.figures, before)
    shown.sections = sections(snapshot.figures, before)
    shown.risk = risk(snapshot.figures)
    shown.trends = trends(selectors.trend(area, day), day)
    shown.lists = action_lists(snapshot)
    if not area.is_grid:
        shown.children = child_rows(selectors.children(area, day), sort)
        shown.where_to_act = where_to_act(shown.children)
    return shown
