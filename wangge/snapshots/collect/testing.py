"""Testing: for each grid, the round over it on the day — the one running then (the latest
started), else the latest that closed before the day — with its expected, sampled, exempt
and untested people and its open recalls as they stood at the end of the day; the
untested people someone tried to reach that day; positive pools and cases of the day, in
any round.

A handful of queries per round reported (testing.selectors.grid_figures and two grouped
counts), however many grids; rounds are few.
"""

from wangge.snapshots.collect.base import Branch, Day, Tally
from wangge.testing import selectors
from wangge.testing.models import Round


def _rounds_by_priority(branch: Branch, day: Day) -> list[tuple[Round, list[str]]]:
    found = selectors.rounds_of_day(branch.top, day.start, day.end)
    running = [
        (round_, scope)
        for round_, scope in found
        if round_.closed_at is None or round_.closed_at >= day.start
    ]
    ended = sorted(
        (
            (round_, scope)
            for round_, scope in found
            if round_.closed_at is not None and round_.closed_at < day.start
        ),
        key=lambda pair: pair[0].closed_at,  # type: ignore[arg-type, return-value]
        reverse=True,
    )
    return running + ended


def collect(branch: Branch, day: Day, tally: Tally) -> None:
    pools, cases = selectors.positives_by_area(branch.top, day.start, day.end)
    for path, count in pools.items():
        tally.add(path, "testing.positive_pools", count)
    for path, count in cases.items():
        tally.add(path, "testing.positive_cases", count)
    rounds = _rounds_by_priority(branch, day)
    if not rounds:
        return
    chosen: dict[str, int] = {}

    def round_of(path: str) -> int | None:
        """The round reported for the area at `path` (the first in priority covering it)."""
        if path not in chosen:
            chosen[path] = next(
                (round_.pk for round_, scope in rounds if path.startswith(tuple(scope))), 0
            )
        return chosen[path] or None

    reported = {round_of(grid.path) for grid in branch.grids()}
    for round_, _scope in rounds:
        if round_.pk not in reported:
            continue
        figures = selectors.grid_figures(round_, branch.top, as_of=day.state_at)
        if not figures:
            continue
        mine: dict[int, str] = {}
        for area_id in figures:
            where = branch.path_of(area_id)
            if where is not None and round_of(where) == round_.pk:
                mine[area_id] = where
        if not mine:
            continue
        for area_id, path in mine.items():
            grid = figures[area_id]
            tally.add(path, "testing.expected", grid.expected)
            tally.add(path, "testing.sampled", grid.sampled)
            tally.add(path, "testing.untested", grid.untested)
            tally.add(path, "testing.open_recalls", grid.open_recalls)
        for grid_id, count in selectors.exempt_by_grid(round_, branch.top, as_of=day.as_of).items():
            tally.add(mine.get(grid_id), "testing.exempt", count)
        for grid_id, count in selectors.followed_up_by_grid(
            round_, branch.top, day.start, day.end
        ).items():
            tally.add(mine.get(grid_id), "testing.followed_up", count)
