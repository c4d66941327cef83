import datetime as dt
import re
import sys
import unicodedata

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from wangge.lib import idnumbers, phones
from wangge.lib.idnumbers import IdNumberError, IdType


def test_full_width_lower_x_and_spaces_are_normalised():
    raw = " ６２０１０３ １９８００５１７００１ｘ "
    body = "62010319800517001"
    expected = body + ric.calc_check_digit(body + "0")
    if expected.endswith("X"):
        assert idnumbers.validate(IdType.RESIDENT_CARD, raw) == expected
    else:
        with pytest.raises(IdNumberError):
            idnumbers.validate(IdType.RESIDENT_CARD, raw)


def test_valid_number_gives_birth_date_and_sex():
    number = idnumbers.make_resident_card_number("620103", dt.date(1990, 2, 3), 12, "F")
    assert idnumbers.validate(IdType.RESIDENT_CARD, number.lower()) == number
    facts = idnumbers.resident_card_facts(number)
    assert facts.birth_date == dt.date(1990, 2, 3)
    assert facts.sex == "F"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("6.20103E+17", "excel_number"),
        ("620103800517001", "old_format"),
        ("62010319801317001X", "birth_date"),
        ("", "missing"),
        ("6201031980051700", "length"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(IdNumberError) as info:
        idnumbers.validate(IdType.RESIDENT_CARD, value)
    assert info.value.code == code


def test_number_excel_rounded_to_zeros_is_refused_with_a_hint():
    good = idnumbers.make_resident_card_number("620103", dt.date(1980, 5, 17), 123, "M")
    rounded = good[:15] + "000"
    if ric.calc_check_digit(rounded) == "0":
        rounded = good[:14] + "0000"
    with pytest.raises(IdNumberError) as info:
        idnumbers.validate(IdType.RESIDENT_CARD, rounded)
    assert info.value.code in {"checksum_zeros", "birth_date"}


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31)),
    st.integers(0, 999),
    st.sampled_from(["M", "F"]),
)
def test_generated_numbers_always_validate_and_round_trip(birth, sequence, sex):
    number = idnumbers.make_resident_card_number("620981", birth, sequence, sex)
    assert idnumbers.validate(IdType.RESIDENT_CARD, number) == number
    facts = idnumbers.resident_card_facts(number)
    assert (facts.birth_date, facts.sex) == (birth, sex)


@given(st.text(max_size=40))
def test_validate_never_fails_other_than_with_a_reason(text):
    for id_type in IdType:
        try:
            result = idnumbers.validate(id_type, text)
        except IdNumberError as exc:
            assert str(exc)
        else:
            assert result == idnumbers.normalise(result)


@given(st.text(max_size=30))
def test_phone_validation_only_returns_digits_or_raises(text):
    try:
        number = phones.validate(text)
    except phones.PhoneError:
        return
    assert number == "" or number.isdigit()


def test_masks():
    assert idnumbers.mask(IdType.RESIDENT_CARD, "62010319800517123X") == "620103************"
    assert idnumbers.mask(IdType.PASSPORT, "E12345678") == "E1*****78"
    assert phones.mask("13900000000") == "139****0000"
    assert phones.mask("09318123456") == "093******56"
    assert phones.validate("+86 139-0000-0000") == "13900000000"
    assert phones.validate("0931-8123456") == "09318123456"


def _digit_spellings() -> dict[int, list[str]]:
    """Every character Unicode counts as a digit and that reads as one digit, by value."""
    spellings: dict[int, list[str]] = {value: [] for value in range(10)}
    for point in range(sys.maxunicode + 1):
        char = chr(point)
        if char.isdigit() and not char.isascii():
            value = unicodedata.digit(char)
            # Not "⑴" (NFKC: "(1)") nor "⒈" ("1."): one character standing for one digit.
            compatible = unicodedata.normalize("NFKC", char)
            if len(compatible) == 1 and unicodedata.digit(compatible, None) == value:
                spellings[value].append(char)
    return spellings


SPELLINGS = _digit_spellings()


