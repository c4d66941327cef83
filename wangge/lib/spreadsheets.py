"""Reading registers as communities really keep them: .xlsx or .csv, with a header to find.

A register is rarely a clean table. Above the header there is a title row and a line such
as "填报单位：…", often merged across the sheet; the header uses one of many names for each
column (身份证号 / 身份证号码 / 证件号码 …), sometimes split over two rows under a merged
group cell (住址 over 楼栋 / 单元 / 房号); blank rows separate buildings; a 合计 row closes the
sheet. CSV files come from Excel as UTF-8 (with or without BOM) or as GBK.

`read_table` finds the header and yields the data rows with their original sheet row
numbers and their cells as the file stored them, so that a caller can tell an ID number
stored as text from one Excel turned into a number (and so lost digits: `stored_as_number`).

An .xlsx is read by calamine (Rust, python-calamine): about thirty times faster than
openpyxl on a 100,000-row register. calamine lays a sheet out as one dense grid from its
first to its last cell, so a two-cell file with cells at A1 and XFD1048576 would ask for
half a terabyte and abort the process: before calamine opens a workbook, the cell
references of its sheets are scanned (`sheet_extent`) and a sheet larger than
`DENSE_CELLS` is read by openpyxl in read-only mode instead, one row at a time, within the
same limits. Both readers give the same cells (`tests/test_readers.py` compares them on
generated sheets): empty text is None, a date is a datetime, a whole number an int.

A file is also an attacker's input, so it is read within `Limits`: an .xlsx is a zip, and
a 300 KB zip can hold a sheet of 300 MB (a "zip bomb"). Before openpyxl touches it, the
zip's own directory is read: the members' declared sizes (Python's zipfile never inflates
a member beyond its declared size: it stops there and the CRC check fails) must stay under
a total, each large member under a compression ratio, and the shared strings (which
openpyxl holds in memory whole) under their own bound. Then rows, columns, the length of
a cell and the time spent are counted while the rows stream.
"""

import codecs
import csv
import datetime as dt
import io
import re
import time
import unicodedata
import zipfile
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from openpyxl import load_workbook
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel
from python_calamine import CalamineError, CalamineWorkbook, SheetTypeEnum

Cell = str | int | float | bool | dt.datetime | dt.date | dt.time | dt.timedelta | None

# How far down a sheet the header may be (title rows, notes, merged banners above it).
HEADER_SCAN_ROWS = 30


MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """How much work a file may cost; the settings WANGGE_SHEET_* (see README) set them.

    The defaults take a register of 200,000 people (a 100,000-row sheet is about 80 MB of
    XML, its zip a tenth of that) and refuse anything that would need much more.
    """

    uncompressed_bytes: int = 256 * MB  # all members of an .xlsx together, once inflated
    shared_strings_bytes: int = 64 * MB  # openpyxl keeps every shared string in memory
    compression_ratio: int = 100  # a real sheet's XML shrinks about tenfold, not a thousand
    rows: int = 200_000  # data rows that are not blank
    columns: int = 200
    cell_chars: int = 5_000
    seconds: float = 600.0
    members: int = 1_000  # files inside the zip

    @classmethod
    def from_settings(cls) -> "Limits":
        from django.conf import settings

        return cls(
            uncompressed_bytes=settings.WANGGE_SHEET_MAX_UNCOMPRESSED_MB * MB,
            shared_strings_bytes=settings.WANGGE_SHEET_MAX_SHARED_STRINGS_MB * MB,
            compression_ratio=settings.WANGGE_SHEET_MAX_COMPRESSION_RATIO,
            rows=settings.WANGGE_SHEET_MAX_ROWS,
            columns=settings.WANGGE_SHEET_MAX_COLUMNS,
            cell_chars=settings.WANGGE_SHEET_MAX_CELL_CHARS,
            seconds=settings.WANGGE_SHEET_MAX_SECONDS,
        )


# The largest sheet calamine may lay out (rows × columns from A1, 32 bytes a cell in
# Rust, empty or not): 256 MB, a register of 200,000 people in 40 columns. A larger or
# sparser sheet is streamed by openpyxl.
DENSE_CELLS = 8_000_000

