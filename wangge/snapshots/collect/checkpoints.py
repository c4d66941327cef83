"""Checkpoints: vehicles and people checked on the day, fevers and red or yellow codes
(exact for any past day: entries keep their time)."""

from wangge.checkpoints.selectors import day_figures_by_area
from wangge.snapshots.collect.base import Branch, Day, Tally


def collect(branch: Branch, day: Day, tally: Tally) -> None:
    for path, found in day_figures_by_area(branch.top, day.day).items():
        for name in ("vehicles", "people", "fevers", "codes"):
            tally.add(path, f"checkpoints.{name}", found.get(name, 0))
