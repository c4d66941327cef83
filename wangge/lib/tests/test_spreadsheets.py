import csv
import datetime as dt
import io
import os
import re
import subprocess
import sys
import zipfile

import pytest
from django.utils import translation
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from wangge.lib.spreadsheets import (
    REGISTER_COLUMNS,
    HeaderMatcher,
    Limits,
    SpreadsheetError,
    as_date,
    as_text,
    check_zip,
    classify_row,
    decode_text,
    normalise_header,
    read_table,
    stored_as_number,
)
from wangge.lib.tests import hostile

MATCHER = HeaderMatcher(REGISTER_COLUMNS)
ALIASES = [(key, name) for key, names in REGISTER_COLUMNS.items() for name in names]
KNOWN = {normalise_header(name) for _key, name in ALIASES}


def xlsx(rows, merges=()):
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(list(row))
    for merge in merges:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_bytes(rows, encoding="utf-8", delimiter=","):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter).writerows(rows)
    return buffer.getvalue().encode(encoding)


HEADER = ["序号", "姓名", "身份证号码", "联系电话", "楼栋", "单元", "门牌号", "人员类别", "备注"]


def test_register_as_communities_keep_it():
    data = xlsx(
        [
            ["七里河区西园社区居民户口底册"],
            ["填报单位：西园社区", None, None, None, None, "日期：2022年3月"],
            HEADER,
            [1, "张三", "620103198005170011", "13900001234", "1号楼", "1", "101", "", ""],
            [None] * 9,
            [2, "李四", "620103198005170038", 13900005678, "1", "2", "201", "卧床", ""],
            [],
            ["合 计", "2人"],
            ["填表人：王五"],
        ],
        merges=["A1:I1", "A2:E2"],
    )
    table = read_table(data, "底册.xlsx")
    assert table.header.row == 3
    assert table.header.fields["id_number"] == 2
    assert table.header.column_name("phone") == "联系电话"
    rows = list(table.rows())
    assert [row.number for row in rows] == [4, 6]
    assert rows[1].cells[3] == 13900005678  # the cell type is kept as the file stored it
    assert table.skipped_blank == 2
    assert table.skipped_totals == 2
    assert [row.number for row in table.preamble] == [1, 2, 3]


def test_header_split_over_two_rows_under_a_merged_group():
    data = xlsx(
        [
            ["户口底册"],
            ["姓名", "身份证号", "住址", None, None, "联系电话"],
            [None, None, "楼栋", "单元", "房号", None],
            ["张三", "620103198005170011", "3", "1", "301", "13900001234"],
        ],
        merges=["A1:F1", "C2:E2", "A2:A3", "B2:B3", "F2:F3"],
    )
    table = read_table(data, "x.xlsx")
    assert table.header.row == 3
    assert {key: table.header.fields[key] for key in ("building", "unit", "room")} == {
        "building": 2,
        "unit": 3,
        "room": 4,
    }
    assert table.header.fields["name"] == 0
    assert [row.number for row in table.rows()] == [4]


