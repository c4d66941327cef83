"""Nothing personal in logs: mask anything shaped like an ID number or a phone number.

The filter sits on every handler of the project's logging configuration (see
settings.LOGGING). It rewrites the rendered message, the formatted traceback and the stack
text, so an exception whose message or local values carry a number is masked too. Numbers
are masked the way lists show them (6201**********123X, 139****5678).
"""

import logging
import re

# Separators people and URLs put inside numbers: a space, a dash, "+" or "%20" (URL-encoded).
_SEP = r"(?:[ \-+]|%20)?"
# An 18-character resident ID (also inside a query string or a traceback), optionally split
# 6-8-4 the way it is printed on the card.
_ID_LIKE = re.compile(
    rf"(?<![0-9A-Za-z])(\d{{4}})\d{{2}}{_SEP}\d{{8}}{_SEP}(\d{{3}}[\dXx])(?![0-9A-Za-z])"
)
# A mainland mobile number, whole or written 3-4-4.
_MOBILE_LIKE = re.compile(rf"(?<![0-9A-Za-z])(1[3-9]\d){_SEP}\d{{4}}{_SEP}(\d{{4}})(?!\d)")
# A landline with its area code (0931-8123456, 01012345678).
_LANDLINE_LIKE = re.compile(rf"(?<![0-9A-Za-z])(0\d{{2,3}}){_SEP}\d{{3,4}}(\d{{4}})(?!\d)")


def scrub(text: str) -> str:
    """The text with every ID-number-like and phone-like run masked."""
    text = _ID_LIKE.sub(r"\1**********\2", text)
    text = _MOBILE_LIKE.sub(r"\1****\2", text)
    return _LANDLINE_LIKE.sub(r"\1****\2", text)


_formatter = logging.Formatter()


class PersonalDataFilter(logging.Filter):
    """Rewrite a record before any handler formats it: message, traceback and stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except (TypeError, ValueError):
            # A message whose arguments do not match: keep the raw template, masked.
            message = str(record.msg)
        cleaned = scrub(message)
        if cleaned != message or record.args:
            record.msg, record.args = cleaned, None
        # Handlers format the traceback only after the filters have run, so format it
        # here (the formatter reuses exc_text) and mask what it says.
        if record.exc_info and not record.exc_text:
            record.exc_text = _formatter.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        return True
