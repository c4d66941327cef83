"""What a bulletin says, gathered once from the frozen days and laid out twice (PDF, Excel).

Everything here reads snapshots (the area's day, the day before, its 14-day trend, its
children's day) through `wangge.snapshots.selectors`, the snapshot's own lists, and the
docking answers of the day; nothing is recomputed from the domain apps' rows. A bulletin
circulates, so it holds no personal data: areas, counts, incident and request numbers, and
the texts the lists froze (in which runs of digits long enough to be a phone or an ID number
are masked all the same, in case one was typed into a text; the numbers of incidents and
requests, which Wangge gives, are kept).
"""

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext, pgettext

from wangge.areas.models import Area
from wangge.core.scoping import ancestor_paths
from wangge.docking.models import Correction, Docking
from wangge.docking.selectors import docking_summary, units_of
from wangge.risk.choices import RiskLevel
from wangge.snapshots import selectors
from wangge.snapshots.figures import (
    FIGURE_BY_KEY,
    FIGURES,
    LISTS,
    RATIO_BY_KEY,
    RATIOS,
    RISK_ORDER,
    Better,
    Ratio,
    Section,
    ratio_value,
)
from wangge.snapshots.models import DaySnapshot

# Figures the headline leaves out: a sum that only means something as part of a ratio.
HIDDEN_FIGURES = frozenset({"incidents.arrive_minutes"})
# The figures of the children's table, after the coverage (a ratio), in this order.
CHILD_FIGURES = (
    "population.residents",
    "testing.expected",
    "testing.sampled",
    "testing.untested",
    "testing.positive_cases",
    "control.risk_level",
    "control.checks_overdue",
    "control.tests_overdue",
    "services.late",
    "incidents.missed",
    "workforce.gaps",
)
OVERDUE_FIGURES = ("control.checks_overdue", "control.tests_overdue", "control.traced_overdue")
# The units not yet answered are named up to this many (the count says the rest).
NOT_YET_NAMED = 60
# Seven digits or more in a row (an X may end an ID number): a phone, an ID number.
_LONG_NUMBER = re.compile(r"\d[\d\s-]{5,}\d[Xx]?")

_RISK_BY_ORDER = {order: level for level, order in RISK_ORDER.items()}


def scrub(text: str) -> str:
    """The text with every run of seven digits or more masked."""
    return _LONG_NUMBER.sub(lambda match: "*" * len(match.group()), text)


def risk_label(value: int | None) -> str:
    if value is None:
        return "—"
    level = _RISK_BY_ORDER.get(value)
    return str(RiskLevel(level).label) if level else str(value)


def tone_of(better: Better, change: float | None) -> str:
    """ "good", "bad" or "" for a change, by which way is good news for the figure."""
    if not change or better == Better.NEITHER:
        return ""
    return "good" if (change > 0) == (better == Better.UP) else "bad"


def arrow_of(change: float | None) -> str:
    if change is None:
        return ""
    if change > 0:
        return "↑"
    if change < 0:
        return "↓"
    return "→"


def number(value: float | None, decimals: int = 0) -> str:
    """A figure as the bulletin writes it: digits grouped by thousands, "—" when missing."""
    if value is None:
        return "—"
    if decimals:
        return f"{value:,.{decimals}f}"
    return f"{int(value):,}"


@dataclass(frozen=True)
class Line:
    """A headline figure or ratio: today, the day before, the change and its colour."""

    key: str
    label: str
    value: float | None
    previous: float | None
    better: Better
    decimals: int = 0
    unit: str = ""
    change_unit: str = ""
    is_ratio: bool = False
    is_risk: bool = False

    @property
    def change(self) -> float | None:
        if self.value is None or self.previous is None:
            return None
        return round(self.value - self.previous, self.decimals)

    @property
    def shown(self) -> str:
        if self.is_risk:
            return risk_label(None if self.value is None else int(self.value))
        text = number(self.value, self.decimals)
        return f"{text}{self.unit}" if self.value is not None else text

    @property
    def change_shown(self) -> str:
        """ "↑ 12", "↓ 0.5 pt", "→ 0"; "" when there is no day before to compare with."""
        change = self.change
        if change is None:
            return ""
        if self.is_risk:
            return f"{arrow_of(change)} {risk_label(None if self.previous is None else int(self.previous))}"
        text = number(abs(change), self.decimals)
        return f"{arrow_of(change)} {text}{self.change_unit}".rstrip()

    @property
    def arrow(self) -> str:
        return arrow_of(self.change)

    @property
    def tone(self) -> str:
        return tone_of(self.better, self.change)


