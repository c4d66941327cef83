"""Who has answered for a day, read by the level above, the dashboard and the bulletin."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from wangge.areas.models import Area
from wangge.docking.models import UNIT_KINDS, Answer, Docking


@dataclass(frozen=True)
class DockingSummary:
    """The units of a branch (the area itself when it is one, and every unit below it) and
    how many answered for the day: confirmed, corrected, late, not yet."""

    units: int
    confirmed: int
    corrected: int
    late: int

    @property
    def missing(self) -> int:
        return self.units - self.confirmed - self.corrected


def units_of(area: Area) -> QuerySet[Area]:
    """The units of `area`'s branch, itself included when it is a unit."""
    units: QuerySet[Area] = Area.objects.filter(path__startswith=area.path, kind__in=UNIT_KINDS)
    return units


def docking_summary(area: Area, day: dt.date) -> DockingSummary:
    answers = list(
        Docking.objects.filter(area__path__startswith=area.path, day=day).values_list(
            "answer", "late"
        )
    )
    return DockingSummary(
        units=units_of(area).count(),
        confirmed=sum(1 for answer, _ in answers if answer == Answer.CONFIRMED),
        corrected=sum(1 for answer, _ in answers if answer == Answer.CORRECTED),
        late=sum(1 for _, late in answers if late),
    )
