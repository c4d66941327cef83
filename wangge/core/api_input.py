"""What the JSON API accepts, and how it answers what it does not (docs/api.md, "Errors").

Every request field is bounded by a type from here, so that nothing a client sends can
reach the database or Python's datetime arithmetic outside what they hold: identifiers
within a bigint, times from 2000 to 2100 (and to the server's clock, give or take
its allowed skew), text without control
characters. Whatever is refused is answered in the user's language, naming the field;
whatever escapes all that is logged and answered with a JSON 500 instead of a traceback.
"""

import datetime as dt
import logging
from collections.abc import Mapping, Sequence
from typing import Annotated, Any

from django.conf import settings
from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from pydantic import AwareDatetime, Field, StringConstraints

logger = logging.getLogger(__name__)

# A primary key: what a bigint column holds (larger numbers overflow SQLite's driver).
MAX_ID = 2**63 - 1
DbId = Annotated[int, Field(ge=1, le=MAX_ID)]

# The largest body a batch route reads: 500 items of the longest allowed fields, every
# character escaped, fit in about 2.5 MB.
MAX_BODY_BYTES = 4 * 1024 * 1024
# JSON nested deeper than this is refused before anything walks it (pydantic-core's
# parser stops at the same depth; a valid batch nests five levels).
MAX_DEPTH = 200

# Times are taken from 2000 to 2100: no record of this system's predates 2000, and a
# far-off year is a clock or typing error that would overflow on conversion to UTC. The
# bounds are checked by pydantic-core itself, at no cost per item; "not ahead of the
# server's clock" (needs the time now) and "not before the round began" (needs the round)
# are checked where the items are read (testing.actions), with CLOCK_AHEAD / BEFORE_ROUND.
EARLIEST = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
LATEST = dt.datetime(2100, 1, 1, tzinfo=dt.UTC)

# No control characters: NUL cannot be stored in PostgreSQL text, and the others are
# never part of a name, an address or a barcode.
SINGLE_LINE = r"^[^\x00-\x1f\x7f]*$"
# A note may hold line breaks and tabs, nothing else of the kind.
MULTI_LINE = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


def plain(max_length: int, *, min_length: int = 0, multi_line: bool = False) -> StringConstraints:
    """Constraints of a text field: stripped, bounded, no control characters
    (`Annotated[str, plain(60)]`)."""
    return StringConstraints(
        strip_whitespace=True,
        min_length=min_length,
        max_length=max_length,
        pattern=MULTI_LINE if multi_line else SINGLE_LINE,
    )


def clock_skew() -> dt.timedelta:
    """How far a device's clock may be ahead of the server's (WANGGE_CLOCK_SKEW_SECONDS)."""
    return dt.timedelta(seconds=settings.WANGGE_CLOCK_SKEW_SECONDS)


Timestamp = Annotated[
    AwareDatetime,
    Field(
        ge=EARLIEST,
        lt=LATEST,
        description="ISO 8601 with an offset, not ahead of the server's clock by more than "
        "its allowed skew (WANGGE_CLOCK_SKEW_SECONDS, 300 s by default).",
    ),
]

CLOCK_AHEAD = _(
    "The time given is ahead of the server's clock by more than the allowed skew; "
    "check the device's date and time."
)
BEFORE_ROUND = _("The time given is before the round began; check the device's date and time.")

# The reason for each kind of problem pydantic reports.
_PROBLEMS: dict[str, Promise] = {
    "missing": _("This field is required."),
    "extra_forbidden": _("This field is not part of the record."),
    "string_type": _("This must be text."),
    "string_too_short": _("This text is empty."),
    "string_pattern_mismatch": _("This text holds characters that are not allowed here."),
    "int_type": _("This must be a whole number."),
    "int_parsing": _("This must be a whole number."),
    "int_from_float": _("This must be a whole number."),
    "greater_than_equal": _("This number is out of range."),
    "less_than_equal": _("This number is out of range."),
    "less_than": _("This number is out of range."),
    "float_type": _("This must be a number."),
    "float_parsing": _("This must be a number."),
    "finite_number": _("This must be a number."),
    "bool_type": _("This must be true or false."),
    "bool_parsing": _("This must be true or false."),
    "literal_error": _("This value is not one of those allowed."),
    "uuid_type": _("This must be a UUID."),
    "uuid_parsing": _("This must be a UUID."),
    "json_invalid": _("The body is not valid JSON."),
}
_TIME_FORM = _("This must be a date and time with an offset, e.g. 2026-11-23T08:15:02+08:00.")
_TIME_RANGE = _("This time lies outside the range accepted, from 2000 to 2100.")
_NOT_VALID = _("This value is not valid.")
_TOO_LONG_TEXT = _("This text is longer than %(max)s characters.")
_TOO_MANY = _("This holds more than %(max)s entries.")
# Errors that say only that a union member did not match: less telling than the others.
_VAGUE = frozenset({"missing", "extra_forbidden", "model_type", "dict_type"})


