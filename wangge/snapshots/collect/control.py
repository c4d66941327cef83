"""Closed-loop control: each area's effective risk level and the grids at each level (from
the levels' history, so a past day reads as it was); key persons under each measure and
those overdue at the end of the day; traced people, their feedback and those overdue."""

from collections.abc import Iterable

from wangge.keypersons.choices import Measure
from wangge.keypersons.selectors import measure_counts_by_area
from wangge.risk.choices import RiskLevel
from wangge.risk.selectors import effective_levels
from wangge.snapshots.collect.base import Branch, Day, Node, Tally
from wangge.snapshots.figures import RISK_ORDER
from wangge.tracing.selectors import feedback_by_area

MEASURE_FIGURES = {
    Measure.CENTRALISED_QUARANTINE: "control.central_quarantine",
    Measure.HOME_QUARANTINE: "control.home_quarantine",
    Measure.HOME_MONITORING: "control.health_monitoring",
}
LEVEL_FIGURES = {
    RiskLevel.LOCKDOWN: "control.grids_lockdown",
    RiskLevel.CONTROL: "control.grids_control",
    RiskLevel.PREVENTION: "control.grids_prevention",
}


def risk_levels(nodes: Iterable[Node], day: Day) -> dict[int, str]:
    """Each area's effective level on the day (one query)."""
    found = effective_levels([node.as_area() for node in nodes], at=day.state_at)
    return {area_id: effective.level for area_id, effective in found.items()}


def collect(branch: Branch, day: Day, tally: Tally) -> None:
    nodes = [node for node in branch.nodes if node.has_snapshot]
    levels = risk_levels(nodes, day)
    for node in nodes:
        level = levels.get(node.pk, RiskLevel.NORMAL)
        tally.add(node.path, "control.risk_level", RISK_ORDER.get(level, 0))
        if node.is_grid and level in LEVEL_FIGURES:
            tally.add(node.path, LEVEL_FIGURES[RiskLevel(level)], 1)
    for path, counts in measure_counts_by_area(branch.top, day.day, day.as_of).items():
        for measure, people in counts.by_measure.items():
            key = MEASURE_FIGURES.get(Measure(measure)) if measure in Measure.values else None
            if key is not None:
                tally.add(path, key, people)
        tally.add(path, "control.checks_overdue", counts.checks_overdue)
        tally.add(path, "control.tests_overdue", counts.tests_overdue)
    for path, (traced, answered, overdue) in feedback_by_area(branch.top, day.as_of).items():
        tally.add(path, "control.traced", traced)
        tally.add(path, "control.traced_answered", answered)
        tally.add(path, "control.traced_overdue", overdue)