def test_the_first_sheet_with_a_header_is_read():
    book = Workbook()
    book.active.title = "说明"
    book.active.append(["请按模板填写"])
    sheet = book.create_sheet("底册")
    sheet.append(["姓名", "身份证号"])
    sheet.append(["张三", "620103198005170011"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = read_table(buffer.getvalue(), "x.xlsx")
    assert table.sheet_name == "底册"
    assert [row.cells for row in table.rows()] == [("张三", "620103198005170011")]


def test_head_of_household_name_is_not_the_persons_name():
    assert MATCHER.match("户主姓名") is None
    assert MATCHER.match("姓名") == "name"


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("gbk", b""), ("gb18030", b""), ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf")],
)
def test_csv_encodings(encoding, prefix):
    data = prefix + csv_bytes(
        [["西园社区户口底册"], HEADER, ["1", "张三", "620103198005170011", "139 0000 1234"]],
        encoding,
    )
    table = read_table(data, "register.csv")
    assert table.header.row == 2
    rows = list(table.rows())
    assert rows[0].number == 3
    assert rows[0].cells[1] == "张三"


def test_csv_excel_unicode_text_is_tab_separated_utf16():
    text = "\t".join(HEADER) + "\r\n" + "\t".join(["1", "张三", "620103198005170011"]) + "\r\n"
    data = "\ufeff".encode("utf-16-le") + text.encode("utf-16-le")
    table = read_table(data, "register.txt")
    assert [row.cells[1] for row in table.rows()] == ["张三"]


def test_unreadable_files_say_why():
    with pytest.raises(SpreadsheetError) as old:
        read_table(b"\xd0\xcf\x11\xe0" + b"\x00" * 100, "old.xls")
    assert old.value.code == "old_excel"
    with pytest.raises(SpreadsheetError) as broken:
        read_table(b"PK\x03\x04garbage", "x.xlsx")
    assert broken.value.code == "unreadable"
    with pytest.raises(SpreadsheetError) as headless:
        read_table(csv_bytes([["a", "b"], ["1", "2"]]), "x.csv")
    assert headless.value.code == "no_header"
    with pytest.raises(SpreadsheetError) as encoding:
        decode_text(b"\x81\x30\xff\xff")
    assert encoding.value.code == "encoding"


def test_excel_numbers_in_place_of_text_are_reported():
    assert stored_as_number(620103198005170000)
    assert stored_as_number(6.20103198005170e17)
    assert stored_as_number("6.20103E+17")
    assert stored_as_number(" 6.20103e17 ")
    assert not stored_as_number("620103198005170011")
    assert not stored_as_number("62010319800517001X")
    assert not stored_as_number(True)
    assert not stored_as_number(None)


def test_cells_as_text():
    assert as_text(1201.0) == "1201"
    assert as_text(13900001234) == "13900001234"
    assert as_text(dt.datetime(1980, 5, 17)) == "1980-05-17"
    assert as_text("  张三 ") == "张三"
    assert as_text(None) == ""


@pytest.mark.parametrize(
    "value",
    [
        dt.date(1980, 5, 17),
        dt.datetime(1980, 5, 17),
        "1980-05-17",
        "1980/5/17",
        "1980.05.17",
        "1980年5月17日",
        "19800517",
        19800517,
        29358,  # Excel's serial day for 1980-05-17
        "1980-05-17 00:00:00",
    ],
)
def test_birth_dates_as_registers_write_them(value):
    assert as_date(value) == dt.date(1980, 5, 17)


@pytest.mark.parametrize("value", ["昨天", "1980-13-01", 1.5, True, "17/05/1980"])
def test_what_is_not_a_date(value):
    with pytest.raises(ValueError):
        as_date(value)


def test_totals_and_blank_rows_are_recognised():
    assert classify_row([None, "  ", ""]) == "blank"
    assert classify_row(["合计", 12]) == "totals"
    assert classify_row([None, "小 计"]) == "totals"
    assert classify_row(["Total", 3]) == "totals"
    assert classify_row([1, "张三"]) == "data"


# --- properties --------------------------------------------------------------------------

decorations = st.sampled_from(["", " ", "\u3000", "\n", "*", "＊"])


@given(
    alias=st.sampled_from(ALIASES),
    before=decorations,
    after=decorations,
    spaced=st.booleans(),
    suffix=st.sampled_from(["", "（必填）", "(选填)", "【必填】"]),
    upper=st.booleans(),
    wide=st.booleans(),
)
def test_header_names_match_through_the_ways_people_write_them(
    alias, before, after, spaced, suffix, upper, wide
):
    key, name = alias
    text = " ".join(name) if spaced else name
    if upper:
        text = text.upper()
    if wide:
        text = "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)
    assert MATCHER.match(before + text + suffix + after) == key


@given(st.text(max_size=12))
def test_unknown_header_text_matches_nothing(text):
    assume(normalise_header(text) not in KNOWN)
    assert MATCHER.match(text) is None


safe_text = st.text(
    alphabet=st.characters(
        codec="utf-8",
        exclude_categories=("Cs", "Cc", "Zs", "Zl", "Zp"),
        exclude_characters="\ufeff",
    ),
    min_size=1,
    max_size=8,
).filter(
    # openpyxl writes text starting with "=" as a formula: not a value a register holds.
    lambda t: classify_row([t]) == "data" and MATCHER.match(t) is None and not t.startswith("=")
)


@settings(deadline=None, max_examples=60)
@given(
    titles=st.integers(0, 3),
    rows=st.lists(st.lists(safe_text, min_size=3, max_size=3), min_size=1, max_size=15),
    blanks=st.sets(st.integers(0, 15), max_size=4),
    fmt=st.sampled_from(["xlsx", "csv-utf8", "csv-gbk"]),
)
def test_rows_come_back_with_their_sheet_row_numbers(titles, rows, blanks, fmt):
    if fmt == "csv-gbk":
        for row in rows:
            for cell in row:
                try:
                    cell.encode("gbk")
                except UnicodeEncodeError:
                    assume(False)
    sheet = [[f"标题{i}"] for i in range(titles)] + [["姓名", "身份证号", "备注"]]
    expected = []
    for index, row in enumerate(rows):
        if index in blanks:
            sheet.append([])
        sheet.append(row)
        expected.append((len(sheet), tuple(row)))
    if fmt == "xlsx":
        data = xlsx(sheet)
    else:
        data = csv_bytes(sheet, "gbk" if fmt == "csv-gbk" else "utf-8")
    table = read_table(data, "x." + fmt[:4])
    assert table.header.row == titles + 1
    got = [(row.number, tuple(str(cell) for cell in row.cells)) for row in table.rows()]
    want = [(number, tuple(row)) for number, row in expected]
    assert got == want, (ascii(got), ascii(want))


# --- reading within limits ----------------------------------------------------------------

# A child process reading the sheet bomb may not grow by more than this above its peak once
# Django, every app and the file are loaded (what the apps import is not the reader's). A
# reader without limits streams the bomb's 3.6 million rows for minutes (the 120 s timeout
# fails it), or holds 300 MB for a shared-strings bomb.
BOMB_READ_GROWTH_MB = 70

_CHILD = """
import resource, sys
resource.setrlimit(resource.RLIMIT_AS, (1024 ** 3, 1024 ** 3))  # a runaway read dies, not the host
import django
django.setup()
from wangge.lib import spreadsheets
data = open(sys.argv[1], "rb").read()
# VmHWM is this process's own peak; ru_maxrss would also count the forking test worker.
def peak_kb():
    status = open("/proc/self/status").read()
    return int(status.split("VmHWM:")[1].split()[0])
loaded_kb = peak_kb()
try:
    table = spreadsheets.read_table(data, "register.xlsx")
    outcome = "read %d rows" % sum(1 for _ in table.rows())
except spreadsheets.SpreadsheetError as exc:
    outcome = "refused " + exc.code
print(outcome, (peak_kb() - loaded_kb) // 1024)
"""


@pytest.fixture(scope="module")
def bomb(tmp_path_factory):
    path = tmp_path_factory.mktemp("hostile") / "bomb.xlsx"
    path.write_bytes(hostile.sheet_bomb(300))
    return path


def test_a_zip_bomb_is_refused_before_it_is_inflated(bomb):
    size = bomb.stat().st_size
    inflated = sum(member.file_size for member in zipfile.ZipFile(bomb).infolist())
    assert size < 2 * 1024 * 1024 and inflated > 300 * 1024 * 1024
    with pytest.raises(SpreadsheetError) as refused:
        read_table(bomb.read_bytes(), "bomb.xlsx")
    assert refused.value.code in {"zip_bomb", "inflates"}
    with translation.override("zh-hans"):
        assert "拒绝" in str(refused.value)


def test_reading_a_zip_bomb_keeps_the_worker_small(bomb):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "wangge.settings_test"}
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _CHILD, str(bomb)],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    outcome, growth_mb = done.stdout.rsplit(" ", 1)
    assert outcome.startswith("refused")
    assert int(growth_mb) < BOMB_READ_GROWTH_MB


