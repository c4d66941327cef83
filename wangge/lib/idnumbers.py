"""Identity document numbers: normalise what people type or scan, validate, mask.

Resident ID cards (and the residence permits of Hong Kong, Macau and Taiwan residents,
which share their format) are checked with python-stdnum: checksum and birth date.

Digits arrive in every form Unicode has: full-width (１２３), Arabic-Indic (١٢٣), Devanagari,
superscripts, circled (①), mathematical bold (𝟏) … `normalise_text` folds them all to ASCII
before anything is validated or looked up, so that one number has one spelling and nobody
is registered twice under two. NFKC alone leaves Arabic-Indic and Devanagari digits as they
are (they are not compatibility characters); Python's `str.isdigit` and `int` accept them,
which is why the checks below also insist on ASCII.
"""

import datetime as dt
import operator
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric


class IdType(StrEnum):
    """The kinds of identity document a person can be registered with."""

    RESIDENT_CARD = "resident_card"  # 居民身份证 (also HK/Macau/Taiwan residence permits)
    HK_MACAU_PERMIT = "hk_macau_permit"  # 港澳居民来往内地通行证
    TAIWAN_PERMIT = "taiwan_permit"  # 台湾居民来往大陆通行证
    PASSPORT = "passport"  # 护照
    NONE = "none"  # no document yet, e.g. a newborn


# Why a number is refused, as whole sentences in the reader's language (shown by the web
# forms, the station API's per-item answers and the commands alike).
MESSAGES: dict[str, Promise] = {
    "excel_number": _(
        "Excel stored this ID number as a number and lost its last digits: format the column "
        "as text and type the number again."
    ),
    "unexpected_number": _("A person without a document has no number."),
    "missing": _("The ID number is missing."),
    "old_format": _("15-digit ID numbers are no longer valid: use the 18-digit number."),
    "length": _("A resident ID number has 18 characters."),
    "characters": _("A resident ID number is 17 digits followed by a digit or X."),
    "birth_date": _("The birth date inside the ID number is not a real date or is in the future."),
    "checksum": _("The check digit of the ID number is wrong."),
    "checksum_zeros": _(
        "The check digit of the ID number is wrong (Excel may have replaced its last digits "
        "with zeros)."
    ),
    "format": _("The document number does not have the form of its type."),
}


class IdNumberError(ValueError):
    """A number that cannot be a valid document of its type; `str()` says why, translated."""

    def __init__(self, code: str) -> None:
        super().__init__(MESSAGES[code])
        self.code = code

    def __str__(self) -> str:
        return str(MESSAGES[self.code])


_SEPARATORS = re.compile(r"[\s\-_.·]")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.ASCII)
_RESIDENT_CARD = re.compile(r"^\d{17}[\dX]$", re.ASCII)
_PATTERNS = {
    IdType.HK_MACAU_PERMIT: re.compile(r"^[HM]\d{8}(\d{2})?$", re.ASCII),
    IdType.TAIWAN_PERMIT: re.compile(r"^\d{8}(\d{2})?$", re.ASCII),
    IdType.PASSPORT: re.compile(r"^[A-Z0-9]{5,17}$"),
}


@cache
def _digit_table() -> dict[int, str]:
    """Every character that is a digit to `str.isdigit` but not ASCII (Unicode has about
    800), mapped to its ASCII digit for `str.translate`: one C-level pass over a text,
    where a regular expression of 800 alternatives took microseconds a cell (an import
    folds a million cells)."""
    return {
        code: str(unicodedata.digit(chr(code)))
        for code in range(0x80, sys.maxunicode + 1)
        if chr(code).isdigit()
    }


def fold_digits(text: str) -> str:
    """Every digit of any script (١, ४, ፩, 𝟏 …) as its ASCII digit; the rest unchanged."""
    if text.isascii():
        return text
    return text.translate(_digit_table())


def normalise_text(value: str) -> str:
    """Full-width characters and digits of every script to ASCII, surrounding space removed."""
    if value.isascii():
        return value.strip()
    return fold_digits(unicodedata.normalize("NFKC", value)).strip()


def normalise(value: str) -> str:
    """What a person typed or a scanner sent, as the canonical number (upper-case, no gaps)."""
    return _SEPARATORS.sub("", normalise_text(value)).upper()


@dataclass(frozen=True)
class ResidentCardFacts:
    birth_date: dt.date
    sex: str  # "M" or "F"


def validate(id_type: IdType, value: str) -> str:
    """Return the canonical number or raise IdNumberError with a reason a person can act on."""
    if id_type == IdType.RESIDENT_CARD and _RESIDENT_CARD.fullmatch(value):
        # Already canonical (what a scanner sends): nothing to normalise (a station's batch
        # checks hundreds of these).
        return _resident_card(value)
    if _SCIENTIFIC.match(normalise_text(value).upper().replace(" ", "")):
        raise IdNumberError("excel_number")
    number = normalise(value)
    if id_type == IdType.NONE:
        if number:
            raise IdNumberError("unexpected_number")
        return ""
    if not number:
        raise IdNumberError("missing")
    if id_type == IdType.RESIDENT_CARD:
        if len(number) != 18:
            if len(number) == 15 and number.isascii() and number.isdigit():
                raise IdNumberError("old_format")
            raise IdNumberError("length")
        if not _RESIDENT_CARD.match(number):
            raise IdNumberError("characters")
        return _resident_card(number)
    if not _PATTERNS[id_type].match(number):
        raise IdNumberError("format")
    return number


