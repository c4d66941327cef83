"""Writing Excel files: every .xlsx export of the project goes through here.

Two things every export needs and is easy to forget:

* `safe_cell` — a text cell that starts with = + - @ (or a tab / carriage return) is a
  formula to Excel and LibreOffice: a resident named "=HYPERLINK(...)" would run on the
  office PC that opens the export (CSV/formula injection). Such text gets a leading
  apostrophe, and characters that XML cannot carry are dropped.
* `WorkbookBuilder` — a streaming (write-only) workbook with a bold header row and
  column widths, so a 100,000-row export does not hold every cell in memory.

Usage::

    book = WorkbookBuilder()
    sheet = book.add_sheet(_("Residents"), [Column(_("Name"), 12), Column(_("Phone"), 14)])
    for resident in residents:
        sheet.append([resident.name, resident.phone_masked])
    response = HttpResponse(book.to_bytes(), content_type=XLSX_CONTENT_TYPE)
"""

import datetime as dt
import decimal
import enum
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# What a spreadsheet program reads as the start of a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")

SafeValue = str | int | float | bool | decimal.Decimal | dt.datetime | dt.date | dt.time | None

_HEADER_FONT = Font(bold=True)
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

    def __init__(self, sheet: WriteOnlyWorksheet, columns: Sequence[Column]) -> None:
        self._sheet = sheet
        self.width = len(columns)
        self.rows_written = 0

    def append(self, values: Iterable[object]) -> None:
        """Write one row; every value goes through `safe_cell`."""
        self._sheet.append([safe_cell(value) for value in values])
        self.rows_written += 1

    def append_bold(self, values: Iterable[object]) -> None:
        """Write one row in bold (a group heading or a note above the header)."""
        self._sheet.append([_bold(self._sheet, value) for value in values])


def _bold(sheet: WriteOnlyWorksheet, value: object) -> Any:
    cell = WriteOnlyCell(sheet, value=cast(Any, safe_cell(value)))
    cell.font = _HEADER_FONT
    return cell


def sheet_title(text: str) -> str:
    """A valid sheet name (at most 31 characters, none of []:*?/\\)."""
    return (text.translate(_SHEET_NAME_FORBIDDEN).strip() or "Sheet")[:31]


class WorkbookBuilder:
    """A write-only .xlsx: add sheets, append rows, then take the bytes once."""

    def __init__(self) -> None:
        self._workbook = Workbook(write_only=True)

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
        sheet: WriteOnlyWorksheet = self._workbook.create_sheet(sheet_title(str(title)))
        dimensions: Any = sheet.column_dimensions  # type: ignore[attr-defined]  # missing from the stubs
        for index, column in enumerate(cols, start=1):
            if column.width is not None:
                dimensions[get_column_letter(index)].width = column.width
        if freeze_header:
            sheet.freeze_panes = f"A{len(preamble) + 2}"
        builder = SheetBuilder(sheet, cols)
        for row in preamble:
            builder.append_bold(row)
        builder.append_bold(column.header for column in cols)
        return builder

    def to_bytes(self) -> bytes:
        """The finished workbook; a builder is written once."""
        if not self._workbook.worksheets:
            self._workbook.create_sheet("Sheet")
        buffer = io.BytesIO()
        self._workbook.save(buffer)
        return buffer.getvalue()


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
