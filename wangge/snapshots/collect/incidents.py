"""Incidents: raised on the day, reached on site on the day (and the minutes it took, in
all), open and past a time limit at the end of it (from the incidents' times and their
timeline's missed limits), and the list of those past a limit."""

from django.urls import reverse

from wangge.incidents import selectors
from wangge.snapshots.collect.base import Branch, Day, Tally, item

MAX_ITEMS = 5000


def collect(branch: Branch, day: Day, tally: Tally) -> None:
    for path, found in selectors.day_figures_by_area(
        branch.top, day.start, day.end, day.as_of
    ).items():
        tally.add(path, "incidents.raised", found["raised"])
        tally.add(path, "incidents.open", found["open"])
        tally.add(path, "incidents.missed", found["missed"])
        tally.add(path, "incidents.arrived", found["arrived"])
        tally.add(path, "incidents.arrive_minutes", round(found["seconds"] / 60))
    for incident in selectors.missed_at(branch.top, day.as_of, MAX_ITEMS):
        text = str(incident.get_kind_display())
        if incident.place:
            text = f"{text}：{incident.place}"
        tally.item(
            incident.area.path,
            "incidents.missed",
            item(
                incident.area,
                str(incident.pk)[:8].upper(),
                text[:120],
                incident.due_at,
                reverse("incidents:detail", args=[incident.pk]),
            ),
        )
