import pytest
from hypothesis import given
from hypothesis import strategies as st

from wangge.lib import plates
from wangge.lib.plates import PlateError

LETTERS = "ABCDEFGHJKLMNPQRSTUVWXYZ"
DIGITS = "0123456789"


@pytest.mark.parametrize(
    "plate",
    [
        "京A12345",
        "沪B9X3K1",
        "粤BD12345",  # small new-energy, electric
        "京AFA1234",  # small new-energy, hybrid, a letter second
        "苏E12345D",  # large new-energy
        "川A1234警",
        "浙B1234学",
        "鲁C1234挂",
        "沪A1234领",
        "粤Z1234港",
        "粤ZA123澳",
        "使014001",
        "224001使",
    ],
)
def test_formats_in_use_are_accepted(plate):
    assert plates.validate(plate) == plate


@pytest.mark.parametrize(
    "raw",
    [
        "京I12345",  # I is never a letter of a plate
        "京A1234O",  # nor O
        "京A1234",  # too short
        "京A123456",  # seven after the head: not new-energy (no D/F)
        "京AX12345",  # new-energy needs D or F
        "苏E12345X",  # large new-energy ends in D or F
        "港A12345",  # not a province
        "AA12345",
        "京112345",  # the office is a letter
        "京A12345警",  # police plates have four before the suffix
        "京Z1234港",  # cross-border plates are Guangdong's
        "使01400",
        "京A12345" * 2,
    ],
)
def test_other_shapes_are_refused(raw):
    with pytest.raises(PlateError):
        plates.validate(raw)


def test_full_width_lower_case_spaces_and_dots_are_normalised():
    assert plates.validate(" 京ａ·１２３ ４５ ") == "京A12345"
    assert plates.validate("粤b-d12345") == "粤BD12345"


def test_empty_is_no_plate():
    assert plates.validate("  ") == ""


def test_error_reads_in_the_users_language():
    from django.utils import translation

    with translation.override("zh-hans"):
        message = str(PlateError())
    assert message
    assert "京A12345" in message


# --- properties ---------------------------------------------------------------------------

provinces = st.sampled_from(plates.PROVINCES)
letters = st.sampled_from(LETTERS)
alnum = st.sampled_from(LETTERS + DIGITS)
digits = st.sampled_from(DIGITS)


def _text(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map("".join)


ordinary = _text(provinces, letters, *[alnum] * 5)
small_new_energy = _text(provinces, letters, st.sampled_from("DF"), alnum, *[digits] * 4)
large_new_energy = _text(provinces, letters, *[digits] * 5, st.sampled_from("DF"))
suffixed = _text(provinces, letters, *[alnum] * 4, st.sampled_from("警学挂领"))
any_valid = st.one_of(ordinary, small_new_energy, large_new_energy, suffixed)


@given(any_valid)
def test_every_generated_plate_is_valid_and_stable(plate):
    assert plates.validate(plate) == plate
    assert plates.validate(plates.validate(plate)) == plate


@given(any_valid, st.sampled_from([" ", "·", "-", "  "]), st.data())
def test_typing_variants_normalise_to_the_same_plate(plate, separator, data):
    cut = data.draw(st.integers(min_value=1, max_value=len(plate) - 1))
    lowered = plate[:cut] + separator + plate[cut:].lower()
    full_width = "".join(chr(ord(c) + 0xFEE0) if c.isascii() else c for c in plate)
    assert plates.validate(lowered) == plate
    assert plates.validate(full_width) == plate


@given(st.text(max_size=12))
def test_anything_is_either_a_valid_plate_or_refused(raw):
    try:
        plate = plates.validate(raw)
    except PlateError:
        return
    assert plate == "" or plates.is_valid(plate)
    assert len(plate) <= plates.MAX_LENGTH
    assert "I" not in plate
    assert "O" not in plate
