import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wangge.lib.idnumbers import IdType, make_resident_card_number
from wangge.residents import vocabulary
from wangge.residents.actions import ResidentData, household_key
from wangge.residents.choices import ResidentStatus, Tag
from wangge.residents.errors import MESSAGES, RegistryError, render

births = st.dates(min_value=dt.date(1920, 1, 1), max_value=dt.date(2020, 12, 31))


def wide(text):
    """Full-width digits and letters, as Chinese input methods type them."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


@given(
    birth=births,
    sequence=st.integers(0, 999),
    sex=st.sampled_from("MF"),
    style=st.sampled_from(["plain", "lower", "spaced", "wide", "padded"]),
)
def test_any_valid_number_however_typed_gives_its_facts(birth, sequence, sex, style):
    number = make_resident_card_number("620103", birth, sequence, sex)
    typed = {
        "plain": number,
        "lower": number.lower(),
        "spaced": f"{number[:6]} {number[6:14]} {number[14:]}",
        "wide": wide(number),
        "padded": f"  {number}\u3000",
    }[style]
    data = ResidentData.clean(name="张三", id_number=typed)
    assert data.id_number == number
    assert (data.sex, data.birth_date) == (sex, birth)
    assert data.id_type == IdType.RESIDENT_CARD


@given(birth=births, sequence=st.integers(0, 999), sex=st.sampled_from("MF"))
def test_a_sheet_sex_or_birth_date_against_the_number_is_refused(birth, sequence, sex):
    number = make_resident_card_number("620103", birth, sequence, sex)
    other = "女" if sex == "M" else "男"
    with pytest.raises(RegistryError) as wrong_sex:
        ResidentData.clean(name="张三", id_number=number, sex=other)
    assert (wrong_sex.value.code, wrong_sex.value.field) == ("sex_mismatch", "sex")
    with pytest.raises(RegistryError) as wrong_birth:
        ResidentData.clean(name="张三", id_number=number, birth_date=birth + dt.timedelta(days=1))
    assert wrong_birth.value.code == "birth_date_mismatch"


@given(st.one_of(st.integers(), st.floats(allow_nan=False)))
def test_a_number_cell_is_never_taken_for_an_id(value):
    with pytest.raises(RegistryError) as refused:
        ResidentData.clean(name="张三", id_number=value)
    assert refused.value.code == "id_excel_number"


@given(st.text(max_size=30))
def test_any_text_is_either_a_valid_id_or_a_reason(text):
    try:
        data = ResidentData.clean(name="张三", id_type="身份证", id_number=text)
    except RegistryError as exc:
        assert exc.code in MESSAGES
        assert exc.field == "id_number"
    else:
        assert len(data.id_number) == 18


@given(
    words=st.lists(st.sampled_from(vocabulary.TAG_WORDS), max_size=4),
    separator=st.sampled_from(["、", ",", "，", " ", "/", ""]),
)
def test_category_words_become_tags(words, separator):
    text = separator.join(word for word, _tag in words)
    expected = 0
    for _word, tag in words:
        expected |= tag
    assert vocabulary.tags_from_text(text) == expected


def test_age_categories_are_not_stored():
    assert vocabulary.tags_from_text("80岁以上、婴幼儿、独居老人") == 0
    assert vocabulary.tags_from_text("残疾、行动不便") == Tag.DISABLED | Tag.LIMITED_MOBILITY


@pytest.mark.parametrize(
    ("word", "status"),
    [
        ("在住", ResidentStatus.PRESENT),
        ("", ResidentStatus.PRESENT),
        ("外出务工", ResidentStatus.AWAY),
        ("住院", ResidentStatus.HOSPITALISED),
        ("已迁出", ResidentStatus.MOVED_OUT),
        ("死亡", ResidentStatus.DECEASED),
        ("deceased", ResidentStatus.DECEASED),
    ],
)
def test_status_words(word, status):
    assert (
        ResidentData.clean(name="甲", id_type="无", birth_date="2020-01-01", status=word).status
        == status
    )


@pytest.mark.parametrize(
    ("raw", "code", "field"),
    [
        ({"status": "失踪"}, "status_unknown", "status"),
        ({"sex": "X"}, "sex_unknown", "sex"),
        ({"id_type": "军官证"}, "id_type_unknown", "id_type"),
        ({"birth_date": "去年"}, "birth_date_invalid", "birth_date"),
        ({"phone": "123"}, "phone_invalid", "phone"),
        ({"name": "甲" * 61}, "name_too_long", "name"),
    ],
)
def test_unknown_words_are_refused_with_the_field(raw, code, field):
    values = {"name": "甲", "id_type": "无", "birth_date": "2020-01-01", **raw}
    with pytest.raises(RegistryError) as refused:
        ResidentData.clean(**values)
    assert (refused.value.code, refused.value.field) == (code, field)


def test_no_number_needs_a_document_type_or_a_birth_date():
    with pytest.raises(RegistryError) as refused:
        ResidentData.clean(name="甲")
    assert refused.value.code == "id_missing"
    baby = ResidentData.clean(name="甲", birth_date=dt.date(2024, 1, 1))
    assert (baby.id_type, baby.id_number) == (IdType.NONE, "")
    with pytest.raises(RegistryError):
        ResidentData.clean(name="甲", id_type="无", id_number="123456")


def test_document_words():
    assert (
        ResidentData.clean(name="甲", id_type="护照", id_number="e1234567").id_number == "E1234567"
    )
    assert (
        ResidentData.clean(name="甲", id_type="港澳通行证", id_number="H12345678").id_type
        == IdType.HK_MACAU_PERMIT
    )


def test_household_addresses_are_normalised():
    assert household_key("1号楼", "2单元", "301室") == ("1", "2", "301")
    assert household_key("１栋", " 2 ", "301") == ("1", "2", "301")
    assert household_key("", "", "", "张家庄12号") == ("", "", "张家庄12号")


def test_every_reason_renders_in_both_languages():
    from django.utils import translation

    for language in ("en", "zh-hans"):
        with translation.override(language):
            for code in MESSAGES:
                assert render(code, REASON_PARAMS)


# Every parameter some reason takes.
REASON_PARAMS = {
    "row": 3,
    "first": "状态",
    "first_word": "在家",
    "second": "备注",
    "second_word": "已故",
    "grid": "一组",
    "read": "1组",
    "limit": 10,
    "part": "xl/worksheets/sheet1.xml",
    "ratio": 500,
}


@pytest.mark.parametrize("tags", ["bedridden", -1, 1 << 10, 1.5, True])
def test_tags_that_are_not_flags_are_refused(tags):
    with pytest.raises(RegistryError) as refused:
        ResidentData.clean(name="甲", id_type="无", tags=tags)
    assert (refused.value.code, refused.value.field) == ("tags_invalid", "tags")


@given(
    field=st.sampled_from(["name", "ethnicity", "relation", "note"]),
    char=st.sampled_from("\x00\x01\x08\x1b\x7f\x85"),
)
def test_control_characters_are_refused_and_line_breaks_become_spaces(field, char):
    raw = {"name": "王五", "id_type": "无", field: f"王{char}五"}
    with pytest.raises(RegistryError) as refused:
        ResidentData.clean(**raw)
    assert refused.value.field == field
    broken = ResidentData.clean(**{**raw, field: "长期卧床\r\n需上门"})
    assert (
        getattr(broken, field)
        == "长期卧床 需上门"[: {"ethnicity": 20, "relation": 20}.get(field, 200)]
    )