@dataclass(frozen=True)
class SectionBlock:
    key: str
    label: str
    lines: list[Line]


@dataclass(frozen=True)
class ChildRow:
    """A child area's day (figures empty when its day was not made)."""

    area_id: int
    name: str
    kind: str
    made: bool
    figures: Mapping[str, int]
    coverage: float | None

    def value(self, key: str) -> int | None:
        return self.figures.get(key) if self.made else None

    def shown(self, key: str) -> str:
        if key == "control.risk_level":
            return risk_label(self.value(key))
        return number(self.value(key))

    @property
    def coverage_shown(self) -> str:
        return "—" if self.coverage is None else f"{self.coverage:.1f}%"

    @property
    def cells(self) -> list[str]:
        """The figures of the children's table (CHILD_FIGURES), as written."""
        return [self.shown(key) for key in CHILD_FIGURES]


@dataclass(frozen=True)
class AreaCount:
    """An area and the counts a list by area gives for it (untested, overdue)."""

    name: str
    counts: tuple[int | None, ...]
    ratio: float | None = None

    @property
    def shown(self) -> list[str]:
        return [number(count) for count in self.counts]


@dataclass(frozen=True)
class ByAreaBlock:
    key: str
    label: str
    columns: tuple[str, ...]
    rows: list[AreaCount]
    ratio_label: str = ""


@dataclass(frozen=True)
class ListItem:
    area: str
    ref: str
    text: str
    due: str


@dataclass(frozen=True)
class ListBlock:
    """A list of the snapshot: the items it froze, and the figure that counts them all."""

    key: str
    label: str
    total: int
    items: list[ListItem]

    @property
    def cut(self) -> bool:
        return self.total > len(self.items)


@dataclass(frozen=True)
class CorrectionLine:
    unit: str
    figure: str
    reported: int
    corrected: int
    reason: str
    version: int


@dataclass(frozen=True)
class DockingBlock:
    units: int
    confirmed: int
    corrected: int
    late: int
    missing: int
    not_yet: list[str]
    corrections: list[CorrectionLine]


@dataclass(frozen=True)
class Trend:
    """The 14 days up to the bulletin's day; a value is None on a day not made."""

    days: list[dt.date]
    figures: dict[str, list[int | None]]
    ratios: dict[str, list[float | None]]


@dataclass
class BulletinContent:
    area: Area
    area_path: str
    day: dt.date
    version: int
    made_at: dt.datetime
    language: str
    title: str
    day_label: str
    previous_day: dt.date | None
    summary: str
    sections: list[SectionBlock]
    children: list[ChildRow]
    by_area: list[ByAreaBlock]
    lists: list[ListBlock]
    docking: DockingBlock | None
    trend: Trend
    charts: dict[str, str] = field(default_factory=dict)

    @property
    def halves(self) -> list[list[SectionBlock]]:
        """The sections in two columns of about as many lines each, in order."""
        total = sum(len(block.lines) + 1 for block in self.sections)
        left: list[SectionBlock] = []
        count = 0
        for block in self.sections:
            if count and count + (len(block.lines) + 1) / 2 > total / 2:
                break
            left.append(block)
            count += len(block.lines) + 1
        return [left, self.sections[len(left) :]]

    @property
    def child_columns(self) -> list[tuple[str, str]]:
        return [(key, str(FIGURE_BY_KEY[key].label)) for key in CHILD_FIGURES]

    @property
    def coverage_label(self) -> str:
        return str(RATIO_BY_KEY["testing.coverage"].label)


def _ratio_line(ratio: Ratio, today: Mapping[str, int], before: Mapping[str, int] | None) -> Line:
    percent = ratio.scale == 100
    return Line(
        key=ratio.key,
        label=str(ratio.label),
        value=ratio_value(ratio, today),
        previous=ratio_value(ratio, before) if before is not None else None,
        better=ratio.better,
        decimals=ratio.decimals,
        unit="%" if percent else pgettext("unit", " min"),
        change_unit=pgettext("unit", " pt") if percent else pgettext("unit", " min"),
        is_ratio=True,
    )


