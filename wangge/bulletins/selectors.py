"""Reads of the bulletins' pages: which area to start from, and an area's days."""

import datetime as dt
from dataclasses import dataclass, field

from wangge.accounts.models import User
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.bulletins.models import Bulletin
from wangge.core.permissions import Perm
from wangge.core.scoping import ancestor_paths
from wangge.snapshots.models import DaySnapshot

# The days an area's page lists (the newest).
DAYS_SHOWN = 60


def default_area(user: User) -> Area | None:
    """The top of the user's areas for the daily analysis (the first root for a superuser);
    None when they read no area's figures."""
    paths = user.scope_paths(Perm.VIEW_ANALYSIS)
    if paths is None:
        root: Area | None = Area.objects.filter(depth=1).order_by("path").first()
        return root
    if not paths:
        return None
    top = min(paths, key=lambda path: (len(path), path))
    area: Area | None = Area.objects.filter(path=top).first()
    return area


def trail(area: Area) -> list[Area]:
    """The areas above `area`, top first (one query); the page links only those in scope."""
    return list(Area.objects.filter(path__in=ancestor_paths(area.path)[:-1]).order_by("depth"))


def children(area: Area) -> list[Area]:
    """The areas one level below, in tree order, buildings left out (they have no day)."""
    found: list[Area] = list(
        Area.objects.filter(path__startswith=area.path, depth=area.depth + 1)
        .exclude(kind=AreaKind.BUILDING)
        .order_by("path")
    )
    return found


@dataclass
class VersionRow:
    version: int
    current: bool
    made_at: dt.datetime | None = None
    by_worker: bool = False


@dataclass
class DayRow:
    """A made day of the area: its current version, and each version with its bulletin
    (in the page's language) when one was made."""

    day: dt.date
    versions: list[VersionRow] = field(default_factory=list)

    @property
    def current(self) -> VersionRow:
        return next(v for v in self.versions if v.current)

    @property
    def earlier(self) -> list[VersionRow]:
        return [v for v in self.versions if not v.current and v.made_at is not None]


def days_of(area: Area, language: str, limit: int = DAYS_SHOWN) -> list[DayRow]:
    """The area's last `limit` made days, newest first (two queries whatever the count)."""
    snapshots = list(
        DaySnapshot.objects.filter(area=area)
        .order_by("-day", "-version")
        .values_list("day", "version", "current")
    )
    rows: dict[dt.date, DayRow] = {}
    for day, version, current in snapshots:
        if day not in rows:
            if len(rows) == limit:
                break
            rows[day] = DayRow(day)
        rows[day].versions.append(VersionRow(version, current))
    made = {
        (day, version): (made_at, made_by)
        for day, version, made_at, made_by in Bulletin.objects.filter(
            area=area, day__in=list(rows), language=language
        ).values_list("day", "version", "made_at", "made_by_id")
    }
    for row in rows.values():
        for version_row in row.versions:
            found = made.get((row.day, version_row.version))
            if found is not None:
                version_row.made_at, made_by = found
                version_row.by_worker = made_by is None
    return [row for row in rows.values() if any(v.current for v in row.versions)]