# A member this small cannot hurt, whatever its ratio (styles and themes compress well).
_RATIO_FLOOR = MB

# Why a file is refused, as whole sentences in the reader's language. Readers that know
# better what their sheet needs (the register's no_header names its columns) say it their way.
MESSAGES: Mapping[str, Promise] = {
    "old_excel": _("This is an old .xls workbook: save it as .xlsx (Excel 2007 or later) or CSV."),
    "unreadable": _("The file is not a readable Excel workbook or CSV file."),
    "encoding": _("The file's text encoding is not UTF-8 or GBK: save it as CSV UTF-8."),
    "no_header": _("No header row found: the sheet needs the column names in one row."),
    "inflates": _(
        "The workbook would take more than %(limit)s MB once opened: it was refused before "
        "being opened. Split it into smaller files, or remove what is not the register."
    ),
    "zip_bomb": _(
        "The workbook is compressed far more than any real sheet (part “%(part)s” would grow "
        "%(ratio)s times): it was refused before being opened."
    ),
    "too_many_rows": _(
        "The sheet has more than %(limit)s rows: split it into several files and import "
        "them one after another."
    ),
    "too_many_columns": _(
        "Row %(row)s has more than %(limit)s columns: delete the columns that are not part "
        "of the register."
    ),
    "cell_too_long": _(
        "A cell on row %(row)s holds more than %(limit)s characters: shorten it and upload "
        "the file again."
    ),
    "too_slow": _(
        "Reading the file took longer than %(limit)s seconds and was stopped: split it into "
        "smaller files."
    ),
}


class SpreadsheetError(ValueError):
    """The file cannot be read (or is refused); `str()` says why, in the active language.

    `code` names the reason and `params` its numbers, for callers with their own wording.
    """

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params

    def __str__(self) -> str:
        message = str(MESSAGES[self.code])
        return message % self.params if self.params else message


# The household register's columns: field key → the header names people use for it.
# Matching is exact after `normalise_header` (case, width, spaces, "*" and "(必填)" removed),
# never by substring: "户主姓名" (the head's name) must not be taken for "姓名".
REGISTER_COLUMNS: Mapping[str, tuple[str, ...]] = {
    "seq": ("序号", "编号", "序", "no", "no.", "#", "seq"),
    "name": (
        "姓名",
        "名字",
        "居民姓名",
        "人员姓名",
        "成员姓名",
        "家庭成员姓名",
        "name",
        "fullname",
        "full name",
        "resident name",
    ),
    "id_type": (
        "证件类型",
        "证件种类",
        "证件名称",
        "身份证件类型",
        "证件类别",
        "id type",
        "document type",
    ),
    "id_number": (
        "身份证号",
        "身份证号码",
        "身份证",
        "证件号码",
        "证件号",
        "证件编号",
        "公民身份号码",
        "公民身份证号码",
        "居民身份证号码",
        "居民身份证号",
        "身份证件号码",
        "有效证件号码",
        "身份证号/证件号码",
        "id number",
        "id no",
        "id no.",
        "id",
        "id card number",
        "identity number",
        "document number",
    ),
    "sex": ("性别", "sex", "gender"),
    "birth_date": (
        "出生日期",
        "出生年月",
        "出生年月日",
        "生日",
        "birth date",
        "date of birth",
        "birthday",
        "dob",
    ),
    "age": ("年龄", "周岁", "age"),
    "phone": (
        "联系电话",
        "联系方式",
        "手机号",
        "手机号码",
        "电话",
        "电话号码",
        "手机",
        "本人电话",
        "本人联系电话",
        "本人手机号",
        "移动电话",
        "phone",
        "mobile",
        "telephone",
        "phone number",
        "mobile number",
        "tel",
    ),
    "ethnicity": ("民族", "ethnicity", "ethnic group"),
    "grid": (
        "网格",
        "所属网格",
        "网格名称",
        "小区",
        "小区名称",
        "所属小区",
        "村组",
        "所属村组",
        "村民小组",
        "组别",
        "grid",
        "compound",
        "village group",
    ),
    "building": ("楼栋", "楼号", "栋", "栋号", "楼栋号", "幢", "幢号", "楼宇", "building", "block"),
    "unit": ("单元", "单元号", "unit"),
    "room": (
        "门牌号",
        "门牌号码",
        "门牌",
        "房号",
        "房间号",
        "房屋号",
        "户号",
        "室",
        "room",
        "room number",
        "house number",
        "door number",
    ),
    "address": (
        "地址",
        "住址",
        "详细地址",
        "现住址",
        "居住地址",
        "家庭住址",
        "现居住地址",
        "address",
        "home address",
    ),
    "category": (
        "人员类别",
        "人员类型",
        "类别",
        "人员分类",
        "人群分类",
        "重点人群",
        "标签",
        "category",
        "type",
        "tags",
    ),
    "status": ("状态", "居住状态", "人员状态", "居住情况", "在住状态", "status"),
    "relation": (
        "与户主关系",
        "与户主的关系",
        "户主关系",
        "关系",
        "relation",
        "relationship",
        "relation to head",
    ),
    "note": ("备注", "说明", "备注说明", "note", "notes", "remark", "remarks", "comment"),
}

