"""How many ID numbers and phones are left once an attacker has read some text.

An exact counter, with no Django import: the enumeration test reads what a dump, a page,
an export or a station's roster shows as TEXT, turns it into facts about one person's
number (`facts_from_text`) and counts the numbers that agree with every fact.

THE ATTACKER knows the structure of every document number, the person's region code (the
first six digits of a resident card) and today's date, and reads a text that the test has
attributed to the person. The reading is worst-case: every token is interpreted in the
most informative way that agrees with the person's true values (`Truth`), so a token that
happens to equal a true value counts as having given it away. The rules:

  full value     the full ID number or phone anywhere in the text (also once spaces and
                 dashes are removed): one candidate.
  masked token   a run of letters, digits and mask characters (* • ● ＊) holding at least
                 one mask character. Of the true length: each visible character that
                 agrees with the truth pins its position (a token that disagrees anywhere
                 is someone else's). Of another length: its leading and trailing visible
                 runs of three characters or more pin the prefix and the suffix when they
                 agree (139****, **123X; "093*******34", a phone's mask, pins nothing of
                 an ID number that happens to end in 34).
  suffix         a four-character token of digits (and a final X) equal to the last four
                 characters pins them; after 尾号, 后四位, 末四位, 后N位, "last N" or
                 "ending", a token of 2 to 4 characters equal to the last ones pins them.
  birth date     a date equal to the true birth date, as 2021-03-04, 2021/3/4, 2021.3.4,
                 20210304, 2021年3月4日, "March 4, 2021" or "4 March 2021": the exact date.
  year + month   2021-03, 2021/3, 202103, 2021年3月, "March 2021" equal to the truth's.
  birth year     a four-digit token (or 2021年) equal to the true year: that year.
  age            a number marked as an age (35岁, 35周岁, "35 years", 年龄: 35, "age": 35;
                 the test labels each table cell and sheet cell with its column's header,
                 so a bare number in an Age column reads "Age: 35") equal to the true age,
                 read as full years on today's date or as the difference of the years:
                 the birth dates that give that age. When both readings fit the truth
                 the attacker cannot tell which the page used, so the age keeps the dates
                 of either (their union); a reading that does not fit is dropped, so an
                 age computed from the full date next to a birth year still gives away
                 that the birthday is between tomorrow and the year's end.
  sex            男 / 女 / 男性 / 女性 / male / female / a lone M or F equal to the
                 truth's sex.
Tokens are bounded by characters that are not ASCII letters or digits, so a hex digest
or a resident code never yields a year or a suffix by accident.

Raw bytes of a database file have no such bounds (a record's columns follow each other
without a separator), so `facts_from_raw` reads them without: a run of mask characters
pins whatever visible characters around it agree with the truth at some alignment, and
the true birth date, year and month, sex letter or word count wherever they appear.

Facts from several texts combine by intersection (`IdFacts.merge`). Counting a resident
card: every 18-character number with the region, a real birth date between 1900-01-01
and today inside the window, a sequence 000-999 whose last digit has the sex's parity
(odd: male), and the ISO 7064 MOD 11-2 check character, that agrees with every pinned
position. The check is a weighted sum mod 11, so the count combines two histograms of
that sum (over the dates, over the sequences) instead of listing numbers. Another
document (passport, permit): every unpinned position may be any digit (where the truth
has a digit) or any letter. Phones: a mobile is 11 digits starting 1[3-9], a landline
10-12 digits starting 0; an unpinned first digit counts both kinds.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache

FIRST_BIRTH_DATE = dt.date(1900, 1, 1)
RESIDENT_CARD_LENGTH = 18
MASK_CHARS = "*•●＊"
_SHORTEST_RUN = 3  # visible characters of a masked token of another length that count
# Position i of the 17 body digits weighs 2**(16-i) mod 11 (stdnum: int(body, 13), 13 ≡ 2).
_WEIGHTS = tuple(pow(2, 16 - i, 11) for i in range(17))
_CHECK_CHARS = "0123456789X"
_MONTHS = {
    name.lower(): number
    for number in range(1, 13)
    for name in (calendar.month_name[number], calendar.month_abbr[number])
}
_MONTH_NAME = "(" + "|".join(sorted(_MONTHS, key=len, reverse=True)) + r")\.?"


def _body_sum(digits: str, start: int) -> int:
    return sum(int(char) * _WEIGHTS[start + i] for i, char in enumerate(digits)) % 11


def check_char(body_sum: int) -> str:
    """The check character of a body whose weighted sum mod 11 is `body_sum`."""
    return _CHECK_CHARS[(1 - 2 * body_sum) % 11]


# --- facts -----------------------------------------------------------------------------


@dataclass(frozen=True)
class IdFacts:
    """What is known about one document number. `region` is set for resident cards."""

    length: int
    region: str = ""
    sex: str | None = None  # "M" or "F"
    earliest: dt.date | None = None
    latest: dt.date | None = None
    pinned: Mapping[int, str] = field(default_factory=dict)
    known: bool = False
    impossible: bool = False

    @classmethod
    def resident_card(cls, region: str) -> IdFacts:
        return cls(length=RESIDENT_CARD_LENGTH, region=region)

    def born_between(self, earliest: dt.date, latest: dt.date) -> IdFacts:
        return self.merge(replace(self, earliest=earliest, latest=latest, pinned={}))

    def born_on(self, day: dt.date) -> IdFacts:
        return self.born_between(day, day)

    def born_in_month(self, year: int, month: int) -> IdFacts:
        last = calendar.monthrange(year, month)[1]
        return self.born_between(dt.date(year, month, 1), dt.date(year, month, last))

    def born_in_year(self, year: int) -> IdFacts:
        return self.born_between(dt.date(year, 1, 1), dt.date(year, 12, 31))

    def with_pins(self, pins: Mapping[int, str]) -> IdFacts:
        return self.merge(replace(self, pinned=dict(pins)))

    def merge(self, other: IdFacts) -> IdFacts:
        """Both sets of facts at once (intersection); contradictions leave no candidate."""
        pinned = dict(self.pinned)
        impossible = self.impossible or other.impossible
        for position, char in other.pinned.items():
            if pinned.setdefault(position, char).upper() != char.upper():
                impossible = True
        if self.sex and other.sex and self.sex != other.sex:
            impossible = True
        earliest = max((d for d in (self.earliest, other.earliest) if d), default=None)
        latest = min((d for d in (self.latest, other.latest) if d), default=None)
        return IdFacts(
            length=self.length,
            region=self.region or other.region,
            sex=self.sex or other.sex,
            earliest=earliest,
            latest=latest,
            pinned=pinned,
            known=self.known or other.known,
            impossible=impossible,
        )


@dataclass(frozen=True)
class PhoneFacts:
    """What is known about one phone number of `length` digits."""

    length: int
    pinned: Mapping[int, str] = field(default_factory=dict)
    known: bool = False

    def merge(self, other: PhoneFacts) -> PhoneFacts:
        return PhoneFacts(self.length, {**self.pinned, **other.pinned}, self.known or other.known)


# --- counting resident cards ---------------------------------------------------------


@lru_cache(maxsize=4)
def _dates(today: dt.date) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...]]:
    """Every possible birth date as YYYYMMDD from 1900-01-01 to today, and prefix counts
    of their weighted sums: prefix[k][i] = dates before index i whose sum is k."""
    count = (today - FIRST_BIRTH_DATE).days + 1
    texts = tuple(f"{FIRST_BIRTH_DATE + dt.timedelta(days=i):%Y%m%d}" for i in range(count))
    prefix = [[0] * (count + 1) for _ in range(11)]
    for index, text in enumerate(texts):
        value = _body_sum(text, 6)
        for k in range(11):
            prefix[k][index + 1] = prefix[k][index] + (k == value)
    return texts, tuple(tuple(row) for row in prefix)


def _date_range(facts: IdFacts, today: dt.date) -> tuple[int, int]:
    """Indexes [first, stop) of the birth dates the facts allow, in `_dates(today)`."""
    earliest = max(facts.earliest or FIRST_BIRTH_DATE, FIRST_BIRTH_DATE)
    latest = min(facts.latest or today, today)
    first = (earliest - FIRST_BIRTH_DATE).days
    stop = (latest - FIRST_BIRTH_DATE).days + 1
    return first, max(first, stop)


def _date_histogram(facts: IdFacts, today: dt.date) -> list[int]:
    texts, prefix = _dates(today)
    first, stop = _date_range(facts, today)
    pins = {p - 6: c for p, c in facts.pinned.items() if 6 <= p < 14}
    if not pins:
        return [prefix[k][stop] - prefix[k][first] for k in range(11)]
    histogram = [0] * 11
    for text in texts[first:stop]:
        if all(text[p] == c for p, c in pins.items()):
            histogram[_body_sum(text, 6)] += 1
    return histogram


@lru_cache(maxsize=512)
def _sequence_histogram(sex: str | None, pins: tuple[tuple[int, str], ...]) -> tuple[int, ...]:
    histogram = [0] * 11
    for order in _sequences(sex, pins):
        histogram[_body_sum(order, 14)] += 1
    return tuple(histogram)


def _sequences(sex: str | None, pins: tuple[tuple[int, str], ...]) -> Iterator[str]:
    for value in range(1000):
        if sex is not None and (value % 2 == 1) != (sex == "M"):
            continue
        order = f"{value:03d}"
        if all(order[p - 14] == c for p, c in pins):
            yield order


def _card_setup(facts: IdFacts) -> tuple[int, tuple[tuple[int, str], ...], str | None] | None:
    """The region's sum, the sequence pins and the pinned check char; None if impossible."""
    if facts.impossible or len(facts.region) != 6 or not facts.region.isdigit():
        return None
    for position, char in facts.pinned.items():
        if position < 6 and char != facts.region[position]:
            return None
        if 6 <= position < 17 and not char.isdigit():
            return None
    check = facts.pinned.get(17)
    if check is not None and check.upper() not in _CHECK_CHARS:
        return None
    sequence_pins = tuple(sorted((p, c) for p, c in facts.pinned.items() if 14 <= p < 17))
    return _body_sum(facts.region, 0), sequence_pins, check.upper() if check else None


