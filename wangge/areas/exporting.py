"""Writing the area tree as a sheet with the columns the importer reads back.

Columns: 区划代码, 名称, 类型, 上级代码 (code, name, kind, parent code); kinds in Chinese
words. Every cell goes through `wangge.lib.excel.safe_cell`, in CSV as in Excel, since
offices open both with a spreadsheet program.
"""

import csv
import io
from collections.abc import Iterable, Sequence

from django.utils.translation import gettext_lazy as _

from wangge.areas.importing import EXPORT_HEADERS
from wangge.lib.excel import XLSX_CONTENT_TYPE, Column, safe_cell, workbook_bytes

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
FORMATS = {"csv": CSV_CONTENT_TYPE, "xlsx": XLSX_CONTENT_TYPE}
_WIDTHS = (16, 28, 8, 16)


def csv_bytes(rows: Iterable[Sequence[str]]) -> bytes:
    """UTF-8 with a byte-order mark, which Excel on Windows needs to read Chinese text."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_HEADERS)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(rows: Iterable[Sequence[str]]) -> bytes:
    columns = [Column(header, width) for header, width in zip(EXPORT_HEADERS, _WIDTHS, strict=True)]
    return workbook_bytes(_("Areas"), columns, rows)


def tree_file(rows: Iterable[Sequence[str]], fmt: str) -> bytes:
    if fmt == "csv":
        return csv_bytes(rows)
    if fmt == "xlsx":
        return xlsx_bytes(rows)
    raise ValueError(f"unknown export format {fmt}")
