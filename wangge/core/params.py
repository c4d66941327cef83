"""Query parameters (and the few fields read outside a form), read in one place.

Every view reads `request.GET` through these functions, so that whatever a link, a
bookmark or an attacker puts in a query string, a page answers 200 or 400 — never 500.
The same two rules hold on every page:

- a value that only changes how a page is shown (a page number, an indent, a list's status
  filter, a search text) falls back to its default when it cannot be read; a number out of
  range is brought within it and a text is cut to its length;
- a value that says what the page is about (an area, a round, a date, a download's format)
  is answered with 400 naming the parameter: showing something other than what was asked
  for would mislead (a district's figures taken for a grid's).

Digits are read in any script people type them in (full-width １２ from a Chinese input
method, Arabic-Indic ٣); a character that is a digit but no decimal one ("²") is not.
A repeated key counts with its last value, as Django's QueryDict.get does. NUL and other
control characters never reach a query or a page.
"""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import BadRequest, ValidationError
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

# The largest id a database column holds (a signed 64-bit integer).
MAX_ID = 2**63 - 1
# Dates the pages work with: anything beyond is a typing slip or a probe, and a date
# near 0001-01-01 or 9999-12-31 overflows once it is turned into a time with a zone.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)
# Nobody pages this far; the paginator shows the last page for any number beyond it.
MAX_PAGE = 1_000_000
# No value a page reads is longer; a longer one is cut before anything looks at it.
MAX_RAW = 2000

_INTEGER = re.compile(r"[+-]?[0-9]{1,19}")
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no", ""}


class BadParameter(BadRequest):
    """A parameter that says what the page is about cannot be read: the page answers 400."""

    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name

    @property
    def message(self) -> str:
        return str(
            _("This link cannot be read: its value for “%(name)s” is not valid.")
            % {"name": self.name[:40]}
        )


def fold_digits(text: str) -> str:
    """Decimal digits of every script as ASCII digits; everything else unchanged."""
    if text.isascii():
        return text
    return "".join(
        str(unicodedata.decimal(char)) if unicodedata.decimal(char, None) is not None else char
        for char in text
    )


def clean_text(text: str) -> str:
    """The text without control characters (NUL included), whitespace runs made one space."""
    kept = "".join(
        " " if char.isspace() else char
        for char in text[:MAX_RAW]
        if char.isspace() or not unicodedata.category(char).startswith("C")
    )
    return " ".join(kept.split())


def raw(query: QueryDict, name: str) -> str | None:
    """The last value given for `name`, cleaned; None if the name is absent."""
    values = query.getlist(name)
    if not values:
        return None
    return clean_text(str(values[-1]))


def read_integer(text: str) -> int | None:
    """A whole number written in any script's decimal digits, at most 19 of them."""
    folded = fold_digits(text.strip())
    if not _INTEGER.fullmatch(folded):
        return None
    return int(folded)


def read_date(text: str, earliest: dt.date = EARLIEST, latest: dt.date = LATEST) -> dt.date | None:
    """A YYYY-MM-DD date (digits of any script) that exists and lies within the bounds."""
    match = _DATE.fullmatch(fold_digits(text.strip()))
    if match is None:
        return None
    try:
        day = dt.date(*(int(part) for part in match.groups()))
    except ValueError:
        return None
    return day if earliest <= day <= latest else None


def integer(query: QueryDict, name: str, *, default: int, minimum: int, maximum: int) -> int:
    """A number that changes how a page is shown: its default if unreadable, else clamped."""
    text = raw(query, name)
    number = read_integer(text) if text else None
    if number is None:
        return default
    return max(minimum, min(maximum, number))


def page(query: QueryDict, name: str = "page") -> int:
    """The page number for Paginator.get_page (which shows the last page beyond the end)."""
    return integer(query, name, default=1, minimum=1, maximum=MAX_PAGE)


def object_id(query: QueryDict, name: str) -> int | None:
    """The id of the object a page is about; None when not given, 400 when unreadable."""
    text = raw(query, name)
    if not text:
        return None
    number = read_integer(text)
    if number is None or not 1 <= number <= MAX_ID:
        raise BadParameter(name)
    return number


def posted_id(query: QueryDict, name: str) -> int | None:
    """The id a form's field names, or None when it names none that can exist: the
    caller's scoped lookup then answers 404, as for an object that is not there."""
    text = raw(query, name)
    number = read_integer(text) if text else None
    return number if number is not None and 1 <= number <= MAX_ID else None


def date(
    query: QueryDict, name: str, *, earliest: dt.date = EARLIEST, latest: dt.date = LATEST
) -> dt.date | None:
    """A date a page is about; None when not given, 400 when unreadable or out of bounds."""
    text = raw(query, name)
    if not text:
        return None
    day = read_date(text, earliest, latest)
    if day is None:
        raise BadParameter(name)
    return day


def choice(
    query: QueryDict, name: str, choices: Iterable[str], default: str, *, strict: bool = False
) -> str:
    """One of `choices`. Not given: the default. Anything else: the default, or with
    `strict` (the choice says what the page is, e.g. a download's format) a 400."""
    text = raw(query, name)
    allowed = set(choices)
    if text is None or text == "":
        return default
    if text in allowed:
        return text
    if strict:
        raise BadParameter(name)
    return default


def flag(query: QueryDict, name: str, *, default: bool = False) -> bool:
    """A yes/no switch of how a page is shown; its default when unreadable."""
    text = raw(query, name)
    if text is None:
        return default
    word = text.lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    return default


def text(query: QueryDict, name: str, *, max_length: int, default: str = "") -> str:
    """Free text (a search): cleaned of control characters, cut to `max_length`."""
    value = raw(query, name)
    return default if value is None else value[:max_length].strip()


class BoundedDateField(forms.DateField):
    """A form's date (YYYY-MM-DD, digits of any script) within EARLIEST…LATEST.

    Django's DateField accepts 0001-01-01 and 9999-12-31, which overflow as soon as a
    page turns them into a time in a zone; this one refuses them with a sentence.
    """

    default_error_messages = {
        "invalid": _("Enter a date between 1900-01-01 and 2199-12-31, as YYYY-MM-DD."),
    }

    def to_python(self, value: Any) -> dt.date | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            day: dt.date | None = value
        else:
            day = read_date(clean_text(str(value)))
        if day is None or not EARLIEST <= day <= LATEST:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return day