def test_nfkc_alone_leaves_arabic_indic_and_devanagari_digits_unfolded():
    # Why the fold exists: these pass str.isdigit() and int() but are not ASCII.
    for text in ("٠١٢٣", "०१२३"):
        assert unicodedata.normalize("NFKC", text) == text
        assert idnumbers.normalise_text(text) == "0123"


@pytest.mark.parametrize(
    "digits", ["٦٢٠١٠٣", "６２０１０３", "६२०१०३", "𝟔𝟐𝟎𝟏𝟎𝟑", "⑥②⓪①⓪③", "⁶²⁰¹⁰³"]
)
def test_digits_of_every_script_fold_to_one_canonical_number(digits):
    number = idnumbers.make_resident_card_number("620103", dt.date(1980, 5, 17), 123, "M")
    assert idnumbers.validate(IdType.RESIDENT_CARD, digits + number[6:]) == number


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2020, 12, 31)),
    st.integers(0, 999),
    st.data(),
)
def test_any_spelling_of_a_number_validates_to_its_ascii_form(birth, sequence, data):
    number = idnumbers.make_resident_card_number("620981", birth, sequence, "F")
    spelled = "".join(
        data.draw(st.sampled_from([char, *SPELLINGS[int(char)]])) if char.isdigit() else char
        for char in number
    )
    assert idnumbers.validate(IdType.RESIDENT_CARD, spelled) == number


@given(st.text(max_size=40))
def test_a_valid_number_is_always_ascii(text):
    for id_type in IdType:
        try:
            result = idnumbers.validate(id_type, text)
        except IdNumberError:
            continue
        assert result.isascii()


@given(st.text(alphabet=st.sampled_from("0123456789٠١٢٣٤٥٦٧٨٩०१२३४५६७८९０１２３ -+")))
def test_a_valid_phone_is_always_ascii_digits(text):
    try:
        number = phones.validate(text)
    except phones.PhoneError:
        return
    assert number == "" or (number.isascii() and number.isdigit())


def test_a_phone_in_arabic_indic_digits_is_the_same_phone():
    assert phones.validate("١٣٩ ٠٠٠٠ ٠٠٠٠") == "13900000000"
    assert phones.validate("+８６ 139-0000-0000") == "13900000000"


def test_reasons_are_whole_translated_sentences():
    with translation.override("zh-hans"):
        with pytest.raises(IdNumberError) as info:
            idnumbers.validate(IdType.RESIDENT_CARD, "620103")
        assert str(info.value) == "居民身份证号码应为18位。"
        with pytest.raises(phones.PhoneError) as phone_info:
            phones.validate("12")
        assert not re.search("[A-Za-z]", str(phone_info.value))
    with translation.override("en"):
        assert str(info.value) == "A resident ID number has 18 characters."


@given(
    st.sampled_from(["620103", "620981", "110101"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31)),
    st.integers(0, 999),
    st.sampled_from(["M", "F"]),
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2024, 12, 31)),
    st.integers(0, 999),
    st.sampled_from(["M", "F"]),
)
def test_a_resident_card_mask_shows_the_region_and_nothing_else(
    region, birth, sequence, sex, other_birth, other_sequence, other_sex
):
    # Two numbers of one region share their mask, whatever their birth date, sequence
    # and check character: the mask reveals none of them.
    number = idnumbers.make_resident_card_number(region, birth, sequence, sex)
    other = idnumbers.make_resident_card_number(region, other_birth, other_sequence, other_sex)
    masked = idnumbers.mask(IdType.RESIDENT_CARD, number)
    assert masked == idnumbers.mask(IdType.RESIDENT_CARD, other) == region + "*" * 12


