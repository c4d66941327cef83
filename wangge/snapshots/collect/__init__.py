"""The collectors of a day's figures, one per section of the catalogue (figures.py).

`collect(top, day)` runs them all over the branch of `top` and rolls the figures up the
tree: a fixed number of grouped queries whatever the number of areas.
"""

from collections.abc import Callable

from wangge.areas.models import Area
from wangge.snapshots.collect import (
    checkpoints,
    control,
    incidents,
    population,
    services,
    testing,
    workforce,
)
from wangge.snapshots.collect.base import Branch, Day, Made, Tally, roll_up

Collector = Callable[[Branch, Day, Tally], None]

COLLECTORS: tuple[Collector, ...] = (
    population.collect,
    testing.collect,
    control.collect,
    checkpoints.collect,
    services.collect,
    incidents.collect,
    workforce.collect,
)


def collect(top: Area, day: Day) -> dict[str, Made]:
    """Every area's figures and lists of the day, for the branch of `top`, by path."""
    branch = Branch.load(top)
    tally = Tally()
    for collector in COLLECTORS:
        collector(branch, day, tally)
    return roll_up(branch, tally)
