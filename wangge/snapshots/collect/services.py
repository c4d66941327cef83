"""Door-to-door service: requests received and delivered on the day; open and late at
the end of it (from the requests' own times, so a past day reads as it was), and the list
of the late ones."""

from django.urls import reverse

from wangge.services import selectors
from wangge.snapshots.collect.base import Branch, Day, Tally, item

# The late requests read at most (a list keeps LIST_LIMIT per area; a branch with more
# late requests than this keeps the longest late).
MAX_ITEMS = 5000


def collect(branch: Branch, day: Day, tally: Tally) -> None:
    for path, found in selectors.day_figures_by_area(
        branch.top, day.start, day.end, day.as_of
    ).items():
        tally.add(path, "services.opened", found["opened"])
        tally.add(path, "services.open", found["open"])
        tally.add(path, "services.late", found["late"])
        tally.add(path, "services.done", found["done"])
    for request in selectors.late_at(branch.top, day.as_of, MAX_ITEMS):
        text = str(request.get_kind_display())
        if request.detail:
            text = f"{text}：{request.detail}"
        tally.item(
            request.area.path,
            "services.late",
            item(
                request.area,
                str(request.pk)[:8].upper(),
                text[:120],
                request.due_at,
                reverse("services:detail", args=[request.pk]),
            ),
        )
