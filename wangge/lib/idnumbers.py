"""Identity document numbers: normalise what people type or scan, validate, mask.

Resident ID cards (and the residence permits of Hong Kong, Macau and Taiwan residents,
which share their format) are checked with python-stdnum: checksum and birth date.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from stdnum.cn import ric
from stdnum.exceptions import ValidationError as StdnumError


class IdType(StrEnum):
    """The kinds of identity document a person can be registered with."""

    RESIDENT_CARD = "resident_card"  # 居民身份证 (also HK/Macau/Taiwan residence permits)
    HK_MACAU_PERMIT = "hk_macau_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民来往大陆通行证
    PASSPORT = "passport"  # 护照
    NONE = "none"  # no document yet, e.g. a newborn


class IdNumberError(ValueError):
    """A number that cannot be a valid document of its type; the message says why."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code


_SEPARATORS = re.compile(r"[\s\-_.·]")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$")
_PATTERNS = {
    IdType.HK_MACAU_PERMIT: re.compile(r"^[HM]\d{8}(\d{2})?$"),
    IdType.TAIWAN_PERMIT: re.compile(r"^\d{8}(\d{2})?$"),
    IdType.PASSPORT: re.compile(r"^[A-Z0-9]{5,17}$"),
}


def normalise_text(value: str) -> str:
    """Full-width characters to ASCII, surrounding space removed."""
    return unicodedata.normalize("NFKC", value).strip()


def normalise(value: str) -> str:
    """What a person typed or a scanner sent, as the canonical number (upper-case, no gaps)."""
    return _SEPARATORS.sub("", normalise_text(value)).upper()


@dataclass(frozen=True)
class ResidentCardFacts:
    birth_date: dt.date
    sex: str  # "M" or "F"


def validate(id_type: IdType, value: str) -> str:
    """Return the canonical number or raise IdNumberError with a reason a person can act on."""
    if _SCIENTIFIC.match(normalise_text(value).upper().replace(" ", "")):
        raise IdNumberError(
            "excel_number",
            "Excel turned this ID number into a number and lost digits; "
            "format the column as text and enter it again",
        )
    number = normalise(value)
    if id_type == IdType.NONE:
        if number:
            raise IdNumberError("unexpected_number", "a person without a document has no number")
        return ""
    if not number:
        raise IdNumberError("missing", "the ID number is missing")
    if id_type == IdType.RESIDENT_CARD:
        if len(number) != 18:
            if len(number) == 15 and number.isdigit():
                raise IdNumberError(
                    "old_format", "15-digit ID numbers are no longer valid; use the 18-digit number"
                )
            raise IdNumberError("length", "a resident ID number has 18 characters")
        if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
            raise IdNumberError("characters", "a resident ID number is 17 digits and a digit or X")
        try:
            birth_date = ric.get_birth_date(number)
        except StdnumError as exc:
            raise IdNumberError(
                "birth_date", "the birth date inside the ID number is not a real date"
            ) from exc
        if ric.calc_check_digit(number) != number[17]:
            hint = (
                " (Excel may have replaced its last digits with zeros)"
                if number.endswith("000")
                else ""
            )
            raise IdNumberError("checksum", "the check digit of the ID number is wrong" + hint)
        if birth_date > dt.date.today():  # noqa: DTZ011 - a calendar date
            raise IdNumberError(
                "birth_date", "the birth date inside the ID number is in the future"
            )
        return number
    if not _PATTERNS[id_type].match(number):
        raise IdNumberError("format", "the document number does not have the form of its type")
    return number


def resident_card_facts(number: str) -> ResidentCardFacts:
    """Birth date and sex as the 18-digit number states them (number already validated)."""
    return ResidentCardFacts(
        birth_date=ric.get_birth_date(number),
        sex="M" if int(number[16]) % 2 else "F",
    )


def mask(id_type: IdType | str, number: str) -> str:
    """The number as lists show it: 6201**********123X."""
    if not number:
        return ""
    if id_type == IdType.RESIDENT_CARD and len(number) == 18:
        return number[:4] + "*" * 10 + number[-4:]
    keep = 2 if len(number) > 6 else 1
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[-keep:]


def make_resident_card_number(region: str, birth_date: dt.date, sequence: int, sex: str) -> str:
    """A well-formed 18-digit number (for synthetic data): region, birth date, order, check.

    The order code's last digit is odd for men and even for women.
    """
    order = sequence % 1000
    if (order % 2 == 1) != (sex == "M"):
        order = (order + 1) % 1000
    body = f"{region}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")
