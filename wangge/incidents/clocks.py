"""The limits of an incident: how long each step may take, from the clock policies.

Each limit is measured from the report (the seeds' "first on site, first to report" counts
from when it happened): acknowledge by report + acknowledge minutes, arrive by report +
arrive minutes, report up by report + report minutes. A person who takes an incident over
late (an escalation, or a step done late) still gets at least that step's own span (its
minutes less the previous step's) from then.
"""

import datetime as dt
from dataclasses import dataclass

from wangge.incidents.choices import Clock, IncidentSeverity
from wangge.incidents.defaults import DEFAULT_POLICIES
from wangge.incidents.models import ClockPolicy

# Used only if an administrator removed a severity's default row.
FALLBACK_MINUTES: dict[str, tuple[int, int, int]] = {
    severity: (acknowledge, arrive, report)
    for kind, severity, acknowledge, arrive, report in DEFAULT_POLICIES
    if not kind
}
ORDER = (Clock.ACKNOWLEDGE, Clock.ARRIVE, Clock.REPORT)
DUE_FIELD: dict[str, str] = {
    Clock.ACKNOWLEDGE: "acknowledge_due",
    Clock.ARRIVE: "arrive_due",
    Clock.REPORT: "report_due",
}


@dataclass(frozen=True)
class Limits:
    """Minutes from the report to acknowledge, arrive and report up."""

    acknowledge: int
    arrive: int
    report: int

    def minutes(self, clock: str) -> int:
        by_clock: dict[str, int] = {
            Clock.ACKNOWLEDGE: self.acknowledge,
            Clock.ARRIVE: self.arrive,
            Clock.REPORT: self.report,
        }
        return by_clock[clock]

    def span(self, clock: str) -> dt.timedelta:
        """The step's own time: its minutes less the step before's (at least a minute)."""
        position = ORDER.index(Clock(clock))
        before = self.minutes(ORDER[position - 1]) if position else 0
        return dt.timedelta(minutes=max(self.minutes(clock) - before, 1))

    def due(self, clock: str, reported_at: dt.datetime) -> dt.datetime:
        return reported_at + dt.timedelta(minutes=self.minutes(clock))


class Policies:
    """Every clock policy, read once (a pass over thousands of incidents asks per row)."""

    def __init__(self) -> None:
        self._rows = {
            (row.kind, row.severity): Limits(
                row.acknowledge_minutes, row.arrive_minutes, row.report_minutes
            )
            for row in ClockPolicy.objects.all()
        }

    def limits(self, kind: str, severity: str) -> Limits:
        found = self._rows.get((kind, severity)) or self._rows.get(("", severity))
        if found is not None:
            return found
        return Limits(*FALLBACK_MINUTES.get(severity, FALLBACK_MINUTES[IncidentSeverity.LOW]))