@given(
    st.sampled_from([IdType.PASSPORT, IdType.HK_MACAU_PERMIT, IdType.TAIWAN_PERMIT]),
    st.from_regex(r"\A[A-Z0-9]{5,17}\Z"),
)
def test_other_documents_hide_at_least_four_characters(id_type, number):
    # Four hidden characters are 10,000 candidates even when every one is a digit.
    masked = idnumbers.mask(id_type, number)
    assert len(masked) == len(number) and masked.count("*") >= 4
    visible = len(number) - masked.count("*")
    assert (
        masked
        == number[: visible // 2] + "*" * masked.count("*") + number[len(number) - visible // 2 :]
    )


@given(st.from_regex(r"\A(1[3-9][0-9]{9}|0[0-9]{2,3}[0-9]{7,8})\Z"))
def test_a_phone_mask_leaves_at_least_four_unknown_digits(number):
    assert phones.validate(number) == number
    masked = phones.mask(number)
    # The attacker knows the area code (010 and 02x have three digits, the others four).
    known = 0 if number.startswith("1") else 3 if number[1] in "12" else 4
    assert masked[known:].count("*") >= 4
    assert all(m in ("*", n) for m, n in zip(masked, number, strict=True))


def test_a_birth_year_is_kept_from_the_twentieth_day_of_the_year_it_is_written_in():
    born = dt.date(2026, 1, 3)
    assert idnumbers.disclosable_birth_year(born, dt.date(2026, 1, 19)) is None
    assert idnumbers.disclosable_birth_year(born, dt.date(2026, 1, 20)) == 2026
    assert idnumbers.disclosable_birth_year(dt.date(2025, 12, 31), dt.date(2026, 1, 1)) == 2025
    assert idnumbers.disclosable_birth_year(dt.date(2027, 1, 1), dt.date(2026, 6, 1)) is None
    assert idnumbers.disclosable_birth_year(None, dt.date(2026, 6, 1)) is None


@given(
    st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 12, 31)),
    st.integers(0, 800),
)
def test_a_kept_birth_year_leaves_ten_thousand_numbers_beside_the_sex(born, days_after):
    written_on = born + dt.timedelta(days=days_after)
    year = idnumbers.disclosable_birth_year(born, written_on)
    if year is None:
        return
    # Every date of that year up to the day the record was written remains possible.
    last = min(dt.date(year, 12, 31), written_on)
    dates = (last - dt.date(year, 1, 1)).days + 1
    assert dates * idnumbers.SEQUENCES_PER_SEX >= idnumbers.MIN_CANDIDATES


@given(st.text(alphabet="0123456789", min_size=17, max_size=17))
def test_the_check_digit_is_stdnums(body):
    from stdnum.cn import ric

    from wangge.lib.idnumbers import _check_digit

    assert _check_digit(body + "0") == ric.calc_check_digit(body + "0")


@given(st.text(max_size=12))
def test_folding_digits_leaves_no_digit_of_another_script(text):
    folded = idnumbers.fold_digits(text)
    assert not any(c.isdigit() and not c.isascii() for c in folded)
    assert len(folded) == len(text)


@given(
    st.text(
        alphabet=st.one_of(
            st.characters(categories=["Nd", "No"]), st.characters(), st.sampled_from("张三丰1")
        ),
        max_size=20,
    )
)
def test_folding_digits_replaces_each_digit_by_its_value_and_nothing_else(text):
    expected = "".join(
        str(unicodedata.digit(c)) if c.isdigit() and not c.isascii() else c for c in text
    )
    assert idnumbers.fold_digits(text) == expected


def _outcome(value: str) -> str:
    try:
        return idnumbers.validate(IdType.RESIDENT_CARD, value)
    except IdNumberError as exc:
        return f"error:{exc.code}"


@given(
    st.one_of(
        st.from_regex(r"\A\d{17}[\dX]\Z"),
        st.builds(
            idnumbers.make_resident_card_number,
            st.sampled_from(["620103", "110101", "440305"]),
            st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31)),
            st.integers(0, 999),
            st.sampled_from("MF"),
        ),
    )
)
def test_a_canonical_number_is_judged_as_the_same_number_typed_with_spaces(number):
    """A number already canonical skips normalising: its verdict is the one the full path
    (leading and trailing spaces force it) gives."""
    assert _outcome(number) == _outcome(f" {number} ")


def test_the_checks_read_todays_date():
    before = dt.date.today()  # noqa: DTZ011 - a calendar date
    today = idnumbers._today()
    assert today in {before, dt.date.today()}  # noqa: DTZ011 - (unless midnight passed)