def count_id_candidates(facts: IdFacts, today: dt.date) -> int:
    """How many valid resident-card numbers agree with every fact (exact)."""
    if facts.known:
        return 1
    setup = _card_setup(facts)
    if setup is None:
        return 0
    region_sum, sequence_pins, check = setup
    dates = _date_histogram(facts, today)
    orders = _sequence_histogram(facts.sex, sequence_pins)
    if check is None:
        return sum(dates) * sum(orders)
    return sum(
        dates[a] * orders[b]
        for a in range(11)
        for b in range(11)
        if check_char((region_sum + a + b) % 11) == check
    )


def iter_id_candidates(facts: IdFacts, today: dt.date) -> Iterator[str]:
    """The numbers `count_id_candidates` counts, one by one (for a keyed-hash brute force)."""
    if facts.known:
        return
    setup = _card_setup(facts)
    if setup is None:
        return
    region_sum, sequence_pins, check = setup
    texts, _prefix = _dates(today)
    first, stop = _date_range(facts, today)
    pins = {p - 6: c for p, c in facts.pinned.items() if 6 <= p < 14}
    orders = [(order, _body_sum(order, 14)) for order in _sequences(facts.sex, sequence_pins)]
    for text in texts[first:stop]:
        if not all(text[p] == c for p, c in pins.items()):
            continue
        date_sum = region_sum + _body_sum(text, 6)
        for order, order_sum in orders:
            char = check_char((date_sum + order_sum) % 11)
            if check is None or char == check:
                yield facts.region + text + order + char