def sections_of(today: Mapping[str, int], before: Mapping[str, int] | None) -> list[SectionBlock]:
    """The headline figures and ratios by section, each with the change since `before`."""
    blocks = []
    for section in Section:
        lines = [
            Line(
                key=figure.key,
                label=str(figure.label),
                value=today.get(figure.key),
                previous=before.get(figure.key) if before is not None else None,
                better=figure.better,
                is_risk=figure.key == "control.risk_level",
            )
            for figure in FIGURES
            if figure.section == section and figure.key not in HIDDEN_FIGURES
        ]
        lines += [_ratio_line(r, today, before) for r in RATIOS if r.section == section]
        if lines:
            blocks.append(SectionBlock(section.value, str(section.label), lines))
    return blocks


def _children(area: Area, day: dt.date) -> list[ChildRow]:
    coverage = RATIO_BY_KEY["testing.coverage"]
    rows = []
    for child, snapshot in selectors.children(area, day):
        figures = snapshot.figures if snapshot is not None else {}
        rows.append(
            ChildRow(
                area_id=child.pk,
                name=child.name,
                kind=str(child.get_kind_display()),
                made=snapshot is not None,
                figures=figures,
                coverage=ratio_value(coverage, figures) if snapshot is not None else None,
            )
        )
    return rows


def _by_area(area: Area, today: DaySnapshot, children: Sequence[ChildRow]) -> list[ByAreaBlock]:
    """Untested and overdue by area: from the children's days (the area's own for a grid)."""
    coverage = RATIO_BY_KEY["testing.coverage"]
    rows = [row for row in children if row.made] or [
        ChildRow(area.pk, area.name, "", True, today.figures, ratio_value(coverage, today.figures))
    ]
    untested_keys = ("testing.untested", "testing.expected", "testing.followed_up")
    untested = sorted(
        (
            AreaCount(row.name, tuple(row.value(key) for key in untested_keys), row.coverage)
            for row in rows
            if row.value("testing.untested")
        ),
        key=lambda item: -(item.counts[0] or 0),
    )
    overdue = sorted(
        (
            AreaCount(row.name, tuple(row.value(key) for key in OVERDUE_FIGURES))
            for row in rows
            if any(row.value(key) for key in OVERDUE_FIGURES)
        ),
        key=lambda item: -sum(count or 0 for count in item.counts),
    )
    return [
        ByAreaBlock(
            "untested",
            gettext("Untested, by area"),
            tuple(str(FIGURE_BY_KEY[key].label) for key in untested_keys),
            untested,
            ratio_label=str(coverage.label),
        ),
        ByAreaBlock(
            "overdue",
            gettext("Key persons' checks and tests overdue, by area"),
            tuple(str(FIGURE_BY_KEY[key].label) for key in OVERDUE_FIGURES),
            overdue,
        ),
    ]


def _due(text: object) -> str:
    if not isinstance(text, str) or not text:
        return ""
    try:
        moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return scrub(text[:20])
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return moment.strftime("%m-%d %H:%M")


def _lists(snapshot: DaySnapshot) -> list[ListBlock]:
    blocks = []
    for action_list in LISTS:
        raw = snapshot.lists.get(action_list.key) or []
        items = [
            ListItem(
                area=str(item.get("area", "")),
                ref=str(item.get("ref", "")),
                text=scrub(str(item.get("text", ""))),
                due=_due(item.get("due")),
            )
            for item in raw
            if isinstance(item, dict)
        ]
        total = max(int(snapshot.figures.get(action_list.count) or 0), len(items))
        blocks.append(ListBlock(action_list.key, str(action_list.label), total, items))
    return blocks


def _docking(area: Area, day: dt.date) -> DockingBlock | None:
    """Who answered for the day in the area's branch, and what they corrected; None when
    the branch has no unit (a grid)."""
    summary = docking_summary(area, day)
    if not summary.units:
        return None
    answered = Docking.objects.filter(area__path__startswith=area.path, day=day)
    not_yet = list(
        units_of(area)
        .exclude(pk__in=answered.values("area_id"))
        .order_by("path")
        .values_list("name", flat=True)[:NOT_YET_NAMED]
    )
    corrections = [
        CorrectionLine(
            unit=correction.docking.area.name,
            figure=str(FIGURE_BY_KEY[correction.figure].label)
            if correction.figure in FIGURE_BY_KEY
            else correction.figure,
            reported=correction.reported,
            corrected=correction.corrected,
            reason=scrub(correction.reason),
            version=correction.docking.snapshot.version,
        )
        for correction in Correction.objects.filter(
            docking__area__path__startswith=area.path, docking__day=day
        )
        .select_related("docking__area", "docking__snapshot")
        .order_by("docking__area__path", "figure")
    ]
    return DockingBlock(
        units=summary.units,
        confirmed=summary.confirmed,
        corrected=summary.corrected,
        late=summary.late,
        missing=summary.missing,
        not_yet=not_yet,
        corrections=corrections,
    )


