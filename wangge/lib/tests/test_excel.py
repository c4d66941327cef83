import datetime as dt
import enum
import gc
import io
import tempfile
import tracemalloc

from django.utils.translation import gettext_lazy as _
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from wangge.lib.excel import (
    FORMULA_TRIGGERS,
    Column,
    WorkbookBuilder,
    safe_cell,
    sheet_title,
    workbook_bytes,
)


def read_back(data):
    return load_workbook(io.BytesIO(data)).worksheets[0]


def test_formula_text_is_defused():
    for text in ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1", '=HYPERLINK("http://x","y")']:
        assert safe_cell(text) == "'" + text


def test_plain_values_pass_unchanged():
    assert safe_cell("张三") == "张三"
    assert safe_cell(5) == 5
    assert safe_cell(-5) == -5  # a number is never a formula
    assert safe_cell(1.5) == 1.5
    assert safe_cell(None) is None
    assert safe_cell(dt.date(2022, 3, 20)) == dt.date(2022, 3, 20)


def test_other_values_are_written_as_text():
    class Colour(enum.Enum):
        RED = "=red"

    assert safe_cell(_("Name")) == str(_("Name"))
    assert safe_cell(Colour.RED) == "'=red"
    aware = dt.datetime(2022, 3, 20, 8, 30, tzinfo=dt.UTC)
    assert safe_cell(aware) == dt.datetime(2022, 3, 20, 8, 30)


def test_control_characters_are_dropped():
    assert safe_cell("a\x00b\x1fc") == "abc"


def test_workbook_has_bold_header_widths_and_preamble():
    data = workbook_bytes(
        "Residents: 一号[小区]",
        [Column("姓名", 12), Column("电话", None), "备注"],
        [["张三", "139****1234", "=cmd|' /C calc'!A0"]],
        preamble=[["一号小区户口底册"]],
    )
    sheet = read_back(data)
    assert sheet.title == "Residents  一号 小区"
    assert sheet["A1"].value == "一号小区户口底册"
    assert [cell.value for cell in sheet[2]] == ["姓名", "电话", "备注"]
    assert sheet["A2"].font.b
    # Excel shows 12 characters; XlsxWriter stores them with the cell's padding (12.71).
    assert 12 < sheet.column_dimensions["A"].width < 13
    assert sheet.freeze_panes == "A3"
    assert sheet["C3"].value == "'=cmd|' /C calc'!A0"
    assert sheet["C3"].data_type == "s"


def test_a_builder_with_several_sheets():
    book = WorkbookBuilder()
    first = book.add_sheet("A", ["x"])
    first.append([1])
    second = book.add_sheet("B", ["y"], freeze_header=False)
    second.append(["=2"])
    assert first.rows_written == 1
    sheets = load_workbook(io.BytesIO(book.to_bytes())).worksheets
    assert [sheet.title for sheet in sheets] == ["A", "B"]
    assert sheets[1]["A2"].value == "'=2"


def test_sheet_titles_are_valid():
    assert sheet_title("a/b:c" * 10) == ("a b c" * 10)[:31]
    assert sheet_title("") == "Sheet"


@given(st.text(max_size=40))
def test_no_text_ever_becomes_a_formula(text):
    value = safe_cell(text)
    assert isinstance(value, str)
    assert not value.startswith(FORMULA_TRIGGERS)
    cleaned = "".join(
        c for c in text if not ("\x00" <= c <= "\x08" or c in "\x0b\x0c" or "\x0e" <= c <= "\x1f")
    )
    assert value in (cleaned, "'" + cleaned)


@settings(deadline=None, max_examples=50)
@given(st.lists(st.text(max_size=15), min_size=1, max_size=5))
def test_written_cells_read_back_as_text_never_formulas(values):
    sheet = read_back(workbook_bytes("t", [f"c{i}" for i in range(len(values))], [values]))
    for cell in sheet[2]:
        assert cell.data_type != "f"
        assert not (isinstance(cell.value, str) and cell.value.startswith("="))


def test_dates_numbers_and_links_keep_their_kind():
    data = workbook_bytes(
        "x",
        ["a", "b", "c", "d", "e", "f"],
        [
            [
                dt.date(2022, 3, 20),
                dt.datetime(2022, 3, 20, 8, 30),
                1.5,
                True,
                "https://example.invalid/",
                "00123",
            ]
        ],
    )
    row = [cell.value for cell in read_back(data)[2]]
    assert row == [
        dt.datetime(2022, 3, 20),
        dt.datetime(2022, 3, 20, 8, 30),
        1.5,
        True,
        "https://example.invalid/",
        "00123",
    ]


def test_two_sheets_of_one_name_are_both_kept():
    book = WorkbookBuilder()
    book.add_sheet("一组", ["x"])
    book.add_sheet("一组", ["x"])
    sheets = load_workbook(io.BytesIO(book.to_bytes())).worksheets
    assert [sheet.title for sheet in sheets] == ["一组", "一组1"]


def test_the_finished_file_is_already_gone_from_disk(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    book = WorkbookBuilder()
    book.add_sheet("x", ["a"]).append(["张三"])
    assert list(tmp_path.glob("wangge-export-*"))
    with book.to_file() as handle:
        assert not list(tmp_path.glob("wangge-export-*"))
        assert load_workbook(handle).worksheets[0]["A2"].value == "张三"
    abandoned = WorkbookBuilder()
    abandoned.add_sheet("x", ["a"]).append(["李四"])
    del abandoned
    gc.collect()
    assert not list(tmp_path.glob("wangge-export-*"))


def _peak_while_writing(rows):
    tracemalloc.start()
    book = WorkbookBuilder()
    sheet = book.add_sheet("x", ["姓名", "证件号码", "电话", "住址"])
    for index in range(rows):
        sheet.append(["张三丰", "620103********1234", "139****5678", f"{index}号楼3单元502"])
    with book.to_file():
        pass
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak


def test_memory_does_not_grow_with_the_rows():
    # openpyxl's write-only workbook kept about 1 KB a row until it saved.
    small, large = _peak_while_writing(2_000), _peak_while_writing(20_000)
    assert large < small + 1024 * 1024
