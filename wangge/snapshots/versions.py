"""Every version of an area's day side by side with the one before it (the versions page)."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from wangge.areas.models import Area
from wangge.snapshots import selectors
from wangge.snapshots.figures import FIGURES, Figure
from wangge.snapshots.models import DaySnapshot


@dataclass(frozen=True)
class Change:
    figure: Figure
    before: int
    after: int

    @property
    def delta(self) -> int:
        return self.after - self.before


@dataclass
class VersionRow:
    snapshot: DaySnapshot
    # The figures that differ from the version before (none for the first).
    changes: list[Change] = field(default_factory=list)
    first: bool = False

    @property
    def made_by(self) -> Any:
        return self.snapshot.run.made_by

    @property
    def made_with_root(self) -> Area | None:
        """The area whose making made this one, when it was another (an area below or
        above)."""
        root = self.snapshot.run.root
        return root if root.pk != self.snapshot.area_id else None


def version_rows(area: Area, day: dt.date) -> list[VersionRow]:
    """Newest first, each with its changes from the one before (one query)."""
    found = list(selectors.versions(area, day).select_related("run__root"))
    rows = []
    for index, snapshot in enumerate(found):
        older = found[index + 1] if index + 1 < len(found) else None
        row = VersionRow(snapshot, first=older is None)
        if older is not None:
            for figure in FIGURES:
                before = int(older.figures.get(figure.key) or 0)
                after = int(snapshot.figures.get(figure.key) or 0)
                if before != after:
                    row.changes.append(Change(figure, before, after))
        rows.append(row)
    return rows
