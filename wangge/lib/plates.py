"""Vehicle number plates of the mainland: normalise what an officer typed or a camera read,
and check it against the formats in use (GA 36-2018 and its new-energy plates).

- ordinary, 7 characters: a province's character, the issuing office's letter, and five
  letters or digits (京A12345, 沪B9X3K1);
- new-energy, 8 characters: a small car's D (electric) or F (hybrid) then a letter or
  digit and four digits (粤BD12345, 京AF0A123), a large one's five digits then D or F
  (苏E12345D);
- with a suffix, 6 characters before it: police 警, driving school 学, trailer 挂,
  consulate 领; Guangdong's cross-border plates 粤Z…港 and 粤Z…澳;
- an embassy's: 使 and six digits, or six digits and 使 (使014001, 224001使).

Letters never include I or O (they read as 1 and 0). Normalising folds full-width
characters to ASCII, drops spaces, dots and dashes, and upper-cases.
"""

import re
import unicodedata

from django.utils.translation import gettext_lazy as _

# The 31 provinces' characters (in the order of the administrative division codes).
PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新"
SUFFIXES = "警学挂领港澳"
EMBASSY = "使"

_LETTER = "A-HJ-NP-Z"  # no I, no O
_ALNUM = "A-HJ-NP-Z0-9"
_HEAD = f"[{PROVINCES}][{_LETTER}]"
_PATTERNS = (
    re.compile(f"^{_HEAD}[{_ALNUM}]{{5}}$"),  # ordinary
    re.compile(f"^{_HEAD}[DF][{_ALNUM}][0-9]{{4}}$"),  # small new-energy
    re.compile(f"^{_HEAD}[0-9]{{5}}[DF]$"),  # large new-energy
    re.compile(f"^{_HEAD}[{_ALNUM}]{{4}}[警学挂领]$"),  # police, school, trailer, consulate
    re.compile(f"^粤Z[{_ALNUM}]{{4}}[港澳]$"),  # Hong Kong and Macau cross-border
    re.compile(r"^(使[0-9]{6}|[0-9]{6}使)$"),  # embassy
)
_SEPARATORS = re.compile(r"[\s·•・.\-_]")

MAX_LENGTH = 8

_INVALID = _(
    "Plates in use are a province's character, a letter and five letters or digits "
    "(e.g. 京A12345; the letters I and O are not used), a new-energy plate of eight "
    "(粤BD12345), or a plate ending in 警, 学, 挂, 领, 港, 澳 or 使."
)


class PlateError(ValueError):
    """Not a plate of any format in use; `str()` says so, translated."""

    def __init__(self) -> None:
        super().__init__(_INVALID)

    def __str__(self) -> str:
        return str(_INVALID)


def normalise(value: str) -> str:
    """Full-width to ASCII, without spaces or separators, in upper case."""
    text = value if value.isascii() else unicodedata.normalize("NFKC", value)
    return _SEPARATORS.sub("", text).upper()


def is_valid(plate: str) -> bool:
    """Whether a normalised plate has one of the formats in use."""
    return len(plate) <= MAX_LENGTH and any(pattern.match(plate) for pattern in _PATTERNS)


def validate(value: str) -> str:
    """The normalised plate; "" for an empty value (a person on foot); PlateError otherwise."""
    plate = normalise(value)
    if not plate:
        return ""
    if not is_valid(plate):
        raise PlateError
    return plate
