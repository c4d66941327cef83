"""Reading a list: header and title rows, bad rows reported, GBK CSV, all or nothing."""

import datetime as dt

import pytest
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import id_number
from wangge.lib.idnumbers import IdType
from wangge.tracing import actions, importing
from wangge.tracing.errors import TracingError
from wangge.tracing.models import TracedList, TracedPerson
from wangge.tracing.tests.factories import SYSTEM, csv_gbk, xlsx


def _bad_checksum(number: str) -> str:
    return number[:17] + ("0" if number[17] != "0" else "1")


def test_a_sheet_with_title_rows_is_read_and_sealed_columns_are_emptied():
    number = id_number()
    data = xlsx([[1, "张三", number, "13900001234", "密接", "A栋"]])
    analysis = importing.analyse(data, "名单.xlsx")
    assert analysis.errors == []
    assert analysis.sheet_name == "协查名单"
    assert analysis.preamble[0][0] == "兰州市疫情防控指挥部协查名单"
    assert analysis.columns == list(importing_header())
    (person,) = analysis.people
    assert (person.name, person.id_number, person.phone, person.reason) == (
        "张三",
        number,
        "13900001234",
        "密接",
    )
    # The row is kept for the export without its ID number and phone.
    assert person.cells[2] is None and person.cells[3] is None
    assert person.cells[5] == "A栋"


def importing_header() -> tuple[str, ...]:
    from wangge.tracing.tests.factories import HEADER

    return HEADER


def test_bad_rows_are_reported_by_row_and_column():
    good = id_number()
    data = xlsx(
        [
            [1, "张三", good, "", "", ""],
            [2, "", id_number(), "", "", ""],
            [3, "李四", _bad_checksum(id_number()), "", "", ""],
            [4, "王五", 6.20103198005171e17, "", "", ""],
            [5, "赵六", "", "", "", ""],
            [6, "张三", good, "", "", ""],
            [7, "钱七", "", "12345", "", ""],
        ]
    )
    analysis = importing.analyse(data, "名单.xlsx")
    found = {(e.row, e.column, e.code) for e in analysis.errors}
    assert found == {
        (5, "姓名", "name_missing"),
        (6, "身份证号", "id_checksum"),
        (7, "身份证号", "id_excel_number"),
        (8, "身份证号", "no_identity"),
        (9, "身份证号", "duplicate"),
        (10, "联系电话", "phone_invalid"),
    }
    assert [p.row_number for p in analysis.people] == [4]
    duplicate = next(e for e in analysis.errors if e.code == "duplicate")
    assert duplicate.params == {"row": 4}
    assert "4" in TracingError(duplicate.code, **duplicate.params).message


def test_a_gbk_csv_is_read():
    number = id_number()
    analysis = importing.analyse(
        csv_gbk([[1, "张三", number, "13900001234", "次密接", ""]]), "x.csv"
    )
    assert analysis.errors == []
    assert analysis.people[0].name == "张三"
    assert analysis.people[0].reason == "次密接"


def test_a_file_without_a_header_is_refused_clearly():
    with pytest.raises(TracingError) as exc:
        importing.analyse(b"a,b\n1,2\n", "x.csv")
    assert exc.value.code == "file_no_header"
    with pytest.raises(TracingError) as exc:
        importing.analyse(b"", "x.csv")
    assert exc.value.code == "file_empty"


def test_a_deadline_column_sets_each_persons_deadline():
    header = ("姓名", "身份证号", "反馈时限")
    analysis = importing.analyse(xlsx([["张三", id_number(), "2026-03-02"]], header=header), "x")
    (person,) = analysis.people
    assert person.deadline is not None
    local = timezone.localtime(person.deadline)
    assert (local.date(), local.hour, local.minute) == (dt.date(2026, 3, 2), 23, 59)
    bad = importing.analyse(xlsx([["张三", id_number(), "明天"]], header=header), "x")
    assert [e.code for e in bad.errors] == ["deadline_invalid"]


@pytest.mark.django_db
def test_a_list_with_a_bad_row_is_refused_whole(tree):
    data = xlsx([[1, "张三", id_number(), "", "", ""], [2, "", id_number(), "", "", ""]])
    analysis = importing.analyse(data, "名单.xlsx")
    with pytest.raises(TracingError) as exc:
        actions.import_list(
            analysis,
            area=tree["community"],
            title="t",
            reason="",
            deadline=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
            acting_user=SYSTEM,
        )
    assert exc.value.code == "has_errors"
    assert not TracedList.objects.exists() and not TracedPerson.objects.exists()


@pytest.mark.django_db
def test_staged_upload_belongs_to_its_uploader(alice, bob):
    token, analysis = actions.stage_list(
        xlsx([[1, "张三", id_number(), "", "", ""]]), "x.xlsx", owner=alice, meta={"area": 1}
    )
    assert actions.staged_list(token, owner=alice)[0].people[0].name == "张三"
    with pytest.raises(TracingError):
        actions.staged_list(token, owner=bob)
    actions.discard_staged(token, owner=alice)
    with pytest.raises(TracingError):
        actions.staged_list(token, owner=alice)


@given(st.text(max_size=30))
def test_any_id_cell_is_either_refused_with_a_reason_or_canonical(text):
    try:
        id_type, number = importing.clean_id("", text)
    except TracingError as exc:
        assert exc.code.startswith("id_") and exc.message
    else:
        assert (id_type == IdType.NONE and number == "") or len(number) == 18


@given(st.one_of(st.text(max_size=20), st.integers(), st.floats(allow_nan=False), st.none()))
def test_any_deadline_cell_is_a_datetime_none_or_refused(cell):
    try:
        value = importing.clean_deadline(cell)
    except TracingError as exc:
        assert exc.code == "deadline_invalid"
    else:
        assert value is None or value.tzinfo is not None
