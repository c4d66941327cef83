"""Registers as communities send them, for the import tests."""

import csv
import datetime as dt
import io
import itertools

from openpyxl import Workbook

from wangge.lib.idnumbers import make_resident_card_number

HEADER = [
    "序号",
    "姓名",
    "性别",
    "身份证号码",
    "手机号",
    "楼号",
    "单元",
    "房号",
    "人员类别",
    "居住状态",
    "备注",
]
_order = itertools.count(1)


def number(birth=dt.date(1975, 3, 9), sex="M", region="620103"):
    """A fresh valid resident ID number (the order code steps by two to keep the sex)."""
    return make_resident_card_number(region, birth, next(_order) * 2 % 1000, sex)


def person(
    name,
    id_number,
    *,
    sex="",
    phone="",
    building="1号楼",
    unit="2",
    room="301",
    category="",
    status="在住",
    note="",
):
    """One data row in HEADER's order (序号 is filled in by the sheet builders)."""
    return [name, sex, id_number, phone, building, unit, room, category, status, note]


def _numbered(rows):
    out = []
    for index, row in enumerate(rows, start=1):
        out.append(row if row is None else [index, *row])
    return out


def register_xlsx(rows, *, header=HEADER, title=True, totals=True, numbered=True):
    """A workbook with a merged title, a merged "填报单位" line, blank rows (None) kept."""
    book = Workbook()
    sheet = book.active
    sheet.title = "户口底册"
    if title:
        sheet.append(["西园社区一号小区居民户口底册"])
        sheet.append(
            ["填报单位：西园社区居委会", None, None, None, None, "填报日期：2022年3月20日"]
        )
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(header))
        sheet.merge_cells(start_row=2, start_column=1, end_row=2, end_column=5)
    sheet.append(header)
    for row in _numbered(rows) if numbered else rows:
        sheet.append([] if row is None else row)
    if totals:
        sheet.append(["合计", None, f"{len([r for r in rows if r])}人"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def register_csv(rows, *, header=HEADER, encoding="utf-8", title=True, numbered=True):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    if title:
        writer.writerow(["西园社区一号小区居民户口底册"])
    writer.writerow(header)
    for row in _numbered(rows) if numbered else rows:
        writer.writerow([] if row is None else row)
    writer.writerow(["合计", "", str(len(rows))])
    return buffer.getvalue().encode(encoding)
