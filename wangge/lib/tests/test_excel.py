import datetime as dt
import enum
import io

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
    assert sheet.column_dimensions["A"].width == 12
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
