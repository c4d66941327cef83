"""What testing tells risk for a suggested downgrade (wangge/risk/downgrade.py): the last
positive case in each area's subtree and the closed rounds that covered the whole area.

Two grouped queries whatever the number of areas: the latest case per area where cases
were found (few), and the closed rounds scoped at or above the areas since the earliest
setting; both are rolled up by path in Python.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Max

from wangge.areas.models import Area
from wangge.core.scoping import ancestor_paths, is_within, subtree_q
from wangge.risk.downgrade import QuietFacts
from wangge.testing.choices import RoundStatus
from wangge.testing.models import PositiveCase, RoundScope


def quiet_facts(pairs: list[tuple[Area, dt.datetime]]) -> dict[int, QuietFacts]:
    if not pairs:
        return {}
    paths = [area.path for area, _since in pairs]
    latest = list(
        PositiveCase.objects.filter(subtree_q(paths, "area__path"))
        .order_by()
        .values_list("area__path")
        .annotate(last=Max("detected_at"))
    )
    above = {p for path in paths for p in ancestor_paths(path)}
    earliest = min(since for _area, since in pairs)
    scoped = list(
        RoundScope.objects.filter(
            area__path__in=above,
            round__status=RoundStatus.CLOSED,
            round__starts_at__gte=earliest,
        ).values_list("round_id", "round__starts_at", "area__path")
    )
    rounds_at: dict[str, dict[int, dt.datetime]] = defaultdict(dict)
    for round_id, starts_at, scope_path in scoped:
        rounds_at[scope_path][round_id] = starts_at
    facts: dict[int, QuietFacts] = {}
    for area, since in pairs:
        cases = [last for path, last in latest if is_within(path, area.path)]
        covering: dict[int, dt.datetime] = {}
        for path in ancestor_paths(area.path):
            covering.update(rounds_at.get(path, {}))
        facts[area.pk] = QuietFacts(
            last_positive_at=max(cases) if cases else None,
            closed_rounds=tuple(sorted(t for t in covering.values() if t >= since)),
        )
    return facts