def count_document_candidates(facts: IdFacts, truth: str) -> int:
    """Another document's numbers of the truth's shape: digits where it has digits,
    letters where it has letters, agreeing with the pinned positions."""
    if facts.known:
        return 1
    if facts.impossible:
        return 0
    count = 1
    for position, char in enumerate(truth):
        pinned = facts.pinned.get(position)
        if pinned is not None:
            if pinned.upper() != char.upper():
                return 0
            continue
        count *= 10 if char.isdigit() else 26
    return count


# --- counting phones -----------------------------------------------------------------


def count_phone_candidates(pinned: Mapping[int, str], length: int) -> int:
    """Mobiles (11 digits, 1[3-9]…) and landlines (10-12 digits, 0…) agreeing with the pins."""
    if any(not char.isdigit() or not 0 <= position < length for position, char in pinned.items()):
        return 0

    def kind(first: str, second: str) -> int:
        count = 1
        for position in range(length):
            allowed = first if position == 0 else second if position == 1 else "0123456789"
            char = pinned.get(position)
            count *= (char in allowed) if char is not None else len(allowed)
        return count

    mobiles = kind("1", "3456789") if length == 11 else 0
    landlines = kind("0", "0123456789") if 10 <= length <= 12 else 0
    return mobiles + landlines


