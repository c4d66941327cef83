"""Who has answered for a day, read by the level above, the dashboard and the bulletin.

Every read here is bounded by the area's branch (an indexed path range) and costs a fixed
number of queries whatever the number of units: the rows of a branch are grouped in Python.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet

from wangge.areas.models import Area
from wangge.core.permissions import Perm
from wangge.core.scoping import ScopedUser, ancestor_paths, topmost
from wangge.docking.choices import UnitStatus
from wangge.docking.deadline import is_past
from wangge.docking.models import UNIT_KINDS, Answer, Correction, Docking
from wangge.snapshots.models import DaySnapshot

# The corrections of a branch a page lists at most (the figures beside them count all).
CORRECTIONS_SHOWN = 200


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


# --- the rule of answering again ------------------------------------------------------------


def may_answer(docking: Docking | None, snapshot: DaySnapshot, now: dt.datetime) -> bool:
    """Whether a unit may answer (again) on the day of `snapshot`, its current version.

    Until the deadline it may answer as often as it likes: each answer replaces the one
    before (the audit log keeps every one). After the deadline a unit that has not
    answered still may (its answer is late); an answer given stands, unless the day was
    made again since (a new version): the unit answers the figures as they now stand.
    """
    if docking is None or not is_past(snapshot.day, now):
        return True
    return docking.snapshot_id != snapshot.pk


def status_of(docking: Docking | None, made: bool, day: dt.date, now: dt.datetime) -> UnitStatus:
    if docking is not None:
        return UnitStatus.CORRECTED if docking.answer == Answer.CORRECTED else UnitStatus.CONFIRMED
    if not made:
        return UnitStatus.NOT_MADE
    return UnitStatus.LATE if is_past(day, now) else UnitStatus.WAITING


# --- the pages ------------------------------------------------------------------------------


def viewer_paths(user: ScopedUser) -> list[str] | None:
    """Where the user may read the docking of a day: where they see the daily analysis or
    answer for units (None: everywhere)."""
    seen = user.scope_paths(Perm.VIEW_ANALYSIS)
    docks = user.scope_paths(Perm.DOCK_FIGURES)
    if seen is None or docks is None:
        return None
    return topmost([*seen, *docks])


def default_day(area: Area, today: dt.date) -> dt.date:
    """The latest day the area's figures were made (today when none was)."""
    latest = (
        DaySnapshot.objects.filter(area=area, current=True, day__lte=today)
        .order_by("-day")
        .values_list("day", flat=True)
        .first()
    )
    return latest or today


def days_made(area: Area, limit: int = 31) -> list[dt.date]:
    """The days the area has figures for, newest first (the day picker)."""
    return list(
        DaySnapshot.objects.filter(area=area, current=True)
        .order_by("-day")
        .values_list("day", flat=True)[:limit]
    )


def unit_answer(unit: Area, day: dt.date) -> Docking | None:
    """The unit's answer on the day, with its corrections and who gave it."""
    return (
        Docking.objects.filter(area=unit, day=day)
        .select_related("answered_by", "snapshot")
        .prefetch_related("corrections")
        .first()
    )


@dataclass(frozen=True)
class UnitDay:
    """A unit below the area, as the level above sees it on a day."""

    unit: Area
    status: UnitStatus
    docking: Docking | None
    # The current version of the unit's figures (None: not made).
    version: int | None
    # Answered an earlier version: the day was made again since its answer.
    stale: bool
    # The units below this one, when it has any (a street's communities).
    below: DockingSummary | None


def units_below(area: Area, day: dt.date, now: dt.datetime) -> list[UnitDay]:
    """The next level of units below `area` (the topmost units of its branch, itself
    excepted), each with its status on the day and a summary of the units below it.
    Three queries, whatever the size of the branch."""
    units = list(
        Area.objects.filter(path__startswith=area.path, kind__in=UNIT_KINDS)
        .exclude(pk=area.pk)
        .order_by("path")
    )
    if not units:
        return []
    current = {
        area_id: (pk, version)
        for area_id, pk, version in DaySnapshot.objects.filter(
            area__path__startswith=area.path, area__kind__in=UNIT_KINDS, day=day, current=True
        ).values_list("area_id", "pk", "version")
    }
    answers = {
        docking.area_id: docking
        for docking in Docking.objects.filter(area__path__startswith=area.path, day=day)
        .exclude(area=area)
        .select_related("answered_by")
    }
    tops = topmost(unit.path for unit in units)
    top_set = set(tops)
    counts: dict[str, list[int]] = {path: [0, 0, 0, 0] for path in tops}
    for unit in units:
        if unit.path in top_set:
            continue
        owner = next(path for path in ancestor_paths(unit.path) if path in top_set)
        tally = counts[owner]
        tally[0] += 1
        docking = answers.get(unit.pk)
        if docking is not None:
            tally[1 if docking.answer == Answer.CONFIRMED else 2] += 1
            tally[3] += docking.late
    rows = []
    for unit in units:
        if unit.path not in top_set:
            continue
        docking = answers.get(unit.pk)
        made = current.get(unit.pk)
        units_under, confirmed, corrected, late = counts[unit.path]
        rows.append(
            UnitDay(
                unit=unit,
                status=status_of(docking, made is not None, day, now),
                docking=docking,
                version=made[1] if made else None,
                stale=docking is not None and made is not None and docking.snapshot_id != made[0],
                below=(
                    DockingSummary(units_under, confirmed, corrected, late) if units_under else None
                ),
            )
        )
    return rows


def corrections_below(area: Area, day: dt.date) -> list[Correction]:
    """The corrections of the units below `area` on the day (at most CORRECTIONS_SHOWN),
    unit by unit in tree order, with who answered."""
    return list(
        Correction.objects.filter(docking__day=day, docking__area__path__startswith=area.path)
        .exclude(docking__area=area)
        .select_related("docking__area", "docking__answered_by")
        .order_by("docking__area__path", "figure")[:CORRECTIONS_SHOWN]
    )
