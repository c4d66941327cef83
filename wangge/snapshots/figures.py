"""What a day's snapshot holds: every figure and list, with its label and how it adds up.

This is the one catalogue of the daily analysis: the collectors (wangge/snapshots/collect/)
write these keys, the dashboard, the docking page and the bulletin read them, and a key not
listed here is never stored. Figures are whole numbers for an area's whole branch; ratios
(coverage, mean time to arrive) are computed when shown, from two figures, so they add up
correctly at every level.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum

from django.db import models
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

# The items a list of a snapshot keeps at most, per area (the figure beside it counts all).
LIST_LIMIT = 50


class Section(models.TextChoices):
    POPULATION = "population", _("Population")
    TESTING = "testing", _("Testing")
    CONTROL = "control", _("Closed-loop control")
    CHECKPOINTS = "checkpoints", _("Checkpoints")
    SERVICES = "services", _("Door-to-door service")
    INCIDENTS = "incidents", _("Incidents")
    WORKFORCE = "workforce", _("Workforce")


class Rollup(StrEnum):
    """How an area's figure follows from its children's: their sum, or the highest."""

    SUM = "sum"
    MAX = "max"


class Better(StrEnum):
    """Which way a change is good news (colours the day-over-day change)."""

    UP = "up"
    DOWN = "down"
    NEITHER = "neither"


@dataclass(frozen=True)
class Figure:
    key: str
    section: Section
    label: "str | Promise"
    rollup: Rollup = Rollup.SUM
    better: Better = Better.NEITHER
    # The figures a unit may correct at docking (counts it can check on the ground).
    correctable: bool = True


@dataclass(frozen=True)
class Ratio:
    """numerator / denominator × scale, shown with `decimals` places (None when the
    denominator is 0)."""

    key: str
    section: Section
    label: "str | Promise"
    numerator: str
    denominator: str
    scale: int = 100
    decimals: int = 1
    better: Better = Better.UP


@dataclass(frozen=True)
class ActionList:
    """Items that need action, frozen with the day. Each item is a dict with `area_id`,
    `area` (the area's name), `ref` (an incident's or a request's number, or ""), `text`
    (what it is, as recorded), `due` (an ISO time or "") and `url` (where to act on it)."""

    key: str
    section: Section
    label: "str | Promise"
    # The figure that counts all the items (the list keeps at most LIST_LIMIT).
    count: str


# Risk levels as numbers, so that an area's level is the highest of its branch's.
RISK_ORDER = {"normal": 0, "prevention": 1, "control": 2, "lockdown": 3}

FIGURES: tuple[Figure, ...] = (
    Figure("population.residents", Section.POPULATION, _("Residents")),
    Figure("population.households", Section.POPULATION, _("Households")),
    # The round in progress over the area on that day (or the last one that ended).
    Figure("testing.expected", Section.TESTING, _("Expected to test")),
    Figure("testing.sampled", Section.TESTING, _("Sampled"), better=Better.UP),
    Figure("testing.exempt", Section.TESTING, _("Exempt")),
    Figure("testing.untested", Section.TESTING, _("Untested"), better=Better.DOWN),
    Figure("testing.followed_up", Section.TESTING, _("Untested followed up"), better=Better.UP),
    Figure("testing.positive_pools", Section.TESTING, _("Positive pools"), better=Better.DOWN),
    Figure("testing.positive_cases", Section.TESTING, _("Positive cases"), better=Better.DOWN),
    Figure("testing.open_recalls", Section.TESTING, _("Open recalls"), better=Better.DOWN),
    Figure(
        "control.risk_level",
        Section.CONTROL,
        _("Highest risk level"),
        rollup=Rollup.MAX,
        correctable=False,
    ),
    Figure("control.grids_lockdown", Section.CONTROL, _("Grids in lockdown"), better=Better.DOWN),
    Figure("control.grids_control", Section.CONTROL, _("Grids under control"), better=Better.DOWN),
    Figure(
        "control.grids_prevention", Section.CONTROL, _("Grids under prevention"), better=Better.DOWN
    ),
    Figure("control.central_quarantine", Section.CONTROL, _("In centralised quarantine")),
    Figure("control.home_quarantine", Section.CONTROL, _("In home quarantine")),
    Figure("control.health_monitoring", Section.CONTROL, _("Under home health monitoring")),
    Figure(
        "control.checks_overdue", Section.CONTROL, _("Health checks overdue"), better=Better.DOWN
    ),
    Figure(
        "control.tests_overdue", Section.CONTROL, _("Scheduled tests overdue"), better=Better.DOWN
    ),
    Figure("control.traced", Section.CONTROL, _("Traced people")),
    Figure(
        "control.traced_answered",
        Section.CONTROL,
        _("Traced people with feedback"),
        better=Better.UP,
    ),
    Figure(
        "control.traced_overdue", Section.CONTROL, _("Traced people overdue"), better=Better.DOWN
    ),
    Figure("checkpoints.vehicles", Section.CHECKPOINTS, _("Vehicles checked")),
    Figure("checkpoints.people", Section.CHECKPOINTS, _("People checked")),
    Figure("checkpoints.fevers", Section.CHECKPOINTS, _("Fevers"), better=Better.DOWN),
    Figure("checkpoints.codes", Section.CHECKPOINTS, _("Red or yellow codes"), better=Better.DOWN),
    Figure("services.opened", Section.SERVICES, _("Requests received")),
    Figure("services.open", Section.SERVICES, _("Requests open")),
    Figure("services.late", Section.SERVICES, _("Requests late"), better=Better.DOWN),
    Figure("services.done", Section.SERVICES, _("Requests delivered"), better=Better.UP),
    Figure("incidents.raised", Section.INCIDENTS, _("Incidents raised")),
    Figure("incidents.open", Section.INCIDENTS, _("Incidents open"), better=Better.DOWN),
    Figure("incidents.missed", Section.INCIDENTS, _("Time limits missed"), better=Better.DOWN),
    Figure("incidents.arrived", Section.INCIDENTS, _("Incidents reached on site")),
    Figure(
        "incidents.arrive_minutes",
        Section.INCIDENTS,
        _("Minutes to arrive, in all"),
        correctable=False,
    ),
    Figure("workforce.on_duty", Section.WORKFORCE, _("Workers on duty"), better=Better.UP),
    Figure("workforce.gaps", Section.WORKFORCE, _("Chain gaps"), better=Better.DOWN),
)

RATIOS: tuple[Ratio, ...] = (
    Ratio(
        "testing.coverage",
        Section.TESTING,
        _("Coverage"),
        numerator="testing.sampled",
        denominator="testing.expected",
    ),
    Ratio(
        "control.traced_feedback",
        Section.CONTROL,
        _("Feedback on traced people"),
        numerator="control.traced_answered",
        denominator="control.traced",
    ),
    Ratio(
        "incidents.mean_arrive",
        Section.INCIDENTS,
        pgettext_lazy("minutes, mean", "Mean minutes to arrive"),
        numerator="incidents.arrive_minutes",
        denominator="incidents.arrived",
        scale=1,
        decimals=0,
        better=Better.DOWN,
    ),
)

LISTS: tuple[ActionList, ...] = (
    ActionList(
        "services.late", Section.SERVICES, _("Late service requests"), count="services.late"
    ),
    ActionList(
        "incidents.missed",
        Section.INCIDENTS,
        _("Incidents past a time limit"),
        count="incidents.missed",
    ),
    ActionList(
        "workforce.gaps",
        Section.WORKFORCE,
        _("Areas with no one responsible"),
        count="workforce.gaps",
    ),
)

FIGURE_BY_KEY: Mapping[str, Figure] = {figure.key: figure for figure in FIGURES}
RATIO_BY_KEY: Mapping[str, Ratio] = {ratio.key: ratio for ratio in RATIOS}
LIST_BY_KEY: Mapping[str, ActionList] = {item.key: item for item in LISTS}


def ratio_value(ratio: Ratio, figures: Mapping[str, int]) -> float | None:
    """The ratio of a snapshot's figures, or None when its denominator is 0 or missing."""
    denominator = figures.get(ratio.denominator) or 0
    if not denominator:
        return None
    return round((figures.get(ratio.numerator) or 0) * ratio.scale / denominator, ratio.decimals)
