"""calamine and openpyxl read the same cells out of the same workbook.

The register import reads .xlsx with calamine (fast) and falls back to openpyxl (streaming)
for sheets too large for calamine's dense layout; the rest of the importer must not be
able to tell which one read the file.
"""

import datetime as dt
import io
import os
import subprocess
import sys

import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.utils import get_column_letter

from wangge.lib import spreadsheets
from wangge.lib.spreadsheets import (
    REGISTER_COLUMNS,
    HeaderMatcher,
    Limits,
    SpreadsheetError,
    fits_calamine,
    read_table,
    sheet_extent,
)
from wangge.lib.tests import hostile

MATCHER = HeaderMatcher(REGISTER_COLUMNS)
LIMITS = Limits()
HEADER = ["姓名", "身份证号码", "联系电话", "楼栋", "门牌号", "出生日期", "备注"]


def both(data: bytes) -> tuple[spreadsheets.Table, spreadsheets.Table]:
    fast = spreadsheets._read_xlsx_calamine(data, MATCHER, ("name",), LIMITS)
    slow = spreadsheets._read_xlsx_openpyxl(data, MATCHER, ("name",), LIMITS)
    return fast, slow


def same(cell: spreadsheets.Cell) -> object:
    # A whole number may be an int in one reader and a float in the other (openpyxl
    # follows the digits in the XML, "3" or "3.0"): the same number all the same.
    if isinstance(cell, int | float) and not isinstance(cell, bool):
        return ("number", float(cell))
    if isinstance(cell, str) and not cell.strip():
        # Text of only spaces written without xml:space="preserve" (openpyxl does; Excel
        # does not): openpyxl keeps the spaces, calamine drops them. Blank to the importer.
        return None
    return cell


def cells_of(row: spreadsheets.Row) -> tuple[int, tuple[object, ...]]:
    values = [same(c) for c in row.cells]
    while values and values[-1] is None:
        values.pop()
    return row.number, tuple(values)


def view(table: spreadsheets.Table) -> dict[str, object]:
    rows = [cells_of(row) for row in table.rows()]
    return {
        "header": table.header,
        "sheet": table.sheet_name,
        "preamble": [cells_of(row) for row in table.preamble],
        "rows": rows,
        "totals": table.skipped_totals,
    }


texts = st.text(
    alphabet=st.characters(
        codec="utf-8", exclude_categories=("Cs", "Cc"), exclude_characters="\ufeff\x7f"
    ),
    max_size=10,
).filter(lambda t: not t.startswith("="))  # openpyxl would write a formula
cells = st.one_of(
    st.none(),
    texts,
    st.sampled_from(["张三", "620103199001011234", "1号楼", "合计", " ", "在住"]),
    st.integers(-(10**15) + 1, 10**15 - 1),
    st.floats(-1e300, 1e300, allow_nan=False, allow_subnormal=False),
    st.booleans(),
    st.dates(dt.date(1900, 3, 1), dt.date(9999, 12, 31)),
    st.datetimes(dt.datetime(1900, 3, 1), dt.datetime(9999, 12, 31)).map(
        lambda d: d.replace(microsecond=0)
    ),
    st.times().map(lambda t: t.replace(microsecond=0)),
)


@settings(deadline=None, max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(
    titles=st.lists(st.lists(cells, max_size=3), max_size=3),
    rows=st.lists(st.lists(cells, min_size=1, max_size=9), min_size=1, max_size=12),
    top=st.integers(0, 3),
    left=st.integers(0, 3),
    merge=st.booleans(),
)
def test_calamine_reads_what_openpyxl_reads(titles, rows, top, left, merge):
    book = Workbook()
    sheet = book.active
    table = [*titles, HEADER, *rows]
    for r, values in enumerate(table, start=1 + top):
        for c, value in enumerate(values, start=1 + left):
            sheet.cell(row=r, column=c, value=value)
    if merge and titles:
        first = 1 + top
        sheet.merge_cells(
            f"{get_column_letter(1 + left)}{first}:{get_column_letter(4 + left)}{first}"
        )
    buffer = io.BytesIO()
    book.save(buffer)
    fast, slow = both(buffer.getvalue())
    assert view(fast) == view(slow)


@settings(deadline=None, max_examples=30)
@given(rows=st.lists(st.lists(cells, min_size=1, max_size=9), min_size=1, max_size=12))
def test_a_workbook_with_shared_strings_reads_the_same(rows):
    # Excel keeps text in a shared-strings table (openpyxl writes it inline).
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet("户口底册")
    dates = book.add_format({"num_format": "yyyy-mm-dd"})
    times = book.add_format({"num_format": "hh:mm:ss"})
    for r, values in enumerate([HEADER, *rows]):
        for c, value in enumerate(values):
            if isinstance(value, dt.datetime | dt.date):
                sheet.write_datetime(r, c, value, dates)
            elif isinstance(value, dt.time):
                sheet.write_datetime(r, c, value, times)
            elif isinstance(value, str):
                sheet.write_string(r, c, value)
            elif value is not None:
                sheet.write(r, c, value)
    book.close()
    fast, slow = both(buffer.getvalue())
    assert view(fast) == view(slow)


def test_an_excel_register_is_read_by_calamine():
    book = Workbook()
    sheet = book.active
    sheet.append(["居民户口底册"])
    sheet.append(HEADER)
    sheet.append(["张三", "620103199001011234", 13912345678, "1", "101", dt.date(1990, 1, 1)])
    buffer = io.BytesIO()
    book.save(buffer)
    data = buffer.getvalue()
    assert fits_calamine(data)
    rows = list(read_table(data, "a.xlsx").rows())
    assert rows[0].number == 3
    assert rows[0].cells[:6] == (
        "张三",
        "620103199001011234",
        13912345678,
        "1",
        "101",
        dt.datetime(1990, 1, 1),
    )


def test_the_extent_of_a_sheet_is_found_from_its_cell_references():
    xml = b'<row r="1"><c r="A1"/><c r="O1"/></row><row r="7"><c s="1" r="C7"/></row>'
    assert sheet_extent(xml) == (7, 15)
    assert sheet_extent(b'<row r="3"><c r="XFD1048576"/></row>') == (1048576, 16384)
    assert sheet_extent(b"") == (0, 0)


def test_a_sheet_spanning_to_its_far_corner_is_not_laid_out_densely():
    data = hostile.far_corners()
    assert not fits_calamine(data)
    with pytest.raises(SpreadsheetError) as refused:
        for _row in read_table(data, "far.xlsx", limits=Limits(columns=200)).rows():
            pass
    assert refused.value.code == "too_many_columns"


# calamine aborts the whole process (not an exception) when a dense layout does not fit:
# the far-corner file is read in a child that a failure cannot take the test run down with.
_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, 1024 ** 3))
import django
django.setup()
from wangge.lib import spreadsheets
from wangge.lib.tests import hostile
try:
    rows = sum(1 for _ in spreadsheets.read_table(hostile.far_corners(), "far.xlsx").rows())
    print("read", rows)
except spreadsheets.SpreadsheetError as exc:
    print("refused", exc.code)
"""


def test_reading_a_far_corner_sheet_does_not_abort_the_worker():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wangge.settings_test"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _CHILD],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["refused", "too_many_columns"]
