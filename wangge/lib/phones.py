"""Phone numbers: normalise what people write in a register, validate, mask."""

import re

from django.utils.translation import gettext_lazy as _

from wangge.lib.idnumbers import normalise_text

_INVALID = _("Not a valid mobile (11 digits starting with 1) or landline number.")


class PhoneError(ValueError):
    """Not a mainland mobile or landline number; `str()` says so, translated."""

    def __init__(self) -> None:
        super().__init__(_INVALID)

    def __str__(self) -> str:
        return str(_INVALID)


_SEPARATORS = re.compile(r"[\s\-()（）.]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$", re.ASCII)
_LANDLINE = re.compile(r"^0\d{2,3}\d{7,8}$", re.ASCII)


def normalise(value: str) -> str:
    """Digits only (of any script, folded to ASCII), without +86/0086 or separators."""
    text = _SEPARATORS.sub("", normalise_text(value))
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    return text


def validate(value: str) -> str:
    number = normalise(value)
    if not number:
        return ""
    if _MOBILE.match(number) or _LANDLINE.match(number):
        return number
    raise PhoneError


def mask(number: str) -> str:
    """139****0000 for a mobile; the first three and last two digits of a landline.

    Each leaves at least 10,000 candidates: a mobile hides four free digits; a landline
    of 10 digits with a four-digit area code the attacker knows still hides four.
    """
    if not number:
        return ""
    if len(number) == 11 and number.startswith("1"):
        return number[:3] + "****" + number[-4:]
    return number[:3] + "*" * (len(number) - 5) + number[-2:]