def count_phone(facts: PhoneFacts) -> int:
    return 1 if facts.known else count_phone_candidates(facts.pinned, facts.length)


# --- reading facts from text ---------------------------------------------------------


@dataclass(frozen=True)
class Truth:
    """One person's true values (what the attacker wants), to judge the tokens against."""

    id_type: str
    id_number: str
    phone: str
    birth_date: dt.date | None
    sex: str | None  # "M", "F" or None

    @property
    def is_resident_card(self) -> bool:
        return self.id_type == "resident_card" and len(self.id_number) == RESIDENT_CARD_LENGTH

    def blank_id_facts(self) -> IdFacts:
        if self.is_resident_card:
            return IdFacts.resident_card(self.id_number[:6])
        return IdFacts(length=len(self.id_number))

    def blank_phone_facts(self) -> PhoneFacts:
        return PhoneFacts(len(self.phone))


@dataclass(frozen=True)
class Facts:
    id: IdFacts
    phone: PhoneFacts

    def merge(self, other: Facts) -> Facts:
        return Facts(self.id.merge(other.id), self.phone.merge(other.phone))


_EDGE_BEFORE = r"(?<![0-9A-Za-z])"
_EDGE_AFTER = r"(?![0-9A-Za-z])"
_MASKED = re.compile(
    _EDGE_BEFORE + r"[0-9A-Za-z" + MASK_CHARS + r"]*[" + MASK_CHARS + r"][0-9A-Za-z"
    r"" + MASK_CHARS + r"]*" + _EDGE_AFTER
)
_FOUR = re.compile(_EDGE_BEFORE + r"\d{3}[\dXx]" + _EDGE_AFTER)
_SUFFIX_MARKED = re.compile(
    r"(?:尾号|后四位|末四位|后[2-4两三]位|末[2-4两三]位|last\s*[2-4]|ending(?:\s+in)?)\s*[:：]?\s*"
    r"([0-9]{1,3}[0-9Xx])" + _EDGE_AFTER,
    re.IGNORECASE,
)
_AGE_AFTER = re.compile(
    _EDGE_BEFORE + r"(\d{1,3})\s*(?:岁|周岁|years?\b|yrs?\b|y/o)", re.IGNORECASE
)
_AGE_BEFORE = re.compile(
    r"(?:年龄|周岁|\bage|\baged)\s*[\"']?\s*[:：=]?\s*[\"']?\s*(\d{1,3})" + _EDGE_AFTER,
    re.IGNORECASE,
)
_YEAR = re.compile(_EDGE_BEFORE + r"(\d{4})" + r"(?![0-9A-Za-z])")
_YMD = re.compile(
    _EDGE_BEFORE + r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})(?:\s*日)?" + _EDGE_AFTER
)
_YMD_PACKED = re.compile(_EDGE_BEFORE + r"(\d{4})(\d{2})(\d{2})" + _EDGE_AFTER)
_YM = re.compile(_EDGE_BEFORE + r"(\d{4})\s*[-/.年]\s*(\d{1,2})(?:\s*月)?" + r"(?![0-9])")
_YM_PACKED = re.compile(_EDGE_BEFORE + r"(\d{4})(\d{2})" + _EDGE_AFTER)
_MDY = re.compile(_EDGE_BEFORE + _MONTH_NAME + r"\s+(\d{1,2}),?\s+(\d{4})" + _EDGE_AFTER, re.I)
_DMY = re.compile(
    _EDGE_BEFORE + r"(\d{1,2})\s+" + _MONTH_NAME + r",?\s+(\d{4})" + _EDGE_AFTER, re.I
)
_MY = re.compile(_EDGE_BEFORE + _MONTH_NAME + r",?\s+(\d{4})" + _EDGE_AFTER, re.I)
_SEX_WORDS = {"M": ("男", "male"), "F": ("女", "female")}
_SEX_LETTER = re.compile(_EDGE_BEFORE + r"([MF])" + _EDGE_AFTER)


def _date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _month(name: str) -> int:
    return _MONTHS.get(name.lower().rstrip("."), 0)