_DECORATION = re.compile(r"[\s*＊:：]+")
_BRACKETED = re.compile(r"[(（\[【][^)）\]】]*[)）\]】]")


def normalise_header(text: str) -> str:
    """A header cell reduced to what identifies it: "＊身份证 号码（必填）" → "身份证号码"."""
    value = unicodedata.normalize("NFKC", text)
    value = _BRACKETED.sub("", value)
    return _DECORATION.sub("", value).lower()


class HeaderMatcher:
    """Maps header cells to field keys by their normalised names."""

    def __init__(self, columns: Mapping[str, Iterable[str]]) -> None:
        self._lookup: dict[str, str] = {}
        for key, names in columns.items():
            for name in names:
                normal = normalise_header(name)
                if normal in self._lookup and self._lookup[normal] != key:
                    raise ValueError(f"header name {name!r} is given for two fields")
                self._lookup[normal] = key

    def match(self, cell: Cell) -> str | None:
        """The field key a header cell names, or None."""
        if not isinstance(cell, str):
            return None
        return self._lookup.get(normalise_header(cell))


@dataclass(frozen=True)
class Header:
    """Where the header is and what each column holds."""

    row: int  # sheet row number of the (last) header row
    names: tuple[str, ...]  # the header text of each column, "" where there is none
    fields: Mapping[str, int]  # field key → 0-based column index (the first column naming it)
    ignored: tuple[str, ...]  # header names not recognised (or naming a field twice)

    def column_name(self, key: str) -> str:
        """The sheet's own header text for a field (what a report shows)."""
        index = self.fields.get(key)
        return self.names[index] if index is not None else ""


@dataclass(frozen=True)
class Row:
    """A data row: its row number in the sheet (1-based) and its cells as stored."""

    number: int
    cells: tuple[Cell, ...]

    def get(self, index: int) -> Cell:
        return self.cells[index] if index < len(self.cells) else None


@dataclass
class Table:
    """A register's header and a one-pass stream of its data rows.

    Blank rows and totals/footer rows (合计, 小计, 填表人 …) are skipped and counted.
    `rows_estimate` is the sheet's declared size, for a progress bar (may be None).
    """

    header: Header
    sheet_name: str
    preamble: list[Row]  # the rows above and including the header, for reproducing the sheet
    rows_estimate: int | None
    _rows: Iterator[Row]
    skipped_blank: int = 0
    skipped_totals: int = 0
    _consumed: bool = field(default=False, repr=False)

    def rows(self, *, skip: bool = True) -> Iterator[Row]:
        """The rows below the header, once; with skip=False blank and total rows too."""
        if self._consumed:
            raise RuntimeError("a table's rows can be read once")
        self._consumed = True
        for row in self._rows:
            if not skip:
                yield row
                continue
            kind = classify_row(row.cells)
            if kind == "blank":
                self.skipped_blank += 1
            elif kind == "totals":
                self.skipped_totals += 1
            else:
                yield row


_TOTALS = re.compile(r"^(合计|总计|小计|共计|累计|total|subtotal|sum)", re.IGNORECASE)
_FOOTER = re.compile(r"^(填表|制表|填报人|审核|负责人|联系人[:：]|注[:：]|说明[:：])")