def test_the_inflated_size_is_a_limit():
    data = xlsx([HEADER, *[[i, "张三", "", "", "1", "1", str(i), "", "无"] for i in range(1000)]])
    assert read_table(data, "a.xlsx", limits=Limits()).header.row == 1
    with pytest.raises(SpreadsheetError) as total:
        read_table(data, "a.xlsx", limits=Limits(uncompressed_bytes=100_000))
    assert total.value.code == "inflates"
    check_zip(data, Limits(compression_ratio=2))  # parts under 1 MB pass whatever their ratio


@pytest.mark.parametrize("kind", ["xlsx", "csv"])
@pytest.mark.parametrize(
    ("limits", "cells", "code"),
    [
        (Limits(rows=50), ["张三", "1", "101"], "too_many_rows"),
        (Limits(columns=5), ["张三", "1", "101", "", "", "", "", "x"], "too_many_columns"),
        (Limits(cell_chars=100), ["张三" * 60, "1", "101"], "cell_too_long"),
        (Limits(seconds=0), ["张三", "1", "101"], "too_slow"),
    ],
)
def test_rows_columns_cells_and_time_are_limits(kind, limits, cells, code):
    rows = [["姓名", "楼栋", "门牌号"], *[cells] * 1500]
    data = xlsx(rows) if kind == "xlsx" else csv_bytes(rows)
    with pytest.raises(SpreadsheetError) as refused:
        table = read_table(data, "register." + kind, limits=limits)
        for _row in table.rows():
            pass
    assert refused.value.code == code
    with translation.override("zh-hans"):
        assert not re.search("[A-Za-z]{2,}", str(refused.value))


def test_blank_rows_are_not_counted_as_rows():
    rows = [["姓名", "楼栋", "门牌号"], ["张三", "1", "101"], *[[None]] * 200, ["李四", "1", "102"]]
    table = read_table(xlsx(rows), "a.xlsx", limits=Limits(rows=3))
    assert [row.cells[0] for row in table.rows()] == ["张三", "李四"]
