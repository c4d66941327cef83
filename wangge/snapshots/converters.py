"""A day in a URL: YYYY-MM-DD, a date that exists (anything else matches no page: 404)."""

import datetime as dt

from wangge.core.params import read_date


class DayConverter:
    regex = "[0-9]{4}-[0-9]{2}-[0-9]{2}"

    def to_python(self, value: str) -> dt.date:
        day = read_date(value)
        if day is None:
            raise ValueError(value)
        return day

    def to_url(self, value: dt.date | str) -> str:
        return value.isoformat() if isinstance(value, dt.date) else str(value)
