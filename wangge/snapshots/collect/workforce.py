"""Workforce: the workers on a duty roster or a dispatch board that day (each counted once
per area they were sent to), and the gaps in the responsibility chain (包联) at the end of
the day (responsibilities keep their start and end), with the list of them."""

from collections import Counter

from django.urls import reverse
from django.utils.translation import gettext as _

from wangge.dispatch.selectors import dispatched_by_area
from wangge.duty.selectors import rostered_by_area
from wangge.snapshots.collect.base import Branch, Day, Tally, item
from wangge.workforce.choices import DutyLevel
from wangge.workforce.selectors import chain_gaps


def collect(branch: Branch, day: Day, tally: Tally) -> None:
    on_duty = rostered_by_area(branch.top, day.start, day.end) | dispatched_by_area(
        branch.top, day.day
    )
    for path, workers in Counter(path for path, _worker in on_duty).items():
        tally.add(path, "workforce.on_duty", workers)
    coverage = chain_gaps([branch.top.path], day.as_of, list_gaps=True)
    for level in coverage.levels:
        for gap in level.gaps:
            tally.add(gap.area.path, "workforce.gaps", 1)
            text = str(gap.duty.name)
            if level.level == DutyLevel.HOUSEHOLD:
                text = _("%(duty)s: %(households)d households without") % {
                    "duty": gap.duty.name,
                    "households": gap.missing,
                }
            tally.item(
                gap.area.path,
                "workforce.gaps",
                item(
                    gap.area,
                    "",
                    text,
                    None,
                    reverse("workforce:chain_area", args=[gap.area.pk]),
                ),
            )
