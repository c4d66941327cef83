"""The day's deadline (WANGGE_DOCKING_DEADLINE, "HH:MM" local time, the same day)."""

import datetime as dt
import re

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

_HH_MM = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def deadline_time() -> dt.time:
    """The setting as a time of day; a malformed value is a configuration error."""
    value = str(settings.WANGGE_DOCKING_DEADLINE).strip()
    match = _HH_MM.fullmatch(value)
    if match is None:
        raise ImproperlyConfigured(
            f"WANGGE_DOCKING_DEADLINE must be a time of day as HH:MM (00:00-23:59), not {value!r}"
        )
    return dt.time(int(match.group(1)), int(match.group(2)))


def deadline_of(day: dt.date) -> dt.datetime:
    """When the units' answers on `day` are due: the day at the set time, local time."""
    return timezone.make_aware(dt.datetime.combine(day, deadline_time()))


def is_past(day: dt.date, now: dt.datetime) -> bool:
    return now > deadline_of(day)