def classify_row(cells: Sequence[Cell]) -> str:
    """ "blank", "totals" (合计 / 小计 / a footer such as 填表人：…) or "data"."""
    first = None
    for cell in cells:
        if cell is None or (isinstance(cell, str) and not cell.strip()):
            continue
        first = cell
        break
    if first is None:
        return "blank"
    if isinstance(first, str):
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", first))
        if _TOTALS.match(text) or _FOOTER.match(text):
            return "totals"
    return "data"


def _score(matches: Sequence[str | None]) -> int:
    return len({key for key in matches if key is not None and key != "seq"})


def _find_header(
    rows: Sequence[Row], matcher: HeaderMatcher, required: Sequence[str]
) -> tuple[int, Header] | None:
    """The best header among the first rows: (index of its last row in `rows`, header).

    A header may span two rows when group labels are merged above sub-headers
    (住址 over 楼栋 / 单元 / 房号): the second row then holds header names only.
    """
    best: tuple[int, int, Header] | None = None
    for index, row in enumerate(rows):
        matches = [matcher.match(cell) for cell in row.cells]
        names = [_cell_text(cell) for cell in row.cells]
        last = index
        if index + 1 < len(rows):
            below = rows[index + 1].cells
            below_matches = [matcher.match(cell) for cell in below]
            filled = [cell for cell in below if _cell_text(cell)]
            if filled and all(
                m is not None for m, c in zip(below_matches, below, strict=True) if _cell_text(c)
            ):
                width = max(len(matches), len(below_matches))
                matches += [None] * (width - len(matches))
                names += [""] * (width - len(names))
                for col, key in enumerate(below_matches):
                    if key is not None:
                        matches[col] = key
                        names[col] = _cell_text(below[col])
                last = index + 1
        score = _score(matches)
        if score < 2 or any(key not in matches for key in required):
            continue
        if best is None or score > best[0]:
            best = (score, last, _make_header(rows[last].number, names, matches))
    if best is None:
        return None
    return best[1], best[2]


def _make_header(number: int, names: list[str], matches: list[str | None]) -> Header:
    fields: dict[str, int] = {}
    ignored: list[str] = []
    for col, key in enumerate(matches):
        if key is not None and key not in fields:
            fields[key] = col
        elif names[col]:
            ignored.append(names[col])
    return Header(row=number, names=tuple(names), fields=fields, ignored=tuple(ignored))


def _cell_text(cell: Cell) -> str:
    if cell is None:
        return ""
    return str(cell).strip()


def _is_xlsx(data: bytes) -> bool:
    return data[:4] == b"PK\x03\x04"


def read_table(
    data: bytes,
    filename: str = "",
    columns: Mapping[str, Iterable[str]] = REGISTER_COLUMNS,
    *,
    required: Sequence[str] = ("name",),
    limits: Limits | None = None,
) -> Table:
    """Open a register (.xlsx or .csv, told apart by content) and find its header.

    Raises SpreadsheetError when the file is not a readable sheet, goes beyond `limits`
    (the settings' when not given), or no row looks like a header naming at least two
    known columns including `required`. Limits met while the rows stream raise there.
    """
    matcher = HeaderMatcher(columns)
    limits = limits or Limits.from_settings()
    if data[:4] == b"\xd0\xcf\x11\xe0":
        raise SpreadsheetError("old_excel")
    if _is_xlsx(data):
        return _read_xlsx(data, matcher, required, limits)
    lowered = filename.lower()
    if lowered.endswith((".xlsx", ".xlsm", ".xls")):
        raise SpreadsheetError("unreadable")
    return _read_csv(data, matcher, required, limits)


