"""Writing Excel files: every .xlsx export of the project goes through here.

Two things every export needs and is easy to forget:

* `safe_cell` — a text cell that starts with = + - @ (or a tab / carriage return) is a
  formula to Excel and LibreOffice: a resident named "=HYPERLINK(...)" would run on the
  office PC that opens the export (CSV/formula injection). Such text gets a leading
  apostrophe, and characters that XML cannot carry are dropped.
* `WorkbookBuilder` — a streaming workbook with a bold header row and column widths, so
  a 100,000-row export does not hold its cells in memory. XlsxWriter in constant-memory
  mode writes each row to a temporary file as it comes (openpyxl's write-only mode kept
  every row until it saved, about 1 KB a row); the finished workbook is a temporary file
  too, handed over already unlinked (`to_file`) so that a view streams it and nothing is
  left behind, whatever happens to the download.

Usage::

    book = WorkbookBuilder()
    sheet = book.add_sheet(_("Residents"), [Column(_("Name"), 12), Column(_("Phone"), 14)])
    for resident in residents:
        sheet.append([resident.name, resident.phone_masked])
    response = FileResponse(book.to_file(), as_attachment=True, filename="residents.xlsx")
"""

import contextlib
import datetime as dt
import decimal
import enum
import os
import tempfile
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import BinaryIO

import xlsxwriter
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet program reads as the start of a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

SafeValue = str | int | float | bool | decimal.Decimal | dt.datetime | dt.date | dt.time | None

# Sheet names may not contain these and are at most 31 characters long.
_SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def safe_cell(value: object) -> SafeValue:
    """A value as it may be written to a cell: numbers and dates as they are, text defused.

    Text starting with = + - @, a tab or a carriage return gets a leading apostrophe;
    control characters XML cannot hold are removed. Anything else (lazy translations,
    enums, UUIDs) is written as its text. An aware datetime keeps its wall time.
    """
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        # Excel has no time zones: write the wall time the caller chose (pass localtime()).
        return value.replace(tzinfo=None)
    if value is None or isinstance(
        value, bool | int | float | decimal.Decimal | dt.datetime | dt.date | dt.time
    ):
        return value
    if isinstance(value, enum.Enum) and isinstance(value.value, str | int):
        value = value.value
        if isinstance(value, int):
            return value
    text = ILLEGAL_CHARACTERS_RE.sub("", str(value))
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text


@dataclass(frozen=True)
class Column:
    """A column of a sheet: its header text and width (in characters; None: Excel's default)."""

    header: object
    width: float | None = None


class SheetBuilder:
    """One sheet of a WorkbookBuilder; rows are appended in order and not kept in memory."""

    def __init__(self, sheet: Worksheet, columns: Sequence[Column], formats: "_Formats") -> None:
        self._sheet = sheet
        self._formats = formats
        self.width = len(columns)
        self.rows_written = 0
        self._next_row = 0

    def append(self, values: Iterable[object]) -> None:
        """Write one row; every value goes through `safe_cell`."""
        self._write(values, None)
        self.rows_written += 1

    def append_bold(self, values: Iterable[object]) -> None:
        """Write one row in bold (a group heading or a note above the header)."""
        self._write(values, self._formats.bold)

    def _write(self, values: Iterable[object], bold: Format | None) -> None:
        row, sheet, formats = self._next_row, self._sheet, self._formats
        for col, raw in enumerate(values):
            value = safe_cell(raw)
            if value is None or value == "":  # no cell at all, as openpyxl wrote it
                if bold is not None:
                    sheet.write_blank(row, col, None, bold)
                continue
            kind = type(value)
            if kind is str:
                sheet.write_string(row, col, value, bold)  # type: ignore[arg-type]
            elif kind is bool:
                sheet.write_boolean(row, col, value, bold)  # type: ignore[arg-type]
            elif kind in (int, float):
                sheet.write_number(row, col, value, bold)  # type: ignore[arg-type]
            elif isinstance(value, decimal.Decimal):
                sheet.write_number(row, col, float(value), bold)
            elif isinstance(value, dt.datetime):
                sheet.write_datetime(row, col, value, formats.datetime(bold))
            elif isinstance(value, dt.date):
                sheet.write_datetime(row, col, value, formats.date(bold))
            elif isinstance(value, dt.time):
                sheet.write_datetime(row, col, value, formats.time(bold))
            else:  # an int or float subclass
                sheet.write_number(row, col, value, bold)  # type: ignore[arg-type]
        self._next_row += 1


