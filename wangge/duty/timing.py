"""The clock arithmetic of duty: a local day's bounds, the stretches a roster leaves
uncovered, and the due times of a scheduled task on a day. Pure functions, no queries."""

import datetime as dt
from collections.abc import Iterable
from typing import Protocol

from django.utils import timezone

Interval = tuple[dt.datetime, dt.datetime]


def day_bounds(day: dt.date) -> Interval:
    """The local day as aware datetimes, from midnight to the next midnight."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    return start, end


def at_local(day: dt.date, time: dt.time) -> dt.datetime:
    return dt.datetime.combine(day, time, tzinfo=timezone.get_current_timezone())


def gaps(intervals: Iterable[Interval], start: dt.datetime, end: dt.datetime) -> list[Interval]:
    """The stretches of [start, end) that no interval covers, in order."""
    found: list[Interval] = []
    cursor = start
    for begins, ends in sorted(intervals):
        if ends <= cursor:
            continue
        if begins >= end:
            break
        if begins > cursor:
            found.append((cursor, begins))
        cursor = max(cursor, ends)
        if cursor >= end:
            break
    if cursor < end:
        found.append((cursor, end))
    return found


class Schedule(Protocol):
    """What the due times of a scheduled task are made of."""

    times: list[str]
    every_hours: int | None
    first_time: dt.time | None


def parse_time(text: str) -> dt.time | None:
    """ "HH:MM" (or H:MM, with a full-width colon) as a time, None when it is not one."""
    text = text.strip().replace("：", ":")
    hours, sep, minutes = text.partition(":")
    if not sep or not hours.isdecimal() or not minutes.isdecimal() or len(minutes) != 2:
        return None
    h, m = int(hours), int(minutes)
    if not (0 <= h <= 23 and 0 <= m <= 59):  # noqa: PLR2004
        return None
    return dt.time(h, m)


def occurrences(task: Schedule, day: dt.date) -> list[dt.datetime]:
    """When the task is due on `day` (local), in order: each of its times of day, or every
    `every_hours` from its first time (midnight when not given) to the end of the day."""
    due: set[dt.datetime] = set()
    if task.every_hours:
        first = task.first_time or dt.time(0)
        minute = first.hour * 60 + first.minute
        while minute < 24 * 60:
            due.add(at_local(day, dt.time(minute // 60, minute % 60)))
            minute += task.every_hours * 60
    for text in task.times or []:
        time = parse_time(str(text))
        if time is not None:
            due.add(at_local(day, time))
    return sorted(due)
