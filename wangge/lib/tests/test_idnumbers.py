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
    assert idnumbers.mask(IdType.RESIDENT_CARD, "62010319800517123X") == "6201**********123X"
    assert phones.mask("13900000000") == "139****0000"
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