_WEIGHTS = tuple(2 ** (17 - i) % 11 for i in range(17))
# The weighted sum over the digits' ASCII codes counts each weight 48 ("0") times too many.
_ASCII_ZEROS = ord("0") * sum(_WEIGHTS)


def _check_digit(number: str) -> str:
    """ric.calc_check_digit (ISO 7064 MOD 11-2) of the 17 ASCII digits before it, summed
    over the digits' bytes in C rather than digit by digit in Python."""
    total = sum(map(operator.mul, _WEIGHTS, number[:17].encode())) - _ASCII_ZEROS
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def _resident_card(number: str) -> str:
    """The checks of an 18-character number of the right characters: its birth date
    (python-stdnum's reading of it) and its check digit."""
    try:
        birth_date = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError as exc:  # what ric.get_birth_date raises as InvalidComponent
        raise IdNumberError("birth_date") from exc
    if _check_digit(number) != number[17]:
        raise IdNumberError("checksum_zeros" if number.endswith("000") else "checksum")
    if birth_date > _today():
        raise IdNumberError("birth_date")
    return number


_clock: tuple[int, dt.date] = (-1, dt.date.min)


def _today() -> dt.date:
    """Today's calendar date, read again when the clock's second changes: `date.today()`
    asks the time zone each call, and an import checks 100,000 birth dates."""
    global _clock
    second = int(time.time())
    if _clock[0] != second:
        _clock = (second, dt.date.today())  # noqa: DTZ011 - a calendar date
    return _clock[1]


def resident_card_facts(number: str) -> ResidentCardFacts:
    """Birth date and sex as the 18-digit number states them (number already validated)."""
    return ResidentCardFacts(
        birth_date=ric.get_birth_date(number),
        sex="M" if int(number[16]) % 2 else "F",
    )


# What may be shown or stored in clear must leave any ID number at least this many
# candidates, for an attacker who knows its region, its structure and its check digit
# (shared/DOMAIN.md; the arithmetic is in docs/security.md "What a mask may show").
MIN_CANDIDATES = 10_000
# Sequence codes of one sex: 1000 codes, the last digit odd for men and even for women.
SEQUENCES_PER_SEX = 500
# The sex is stored in clear, so a birth year written in that same year leaves one
# candidate date per day already passed: the year is kept only once this many days have.
MIN_DAYS_INTO_BIRTH_YEAR = -(-MIN_CANDIDATES // SEQUENCES_PER_SEX)  # 20
# Hidden characters of other documents' masks: 4 digits are 10,000 candidates.
_MIN_HIDDEN = 4


def mask(id_type: IdType | str, number: str) -> str:
    """The number as lists show it.

    A resident card shows its region only (620103************): any digit of the
    sequence or the check, beside a birth year and sex, would leave fewer than
    MIN_CANDIDATES. Other documents keep up to two characters at each end and hide at
    least four (10,000 candidates even for digits only).
    """
    if not number:
        return ""
    if id_type == IdType.RESIDENT_CARD and len(number) == 18:
        return number[:6] + "*" * 12
    keep = max(0, min(2, (len(number) - _MIN_HIDDEN) // 2))
    return number[:keep] + "*" * (len(number) - 2 * keep) + number[len(number) - keep :]


def disclosable_birth_year(birth_date: dt.date | None, written_on: dt.date) -> int | None:
    """The birth year that may be stored in clear for a record first written on `written_on`.

    The record's creation time is in clear too, and a birth is not after it: for someone
    born in the year the record was written, the year and the sex leave (days of the
    year passed) x 500 candidates. Before MIN_DAYS_INTO_BIRTH_YEAR days the year is
    withheld (None: unknown age), and so is a year after the writing (bad data).
    """
    if birth_date is None:
        return None
    days_into_year = (written_on - dt.date(birth_date.year, 1, 1)).days + 1
    if days_into_year < MIN_DAYS_INTO_BIRTH_YEAR:
        return None
    return birth_date.year


def make_resident_card_number(region: str, birth_date: dt.date, sequence: int, sex: str) -> str:
    """A well-formed 18-digit number (for synthetic data): region, birth date, order, check.

    The order code's last digit is odd for men and even for women.
    """
    order = sequence % 1000
    if (order % 2 == 1) != (sex == "M"):
        order = (order + 1) % 1000
    body = f"{region}{birth_date:%Y%m%d}{order:03d}"
    return body + ric.calc_check_digit(body + "0")