def _pins_from_masks(text: str, truth: str) -> dict[int, str]:
    """Positions of `truth` that masked tokens of the text show (tokens that agree)."""
    pins: dict[int, str] = {}
    length = len(truth)
    upper = truth.upper()
    for match in _MASKED.finditer(text):
        token = match.group(0).upper()
        if len(token) == length:
            seen = {i: c for i, c in enumerate(token) if c not in MASK_CHARS}
            if all(upper[i] == c for i, c in seen.items()):
                pins.update(seen)
            continue
        head = re.match(r"[0-9A-Z]*", token)
        tail = re.search(r"[0-9A-Z]*$", token)
        prefix = head.group(0) if head else ""
        suffix = tail.group(0) if tail else ""
        # Two characters agree by chance too often (a phone's mask ending like the ID).
        if len(prefix) >= _SHORTEST_RUN and len(prefix) < length and upper.startswith(prefix):
            pins.update(enumerate(prefix))
        if len(suffix) >= _SHORTEST_RUN and len(suffix) < length and upper.endswith(suffix):
            pins.update({length - len(suffix) + i: c for i, c in enumerate(suffix)})
    return pins


def _pins_from_suffixes(text: str, truth: str) -> dict[int, str]:
    length = len(truth)
    upper = truth.upper()
    pins: dict[int, str] = {}
    tokens = [m.group(0).upper() for m in _FOUR.finditer(text)]
    tokens += [m.group(1).upper() for m in _SUFFIX_MARKED.finditer(text)]
    for token in tokens:
        if len(token) < length and upper.endswith(token):
            pins.update({length - len(token) + i: c for i, c in enumerate(token)})
    return pins