def _trend(area: Area, day: dt.date) -> Trend:
    days = [day - dt.timedelta(days=offset) for offset in range(selectors.TREND_DAYS - 1, -1, -1)]
    found = {snapshot.day: snapshot.figures for snapshot in selectors.trend(area, day)}
    return Trend(
        days=days,
        figures={
            figure.key: [found[d].get(figure.key) if d in found else None for d in days]
            for figure in FIGURES
        },
        ratios={
            ratio.key: [ratio_value(ratio, found[d]) if d in found else None for d in days]
            for ratio in RATIOS
        },
    )


def _area_path(area: Area) -> str:
    names = Area.objects.filter(path__in=ancestor_paths(area.path)[:-1]).order_by("depth")
    return " › ".join([*(above.name for above in names), area.name])


def summary_of(area: Area, today: Mapping[str, int], sections: Sequence[SectionBlock]) -> str:
    """The opening paragraph, as a command centre's bulletin starts: the day's testing, then
    the counts that need action, each only when there is something to say."""
    lines = {line.key: line for block in sections for line in block.lines}
    parts = []
    expected = today.get("testing.expected") or 0
    if expected:
        coverage = lines["testing.coverage"]
        untested = lines["testing.untested"]
        part = gettext(
            "%(expected)s residents expected to test, %(sampled)s sampled, coverage "
            "%(coverage)s, %(untested)s untested"
        ) % {
            "expected": number(expected),
            "sampled": number(today.get("testing.sampled")),
            "coverage": coverage.shown,
            "untested": number(today.get("testing.untested")),
        }
        if untested.change:
            template = (
                gettext("%(count)s more than the day before")
                if untested.change > 0
                else gettext("%(count)s fewer than the day before")
            )
            part += gettext(" (%(change)s)") % {
                "change": template % {"count": number(abs(untested.change))}
            }
        parts.append(part)
    counted = [
        ("testing.positive_pools", gettext("%(count)s positive pools")),
        ("testing.positive_cases", gettext("%(count)s positive cases")),
        ("control.checks_overdue", gettext("%(count)s key persons' health checks overdue")),
        ("control.tests_overdue", gettext("%(count)s key persons' tests overdue")),
        ("services.late", gettext("%(count)s service requests late")),
        ("incidents.missed", gettext("%(count)s incidents past a time limit")),
        ("workforce.gaps", gettext("%(count)s areas with no one responsible")),
    ]
    parts += [
        template % {"count": number(today[key])} for key, template in counted if today.get(key)
    ]
    if not parts:
        return gettext("%(area)s: nothing that needs action was recorded.") % {"area": area.name}
    return gettext("%(area)s: %(parts)s.") % {"area": area.name, "parts": gettext("; ").join(parts)}


def gather(snapshot: DaySnapshot, *, language: str, made_at: dt.datetime) -> BulletinContent:
    """The bulletin of a snapshot version, in the active language (the caller overrides it)."""
    area = snapshot.area
    day = snapshot.day
    before = selectors.previous(area, day)
    sections = sections_of(snapshot.figures, before.figures if before is not None else None)
    children = _children(area, day)
    return BulletinContent(
        area=area,
        area_path=_area_path(area),
        day=day,
        version=snapshot.version,
        made_at=made_at,
        language=language,
        title=gettext("%(area)s epidemic prevention and control daily bulletin")
        % {"area": area.name},
        day_label=formats.date_format(day, "DATE_FORMAT"),
        previous_day=before.day if before is not None else None,
        summary=summary_of(area, snapshot.figures, sections),
        sections=sections,
        children=children,
        by_area=_by_area(area, snapshot, children),
        lists=_lists(snapshot),
        docking=_docking(area, day),
        trend=_trend(area, day),
    )