class _Formats:
    """The few cell formats an export uses, made once per workbook."""

    def __init__(self, book: xlsxwriter.Workbook) -> None:
        self.bold = book.add_format({"bold": True})
        self._made: dict[tuple[str, bool], Format] = {}
        self._book = book

    def _number(self, pattern: str, bold: Format | None) -> Format:
        key = (pattern, bold is not None)
        if key not in self._made:
            self._made[key] = self._book.add_format(
                {"num_format": pattern, "bold": bold is not None}
            )
        return self._made[key]

    def datetime(self, bold: Format | None) -> Format:
        return self._number("yyyy-mm-dd hh:mm:ss", bold)

    def date(self, bold: Format | None) -> Format:
        return self._number("yyyy-mm-dd", bold)

    def time(self, bold: Format | None) -> Format:
        return self._number("hh:mm:ss", bold)


def sheet_title(text: str) -> str:
    """A valid sheet name (at most 31 characters, none of []:*?/\\)."""
    return (text.translate(_SHEET_NAME_FORBIDDEN).strip() or "Sheet")[:31]


def _unlink(path: str) -> None:
    with contextlib.suppress(OSError):
        os.unlink(path)


class WorkbookBuilder:
    """A streaming .xlsx: add sheets, append rows, then take the file (or bytes) once."""

    def __init__(self) -> None:
        handle, self._path = tempfile.mkstemp(prefix="wangge-export-", suffix=".xlsx")
        os.close(handle)
        # However the builder ends (an exception half-way), its file goes with it.
        self._cleanup = weakref.finalize(self, _unlink, self._path)
        self._workbook = xlsxwriter.Workbook(
            self._path,
            {
                "constant_memory": True,
                # Text stays text: no formulas, numbers or links guessed from it.
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        self._formats = _Formats(self._workbook)
        self._titles: set[str] = set()

    def add_sheet(
        self,
        title: object,
        columns: Sequence[Column | str],
        *,
        preamble: Sequence[Sequence[object]] = (),
        freeze_header: bool = True,
    ) -> SheetBuilder:
        """A new sheet whose header row (bold) names `columns`.

        `preamble` rows (a title, a date line) are written in bold above the header.
        The header stays visible when scrolling unless `freeze_header` is False.
        """
        cols = [c if isinstance(c, Column) else Column(c) for c in columns]
        name = self._unique(sheet_title(str(title)))
        sheet = self._workbook.add_worksheet(name)
        for index, column in enumerate(cols):
            if column.width is not None:
                sheet.set_column(index, index, column.width)
        if freeze_header:
            sheet.freeze_panes(len(preamble) + 1, 0)
        builder = SheetBuilder(sheet, cols, self._formats)
        for row in preamble:
            builder.append_bold(row)
        builder.append_bold(column.header for column in cols)
        return builder

    def _unique(self, name: str) -> str:
        # Excel refuses two sheets of one name (case aside); openpyxl numbered the second.
        candidate, number = name, 1
        while candidate.lower() in self._titles:
            suffix = str(number)
            candidate = name[: 31 - len(suffix)] + suffix
            number += 1
        self._titles.add(candidate.lower())
        return candidate

    def to_file(self) -> BinaryIO:
        """The finished workbook as an open file, already unlinked: stream it, then close
        it. A builder is written once."""
        if not self._workbook.worksheets():
            self._workbook.add_worksheet("Sheet")
        self._workbook.close()
        handle = open(self._path, "rb")  # noqa: SIM115 - the caller closes it
        self._cleanup()
        return handle

    def to_bytes(self) -> bytes:
        """The finished workbook in memory (small files; stream large ones with to_file)."""
        with self.to_file() as handle:
            return handle.read()


def workbook_bytes(
    title: object,
    columns: Sequence[Column | str],
    rows: Iterable[Iterable[object]],
    *,
    preamble: Sequence[Sequence[object]] = (),
) -> bytes:
    """A one-sheet workbook in one call (the common case of an export)."""
    book = WorkbookBuilder()
    sheet = book.add_sheet(title, columns, preamble=preamble)
    for row in rows:
        sheet.append(row)
    return book.to_bytes()


def workbook_file(
    title: object,
    columns: Sequence[Column | str],
    rows: Iterable[Iterable[object]],
    *,
    preamble: Sequence[Sequence[object]] = (),
) -> BinaryIO:
    """`workbook_bytes` as an open, unlinked file to stream (large exports)."""
    book = WorkbookBuilder()
    sheet = book.add_sheet(title, columns, preamble=preamble)
    for row in rows:
        sheet.append(row)
    return book.to_file()