def _contains(text: str, value: str) -> bool:
    if not value:
        return False
    value = value.upper()
    upper = text.upper()
    return value in upper or value in re.sub(r"[\s\-]", "", upper)


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def age_windows(age: int, truth_birth: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The birth-date windows of the readings of an age that fit the truth (full years on
    today's date, difference of the years)."""
    windows = []
    full = (
        today.year
        - truth_birth.year
        - ((today.month, today.day) < (truth_birth.month, truth_birth.day))
    )
    if age == full:
        latest = _years_before(today, age)
        earliest = _years_before(today, age + 1) + dt.timedelta(days=1)
        windows.append((earliest, latest))
    if age == today.year - truth_birth.year:
        year = truth_birth.year
        windows.append((dt.date(year, 1, 1), dt.date(year, 12, 31)))
    return windows


def _birth_facts(text: str, birth: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    windows: list[tuple[dt.date, dt.date]] = []
    exact = (birth, birth)
    month_last = calendar.monthrange(birth.year, birth.month)[1]
    month = (birth.replace(day=1), birth.replace(day=month_last))
    year = (dt.date(birth.year, 1, 1), dt.date(birth.year, 12, 31))
    for m in _YMD.finditer(text):
        if _date(*m.groups()) == birth:
            windows.append(exact)
    for m in _YMD_PACKED.finditer(text):
        if _date(*m.groups()) == birth:
            windows.append(exact)
    for m in _MDY.finditer(text):
        if _date(m.group(3), str(_month(m.group(1))), m.group(2)) == birth:
            windows.append(exact)
    for m in _DMY.finditer(text):
        if _date(m.group(3), str(_month(m.group(2))), m.group(1)) == birth:
            windows.append(exact)
    for pattern in (_YM, _YM_PACKED):
        for m in pattern.finditer(text):
            if (int(m.group(1)), int(m.group(2))) == (birth.year, birth.month):
                windows.append(month)
    for m in _MY.finditer(text):
        if (int(m.group(2)), _month(m.group(1))) == (birth.year, birth.month):
            windows.append(month)
    if any(int(m.group(1)) == birth.year for m in _YEAR.finditer(text)):
        windows.append(year)
    ages = {int(m.group(1)) for m in (*_AGE_AFTER.finditer(text), *_AGE_BEFORE.finditer(text))}
    for age in ages:
        readings = age_windows(age, birth, today)
        if readings:
            windows.append((min(w[0] for w in readings), max(w[1] for w in readings)))
    return windows


def _sex_fact(text: str, sex: str | None) -> str | None:
    if sex not in _SEX_WORDS:
        return None
    lowered = text.lower()
    chinese, english = _SEX_WORDS[sex]
    if chinese in text or re.search(_EDGE_BEFORE + english + _EDGE_AFTER, lowered):
        return sex
    if any(m.group(1) == sex for m in _SEX_LETTER.finditer(text)):
        return sex
    return None


_MASK_RUN = re.compile("[" + MASK_CHARS + "]+")


def _pins_from_mask_runs(text: str, truth: str) -> dict[int, str]:
    """Each run of mask characters, aligned every way it fits in the truth: the visible
    characters around it that agree with the truth at that alignment are pinned."""
    pins: dict[int, str] = {}
    upper, length = truth.upper(), len(truth)
    for run in _MASK_RUN.finditer(text.upper()):
        size = run.end() - run.start()
        for offset in range(0, length - size + 1):
            begin = run.start() - offset
            window = text.upper()[max(begin, 0) : begin + length]
            if begin < 0 or len(window) < length:
                continue
            seen = {i: c for i, c in enumerate(window) if c not in MASK_CHARS}
            if seen and all(upper[i] == c for i, c in seen.items()):
                pins.update(seen)
    return pins


def _raw_birth_facts(text: str, birth: dt.date, today: dt.date) -> list[tuple[dt.date, dt.date]]:
    forms = {
        (birth, birth): (
            f"{birth:%Y-%m-%d}",
            f"{birth:%Y%m%d}",
            f"{birth.year}/{birth.month}/{birth.day}",
            f"{birth.year}年{birth.month}月{birth.day}日",
        ),
        (birth.replace(day=1), _month_end(birth)): (
            f"{birth:%Y-%m}",
            f"{birth.year}年{birth.month}月",
        ),
        (dt.date(birth.year, 1, 1), dt.date(birth.year, 12, 31)): (str(birth.year),),
    }
    return [window for window, texts in forms.items() if any(form in text for form in texts)]


def _raw_sex_fact(text: str, sex: str | None) -> str | None:
    words = _SEX_WORDS.get(sex or "", ())
    return sex if sex and (sex in text or any(w in text.lower() for w in words)) else None


@dataclass(frozen=True)
class _Reading:
    """How a kind of text is read: pins of a value, birth windows, the sex."""

    pins: Callable[[str, str], dict[int, str]]
    births: Callable[[str, dt.date, dt.date], list[tuple[dt.date, dt.date]]]
    sex: Callable[[str, str | None], str | None]


def _pins_from_tokens(text: str, truth: str) -> dict[int, str]:
    return {**_pins_from_masks(text, truth), **_pins_from_suffixes(text, truth)}


_TEXT = _Reading(_pins_from_tokens, _birth_facts, _sex_fact)
_RAW = _Reading(_pins_from_mask_runs, _raw_birth_facts, _raw_sex_fact)


def _facts(text: str, truth: Truth, today: dt.date, reading: _Reading) -> Facts:
    id_facts = truth.blank_id_facts()
    phone_facts = truth.blank_phone_facts()
    if truth.id_number:
        id_facts = replace(id_facts, known=_contains(text, truth.id_number))
        id_facts = id_facts.with_pins(reading.pins(text, truth.id_number))
        if truth.is_resident_card:
            if truth.birth_date is not None:
                for earliest, latest in reading.births(text, truth.birth_date, today):
                    id_facts = id_facts.born_between(earliest, latest)
            sex = reading.sex(text, truth.sex)
            if sex:
                id_facts = id_facts.merge(replace(id_facts, sex=sex, pinned={}))
    if truth.phone:
        pins = reading.pins(text, truth.phone)
        phone_facts = PhoneFacts(len(truth.phone), pins, _contains(text, truth.phone))
    return Facts(id_facts, phone_facts)


def facts_from_text(text: str, truth: Truth, today: dt.date) -> Facts:
    """Everything the text gives away about the truth's number and phone (worst case)."""
    return _facts(text, truth, today, _TEXT)


def facts_from_raw(text: str, truth: Truth, today: dt.date) -> Facts:
    """What raw bytes (decoded) give away, read without token bounds (see the docstring)."""
    return _facts(text, truth, today, _RAW)


def _month_end(day: dt.date) -> dt.date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def count_id(facts: IdFacts, truth: Truth, today: dt.date) -> int | None:
    """Candidates for the truth's document number given the facts; None without one."""
    if not truth.id_number:
        return None
    if truth.is_resident_card:
        return count_id_candidates(facts, today)
    return count_document_candidates(facts, truth.id_number)
