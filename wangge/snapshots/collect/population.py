"""Population: residents and households of each grid, as the registry counts them now
(the grids' stored counts: one query over the branch's path range). The registry keeps no
history, so a past day made later shows today's counts."""

from wangge.areas.models import Area
from wangge.snapshots.collect.base import Branch, Day, Tally


def collect(branch: Branch, day: Day, tally: Tally) -> None:
    counts = (
        Area.objects.within(branch.top)
        .filter(resident_count__gt=0)
        .order_by()
        .values_list("path", "resident_count", "household_count")
    )
    for path, residents, households in counts:
        tally.add(path, "population.residents", residents)
        tally.add(path, "population.households", households)