def _problem(error: Mapping[str, Any]) -> str:
    kind = str(error.get("type", ""))
    context = error.get("ctx") or {}
    limit = context.get("max_length")
    if any(isinstance(bound, dt.datetime) for bound in context.values()):
        return str(_TIME_RANGE)
    if kind == "string_too_long":
        return str(_TOO_LONG_TEXT) % {"max": limit}
    if kind == "too_long":
        return str(_TOO_MANY) % {"max": limit}
    if kind in _PROBLEMS:
        return str(_PROBLEMS[kind])
    if kind.startswith(("datetime_", "timezone_")):
        return str(_TIME_FORM)
    return str(_NOT_VALID)


def _field(location: Sequence[Any]) -> str:
    """The field's path as a client names it: union members' class names dropped."""
    return ".".join(str(part) for part in location if not str(part)[:1].isupper())


def describe(errors: Sequence[Mapping[str, Any]], *, skip: int = 0) -> tuple[str, str]:
    """The field that is wrong (the first `skip` parts of its location dropped) and the
    reason, translated. Of a union's errors, the most telling one."""
    if not errors:
        return "", str(_NOT_VALID)
    chosen = next((e for e in errors if e.get("type") not in _VAGUE), errors[0])
    return _field(list(chosen.get("loc", ()))[skip:]), _problem(chosen)


def field_reason(field: str, problem: str) -> str:
    """One sentence for a per-item answer that names the field."""
    if not field:
        return problem
    return str(_("Field “%(field)s”: %(problem)s")) % {"field": field, "problem": problem}


class BodyError(Exception):
    """A request body that is not read at all: too large (413), not JSON (400), not of the
    documented shape (422)."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def too_large() -> BodyError:
    return BodyError(
        413, str(_("The request body is larger than %(size)s MB.")) % {"size": MAX_BODY_BYTES >> 20}
    )


def read_body(request: HttpRequest) -> bytes:
    """The raw body of a batch, refused before it is read when its length is announced
    larger than a batch can be."""
    try:
        announced = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        announced = 0
    if announced > MAX_BODY_BYTES:
        raise too_large()
    body = request.body
    if len(body) > MAX_BODY_BYTES:
        raise too_large()
    return body


def install(api: NinjaAPI) -> None:
    """The API's answers to what it cannot take, all `{"detail": …}` JSON."""

    @api.exception_handler(BodyError)
    def body_error(request: HttpRequest, exc: BodyError) -> HttpResponse:
        return api.create_response(request, {"detail": str(exc)}, status=exc.status)

    @api.exception_handler(RequestDataTooBig)
    def body_too_big(request: HttpRequest, exc: RequestDataTooBig) -> HttpResponse:
        return body_error(request, too_large())

    @api.exception_handler(HttpError)
    @api.exception_handler(AuthenticationError)
    def ninja_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
        # ninja's own answers are English: an unreadable body (400) and a missing, unknown,
        # expired or revoked token (401) are said again in the request's language.
        translated = {
            400: _("The body is not valid JSON (UTF-8)."),
            401: _("This device is not signed in: its token is missing, expired or revoked."),
        }.get(exc.status_code)
        detail = str(translated) if translated is not None else exc.message
        return api.create_response(request, {"detail": detail}, status=exc.status_code)

    @api.exception_handler(NinjaValidationError)
    def invalid(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
        # ninja's locations start with where the value was: "query", "path", "body".
        field, problem = describe(exc.errors, skip=1)
        return api.create_response(
            request, {"detail": field_reason(field, problem), "field": field}, status=422
        )

    @api.exception_handler(Exception)
    def last_resort(request: HttpRequest, exc: Exception) -> HttpResponse:
        # The logging configuration masks numbers and phones in the message and traceback.
        logger.exception("API error on %s %s", request.method, request.path)
        return api.create_response(
            request,
            {"detail": str(_("The server could not handle this request; it has been logged."))},
            status=500,
        )
