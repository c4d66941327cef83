"""Who an incident goes to: the people of the chain of responsibility (包联) of its area.

An incident is routed to the first responders of its area's chain: the grid's stationed
cadre (duty `stationed_cadre_grid`) and grid leader (`grid_leader`), or, for an area with
neither (a gap, or an incident above the grid level), the nearest level of the chain that
has anyone. The assignee is the first of them who can sign in; everyone of them with a
login is told.

A missed limit moves the incident to the next person in chain order after the assignee
(the grid leader after the cadre, then the community's leaders, then the district's leader
for the street). **People without a login cannot act**: they are skipped, with a note on
the timeline, and the next person with a login takes the incident. When nobody is left
above, the incident stays where it is and its clock stops (the missed limit stays on the
timeline and in the figures).
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence

from wangge.core.scoping import ancestor_paths
from wangge.workforce.models import Responsibility
from wangge.workforce.selectors import DISTRICT_DEPTH

FIRST_DUTIES = ("stationed_cadre_grid", "grid_leader")


def can_sign_in(responsibility: Responsibility) -> bool:
    user = responsibility.worker.user
    return user is not None and user.is_active and responsibility.worker.active


def first_responders(chain: Sequence[Responsibility]) -> list[Responsibility]:
    """The people an incident is routed to: the chain's grid duties, else its nearest level
    with anyone; one entry per worker, in chain order."""
    chosen = [link for link in chain if link.duty.code in FIRST_DUTIES]
    if not chosen and chain:
        nearest = chain[0].area_id
        chosen = [link for link in chain if link.area_id == nearest]
    seen: set[object] = set()
    unique = []
    for link in chosen:
        if link.worker_id not in seen:
            seen.add(link.worker_id)
            unique.append(link)
    return unique


def next_in_chain(
    chain: Sequence[Responsibility], current_worker_id: object
) -> tuple[Responsibility | None, list[Responsibility]]:
    """The next person after `current_worker_id` in chain order who can sign in (from the
    start of the chain if they are not in it), and the people without a login skipped
    on the way."""
    start = 0
    for position, link in enumerate(chain):
        if link.worker_id == current_worker_id:
            start = position + 1
    skipped: list[Responsibility] = []
    seen: set[object] = {current_worker_id}
    for link in chain[start:]:
        if link.worker_id in seen:
            continue
        seen.add(link.worker_id)
        if can_sign_in(link):
            return link, skipped
        skipped.append(link)
    return None, skipped


def _above_district(path: str) -> list[str]:
    return ancestor_paths(path)[DISTRICT_DEPTH - 1 :]


def chains_for_paths(paths: Iterable[str], at: dt.datetime) -> dict[str, list[Responsibility]]:
    """The chain of each area (by path), as `workforce.selectors.chain_for_area` gives it,
    from one query for all of them: the escalation pass's grouped lookup."""
    wanted = set(paths)
    above = {ancestor for path in wanted for ancestor in _above_district(path)}
    if not above:
        return {}
    buckets: dict[str, list[Responsibility]] = defaultdict(list)
    for link in (
        Responsibility.objects.active_at(at)
        .filter(area__path__in=sorted(above), household__isnull=True)
        .select_related("worker__user", "duty", "area")
        .order_by("-area__depth", "duty__order", "started_at")
    ):
        buckets[link.area.path].append(link)
    return {
        path: [link for step in reversed(_above_district(path)) for link in buckets.get(step, [])]
        for path in wanted
    }