def check_zip(data: bytes, limits: Limits) -> None:
    """Refuse an .xlsx whose members would inflate beyond `limits`, before inflating any."""
    try:
        members = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise SpreadsheetError("unreadable") from exc
    if len(members) > limits.members:
        raise SpreadsheetError("unreadable")
    total = 0
    for member in members:
        total += member.file_size
        if member.file_size > _RATIO_FLOOR and member.file_size > limits.compression_ratio * max(
            member.compress_size, 1
        ):
            ratio = member.file_size // max(member.compress_size, 1)
            raise SpreadsheetError("zip_bomb", part=member.filename[:60], ratio=ratio)
        if member.filename.lower().endswith("sharedstrings.xml") and (
            member.file_size > limits.shared_strings_bytes
        ):
            raise SpreadsheetError("inflates", limit=limits.shared_strings_bytes // MB)
    if total > limits.uncompressed_bytes:
        raise SpreadsheetError("inflates", limit=limits.uncompressed_bytes // MB)


def open_workbook(data: bytes, limits: Limits) -> Any:
    """An .xlsx opened read-only by openpyxl, once its zip passed `check_zip`."""
    check_zip(data, limits)
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise SpreadsheetError("unreadable") from exc


def bounded_rows(rows: Iterable[Sequence[Cell]], limits: Limits) -> Iterator[tuple[Cell, ...]]:
    """Rows as they stream, each trimmed of its empty tail, within `limits`.

    Blank rows count towards the time only: a sheet formatted far below its data costs
    reading, not memory.
    """
    deadline = time.monotonic() + limits.seconds
    filled = 0
    for number, raw in enumerate(rows, start=1):
        if number % 1000 == 0 and time.monotonic() > deadline:
            raise SpreadsheetError("too_slow", limit=int(limits.seconds))
        cells = _trim(raw)
        if not cells:
            yield cells
            continue
        filled += 1
        if filled > limits.rows:
            raise SpreadsheetError("too_many_rows", limit=limits.rows)
        if len(cells) > limits.columns:
            raise SpreadsheetError("too_many_columns", row=number, limit=limits.columns)
        for cell in cells:
            if isinstance(cell, str) and len(cell) > limits.cell_chars:
                raise SpreadsheetError("cell_too_long", row=number, limit=limits.cell_chars)
        yield cells


def _open_rows(first: list[Row], rest: Iterator[Row]) -> Iterator[Row]:
    yield from first
    yield from rest


def _read_xlsx(
    data: bytes, matcher: HeaderMatcher, required: Sequence[str], limits: Limits
) -> Table:
    check_zip(data, limits)
    if fits_calamine(data):
        return _read_xlsx_calamine(data, matcher, required, limits)
    return _read_xlsx_openpyxl(data, matcher, required, limits)


_CELL_COLUMN = re.compile(rb' r="([A-Z]{1,3})[0-9]')
_ROW_NUMBER = re.compile(rb' r="([0-9]+)"')


def sheet_extent(xml: bytes, cells: int = DENSE_CELLS) -> tuple[int, int]:
    """(rows, columns) from A1 to the farthest cell a worksheet's XML names, as far as
    it matters: a height beyond `cells` ÷ columns is returned as found, not exactly.

    Every ` r="…"` attribute counts (a cell's reference, a row's number), whatever else
    the tag holds; cells without a reference follow their row and the cell before them,
    so they cannot reach far without bytes, which `check_zip` bounds.
    """
    letters = set(_CELL_COLUMN.findall(xml))
    width = max((column_index_from_string(c.decode()) for c in letters), default=0)
    height = max((int(n) for n in _ROW_NUMBER.findall(xml)), default=0)
    # Cell references with as many digits as the largest height that fits, or more:
    # usually none, or the last rows of a long sheet.
    digits = len(str(cells // max(width, 1)))
    far = re.findall(rb' r="[A-Z]{1,3}([0-9]{%d,})"' % digits, xml)
    height = max([height, *(int(n) for n in far)])
    return height, width


def fits_calamine(data: bytes, cells: int = DENSE_CELLS) -> bool:
    """True when every worksheet of the .xlsx (already through `check_zip`) is small
    enough for calamine's dense layout."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        for member in archive.infolist():
            name = member.filename.lower()
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                height, width = sheet_extent(archive.read(member), cells)
                if height * width > cells:
                    return False
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise SpreadsheetError("unreadable") from exc
    return True


def _read_xlsx_calamine(
    data: bytes, matcher: HeaderMatcher, required: Sequence[str], limits: Limits
) -> Table:
    deadline = time.monotonic() + limits.seconds
    try:
        workbook = CalamineWorkbook.from_filelike(io.BytesIO(data))
    except (CalamineError, OSError, ValueError) as exc:
        raise SpreadsheetError("unreadable") from exc
    try:
        for index, meta in enumerate(workbook.sheets_metadata):
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            # The sheet holds its cells itself: the workbook may be closed once it is read.
            sheet = workbook.get_sheet_by_index(index)
            if time.monotonic() > deadline:
                raise SpreadsheetError("too_slow", limit=int(limits.seconds))
            stream = _calamine_rows(sheet, limits)
            head = [row for _, row in zip(range(HEADER_SCAN_ROWS), stream, strict=False)]
            found = _find_header(head, matcher, required)
            if found is None:
                stream.close()
                continue
            last, header = found
            end = sheet.end
            return Table(
                header=header,
                sheet_name=str(meta.name),
                preamble=head[: last + 1],
                rows_estimate=(end[0] + 1 - header.row) if end is not None else None,
                _rows=_open_rows(head[last + 1 :], stream),
            )
    except (CalamineError, OSError, ValueError) as exc:
        if isinstance(exc, SpreadsheetError):
            raise
        raise SpreadsheetError("unreadable") from exc
    finally:
        workbook.close()
    raise SpreadsheetError("no_header")


_MIDNIGHT = dt.time(0, 0)
# Whole numbers below this are ints, as openpyxl reads the digits Excel writes for them;
# larger ones Excel writes as 6.20103196012025E+17, which openpyxl reads as a float.
_EXACT_INTS = 10**15


def _calamine_cell(value: Any) -> Cell:
    """A cell as openpyxl would give it (the rest of the importer was written for that)."""
    kind = type(value)
    if kind is str:
        return value if value else None
    if kind is float:
        if value.is_integer() and -_EXACT_INTS < value < _EXACT_INTS:
            return int(value)
        return value  # type: ignore[no-any-return]
    if kind is dt.date:
        return dt.datetime.combine(value, _MIDNIGHT)
    return value  # type: ignore[no-any-return]


def _calamine_rows(sheet: Any, limits: Limits) -> Generator[Row, None, None]:
    """A calamine sheet's rows, numbered as in the sheet, padded on the left to column A.

    python-calamine's `iter_rows` starts at row 1 but at the sheet's first used column
    (test_readers pins both, against openpyxl).
    """
    start = sheet.start
    pad: tuple[Cell, ...] = (None,) * (start[1] if start is not None else 0)
    convert = _calamine_cell

    def cells() -> Iterator[tuple[Cell, ...]]:
        for raw in sheet.iter_rows():
            # Text, most of a register, is converted inline: a call per cell is a third
            # of the conversion.
            yield pad + tuple([v or None if type(v) is str else convert(v) for v in raw])

    for number, row in enumerate(bounded_rows(cells(), limits), start=1):
        yield Row(number, row)


def _read_xlsx_openpyxl(
    data: bytes, matcher: HeaderMatcher, required: Sequence[str], limits: Limits
) -> Table:
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError) as exc:
        raise SpreadsheetError("unreadable") from exc
    for sheet in workbook.worksheets:
        declared = getattr(sheet, "max_row", None)
        if hasattr(sheet, "reset_dimensions"):
            # Some programs write a wrong <dimension>; read every row that is there.
            sheet.reset_dimensions()
        stream = _xlsx_rows(sheet, limits)
        head = [row for _, row in zip(range(HEADER_SCAN_ROWS), stream, strict=False)]
        found = _find_header(head, matcher, required)
        if found is None:
            stream.close()
            continue
        last, header = found
        return Table(
            header=header,
            sheet_name=str(sheet.title),
            preamble=head[: last + 1],
            rows_estimate=(declared - header.row) if isinstance(declared, int) else None,
            _rows=_closing(_open_rows(head[last + 1 :], stream), workbook),
        )
    workbook.close()
    raise SpreadsheetError("no_header")


def _xlsx_rows(sheet: Any, limits: Limits) -> Generator[Row, None, None]:
    rows = bounded_rows(sheet.iter_rows(values_only=True), limits)
    for number, cells in enumerate(rows, start=1):
        yield Row(number, cells)


def _closing(rows: Iterator[Row], workbook: Any) -> Iterator[Row]:
    try:
        yield from rows
    finally:
        workbook.close()


def _trim(cells: Sequence[Cell]) -> tuple[Cell, ...]:
    end = len(cells)
    while end and (cells[end - 1] is None or cells[end - 1] == ""):
        end -= 1
    return tuple(cells[:end])


def decode_text(data: bytes) -> str:
    """A CSV file's text: UTF-8 (BOM or not), UTF-16 with BOM, else GBK (Excel's "ANSI"
    on a Chinese Windows), else GB18030."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :].decode("utf-8")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data.decode("utf-16")
    for encoding in ("utf-8", "gbk"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue  # not this encoding: try the next
    try:
        # GB18030 decodes the rare characters GBK lacks (four-byte sequences).
        return data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise SpreadsheetError("encoding") from exc


def _read_csv(
    data: bytes, matcher: HeaderMatcher, required: Sequence[str], limits: Limits
) -> Table:
    text = decode_text(data)
    if "\x00" in text:
        raise SpreadsheetError("unreadable")
    sample = text[:20000]
    # The separator is the one most used near the top (Excel writes "," or, for
    # "Unicode text", tabs); csv.Sniffer is easily misled by title rows without any.
    delimiter = max(",\t;", key=sample.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records = ([value if value != "" else None for value in record] for record in reader)

    def stream() -> Iterator[Row]:
        try:
            for number, cells in enumerate(bounded_rows(records, limits), start=1):
                yield Row(number, cells)
        except csv.Error as exc:
            raise SpreadsheetError("unreadable") from exc

    rows = stream()
    head = [row for _, row in zip(range(HEADER_SCAN_ROWS), rows, strict=False)]
    found = _find_header(head, matcher, required)
    if found is None:
        raise SpreadsheetError("no_header")
    last, header = found
    return Table(
        header=header,
        sheet_name="",
        preamble=head[: last + 1],
        rows_estimate=max(text.count("\n") - header.row, 0),
        _rows=_open_rows(head[last + 1 :], rows),
    )


# Excel shows a long number in scientific notation, and a CSV saved from it keeps that text.
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")


def stored_as_number(cell: Cell) -> bool:
    """True when the cell holds a number, or the text Excel writes for one (6.20103E+17).

    An 18-digit ID number stored as a number has lost its last digits (Excel keeps 15
    significant digits): such a value must never be stored.
    """
    if isinstance(cell, bool):
        return False
    if isinstance(cell, int | float):
        return True
    if isinstance(cell, str):
        return bool(_SCIENTIFIC.match(unicodedata.normalize("NFKC", cell).strip().replace(" ", "")))
    return False


def as_text(cell: Cell) -> str:
    """A cell as text for fields that are text (phones, rooms): 1201.0 → "1201"."""
    if type(cell) is str:
        return cell.strip()
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        if cell.time() == dt.time(0, 0):
            return cell.date().isoformat()
        return cell.isoformat(sep=" ")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    return str(cell).strip()


_DATE_TEXT = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_DIGITS = re.compile(r"^(\d{4})(\d{2})(\d{2})$")


def as_date(cell: Cell) -> dt.date | None:
    """A date cell, or text such as 1980-05-17, 1980/5/17, 1980年5月17日, 19800517.

    A plain number between 1 and 2958465 that is not eight digits is an Excel serial day
    (a date column that lost its date format). Raises ValueError for anything else.
    """
    if cell is None:
        return None
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    if isinstance(cell, bool):
        raise ValueError("not a date")
    if isinstance(cell, int | float):
        if isinstance(cell, float) and not cell.is_integer():
            raise ValueError("not a date")
        whole = int(cell)
        match = _DATE_DIGITS.match(str(whole))
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        if 0 < whole < 2958466:
            value = from_excel(whole)
            if isinstance(value, dt.datetime):
                return value.date()
        raise ValueError("not a date")
    if isinstance(cell, str):
        text = unicodedata.normalize("NFKC", cell).strip()
        if not text:
            return None
        text = text.split(" ")[0] if re.match(r"^\d{4}-\d{2}-\d{2} ", text) else text
        match = _DATE_TEXT.match(text) or _DATE_DIGITS.match(text)
        if match:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
    raise ValueError("not a date")
