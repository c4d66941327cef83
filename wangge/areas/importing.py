"""Reading an area-tree sheet (CSV or .xlsx) into rows, as offices keep division lists.

The columns are code, name, kind and parent code, under English or Chinese headers
(区划代码 / 代码, 名称, 类型 / 级别, 上级代码 …), possibly below a title row. Kinds may be
written as the product's values (``compound``), its English labels or the Chinese words
(市, 区, 县, 街道, 镇, 乡, 社区, 村, 网格, 小区, 村组, 楼栋). Reading never touches the
database: `wangge.areas.actions.plan_tree_import` decides what the rows mean.
"""

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from wangge.areas.choices import AreaKind
from wangge.lib import spreadsheets

# Header names seen in division lists, lower-cased and without spaces.
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "code": (
        "code",
        "areacode",
        "divisioncode",
        "区划代码",
        "代码",
        "编码",
        "区划编码",
        "行政区划代码",
        "统计用区划代码",
        "统计代码",
    ),
    "name": ("name", "areaname", "名称", "区划名称", "地区名称", "单位名称", "名字"),
    "kind": ("kind", "type", "level", "类型", "级别", "层级", "类别", "区划类型"),
    "parent_code": (
        "parentcode",
        "parent_code",
        "parent",
        "上级代码",
        "上级区划代码",
        "上级编码",
        "父级代码",
        "上级",
    ),
}
_HEADER_LOOKUP = {alias: column for column, aliases in HEADER_ALIASES.items() for alias in aliases}
# A header row is found within the first rows (titles and notes may come first).
HEADER_SEARCH_ROWS = 10

# Chinese kind words and common variants; the product's values and labels are added below.
KIND_ALIASES: dict[str, AreaKind] = {
    "市": AreaKind.CITY,
    "地级市": AreaKind.CITY,
    "州": AreaKind.CITY,
    "自治州": AreaKind.CITY,
    "地区": AreaKind.CITY,
    "盟": AreaKind.CITY,
    "区": AreaKind.DISTRICT,
    "县": AreaKind.DISTRICT,
    "区县": AreaKind.DISTRICT,
    "县区": AreaKind.DISTRICT,
    "市辖区": AreaKind.DISTRICT,
    "县级市": AreaKind.DISTRICT,
    "自治县": AreaKind.DISTRICT,
    "旗": AreaKind.DISTRICT,
    "街道": AreaKind.STREET,
    "街道办事处": AreaKind.STREET,
    "镇": AreaKind.TOWN,
    "乡": AreaKind.TOWNSHIP,
    "民族乡": AreaKind.TOWNSHIP,
    "苏木": AreaKind.TOWNSHIP,
    "社区": AreaKind.COMMUNITY,
    "居委会": AreaKind.COMMUNITY,
    "社区居委会": AreaKind.COMMUNITY,
    "村": AreaKind.VILLAGE,
    "行政村": AreaKind.VILLAGE,
    "村委会": AreaKind.VILLAGE,
    "嘎查": AreaKind.VILLAGE,
    "网格": AreaKind.GRID,
    "小区": AreaKind.COMPOUND,
    "村组": AreaKind.VILLAGE_GROUP,
    "组": AreaKind.VILLAGE_GROUP,
    "村民小组": AreaKind.VILLAGE_GROUP,
    "楼栋": AreaKind.BUILDING,
    "楼": AreaKind.BUILDING,
}
for _kind in AreaKind:
    KIND_ALIASES[_kind.value] = _kind
# The English labels, written out: evaluating the lazy labels here would translate them.
KIND_ALIASES.update(
    {
        "county": AreaKind.DISTRICT,
        "district / county": AreaKind.DISTRICT,
        "district/county": AreaKind.DISTRICT,
        "village group": AreaKind.VILLAGE_GROUP,
        "village_group": AreaKind.VILLAGE_GROUP,
    }
)

# The words the exporter writes; each reads back as the same kind.
KIND_EXPORT_NAMES: dict[str, str] = {
    AreaKind.CITY: "市",
    AreaKind.DISTRICT: "区县",
    AreaKind.STREET: "街道",
    AreaKind.TOWN: "镇",
    AreaKind.TOWNSHIP: "乡",
    AreaKind.COMMUNITY: "社区",
    AreaKind.VILLAGE: "村",
    AreaKind.GRID: "网格",
    AreaKind.COMPOUND: "小区",
    AreaKind.VILLAGE_GROUP: "村组",
    AreaKind.BUILDING: "楼栋",
}
EXPORT_HEADERS = ["区划代码", "名称", "类型", "上级代码"]

CODE_MAX_LENGTH = 12
NAME_MAX_LENGTH = 100
_CODE = re.compile(r"^[0-9A-Za-z]{1,12}$")
_FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
_SCIENTIFIC = re.compile(r"^\d(\.\d+)?E\+?\d+$", re.IGNORECASE)


class TreeFileError(ValueError):
    """The file cannot be read as an area tree at all (not a per-row problem)."""


class CodeError(ValueError):
    """A code cell that cannot be a division code; the message says why."""


@dataclass(frozen=True)
class TreeRow:
    """One data row of the sheet, as text, with its row number in the file (1-based)."""

    line: int
    code: str
    name: str
    kind: str
    parent_code: str


def _text(value: Any) -> str:
    """A cell as text: Excel numbers back to digits, full-width characters to ASCII."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value)
    if text[:1] == "'" and text[1:2] in _FORMULA_TRIGGERS:
        text = text[1:]  # the apostrophe exports put before text that looks like a formula
    return unicodedata.normalize("NFKC", text).strip()


def normalise_code(value: str) -> str:
    """A division code as stored; refuse what Excel mangled into a rounded number."""
    text = re.sub(r"\s", "", _text(value))
    if not text:
        return ""
    if _SCIENTIFIC.match(text):
        raise CodeError(
            str(
                _(
                    "Excel turned this code into a number and lost digits; "
                    "format the column as text and enter it again"
                )
            )
        )
    if text.endswith(".0") and text[:-2].isdigit():
        text = text[:-2]
    if not _CODE.match(text):
        raise CodeError(str(_("a code is 1 to 12 letters or digits")))
    return text.upper()


def parse_kind(value: str) -> AreaKind | None:
    """The kind a cell names (Chinese or English), or None when it names none."""
    text = _text(value).lower()
    return KIND_ALIASES.get(re.sub(r"\s+", " ", text)) or KIND_ALIASES.get(re.sub(r"\s", "", text))


def _header_key(value: Any) -> str:
    return re.sub(r"[\s_\-/()（）:：*]", "", _text(value)).lower()


def _find_columns(row: Sequence[Any]) -> dict[str, int] | None:
    columns: dict[str, int] = {}
    for index, cell in enumerate(row):
        key = _header_key(cell)
        column = _HEADER_LOOKUP.get(key)
        if column and column not in columns:
            columns[column] = index
    if {"name", "kind"} <= columns.keys() and ("code" in columns or "parent_code" in columns):
        return columns
    return None


def rows_from_table(table: Iterable[Sequence[Any]]) -> list[TreeRow]:
    """Data rows below the first header row; blank rows are skipped."""
    columns: dict[str, int] | None = None
    rows: list[TreeRow] = []
    for line, raw in enumerate(table, start=1):
        cells = list(raw)
        if columns is None:
            columns = _find_columns(cells)
            if columns is None and line >= HEADER_SEARCH_ROWS:
                break
            continue

        values = {
            column: _text(cells[index]) if index < len(cells) else ""
            for column, index in columns.items()
        }
        for column in HEADER_ALIASES:
            values.setdefault(column, "")
        if not any(values.values()):
            continue
        rows.append(TreeRow(line=line, **values))
    if columns is None:
        raise TreeFileError(
            str(
                _(
                    "No header row found: the sheet needs the columns code, name, kind and "
                    "parent code (区划代码, 名称, 类型, 上级代码)."
                )
            )
        )
    return rows


def _decode(data: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise TreeFileError(str(_("The CSV file is neither UTF-8 nor GBK text.")))


def _delimiter(text: str) -> str:
    """Comma, unless the first line is plainly separated by tabs or semicolons (Excel's
    "Unicode text" and some locales' CSV). Guessing from quoted cells goes wrong."""
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {sep: first.count(sep) for sep in (",", "\t", ";")}
    best = max(counts, key=lambda sep: counts[sep])
    return best if counts[best] > counts[","] else ","


def read_csv(data: bytes) -> list[TreeRow]:
    text = _decode(data)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(text))
    try:
        return rows_from_table(
            spreadsheets.bounded_rows(reader, spreadsheets.Limits.from_settings())
        )
    except spreadsheets.SpreadsheetError as exc:
        raise TreeFileError(str(exc)) from exc
    except csv.Error as exc:
        raise TreeFileError(str(spreadsheets.SpreadsheetError("unreadable"))) from exc


def read_xlsx(data: bytes) -> list[TreeRow]:
    limits = spreadsheets.Limits.from_settings()
    try:
        workbook = spreadsheets.open_workbook(data, limits)
    except spreadsheets.SpreadsheetError as exc:
        raise TreeFileError(str(exc)) from exc
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise TreeFileError(str(_("The file is not a readable .xlsx workbook."))) from exc
    try:
        last_error: TreeFileError | None = None
        for sheet in workbook.worksheets:
            try:
                return rows_from_table(
                    spreadsheets.bounded_rows(sheet.iter_rows(values_only=True), limits)
                )
            except TreeFileError as exc:
                last_error = exc
        raise last_error or TreeFileError(str(_("The workbook has no sheets.")))
    except spreadsheets.SpreadsheetError as exc:
        raise TreeFileError(str(exc)) from exc
    finally:
        workbook.close()


def read_tree_file(data: bytes, filename: str) -> list[TreeRow]:
    """The rows of an uploaded file, chosen by its extension (.csv, .txt or .xlsx)."""
    name = filename.lower()
    if name.endswith((".xlsx", ".xlsm")):
        return read_xlsx(data)
    if name.endswith((".csv", ".txt")):
        return read_csv(data)
    if name.endswith(".xls"):
        raise TreeFileError(
            str(_("Old .xls workbooks are not supported; save the sheet as .xlsx or CSV."))
        )
    raise TreeFileError(str(_("Upload a .csv or .xlsx file.")))


def rows_to_dicts(rows: Iterable[TreeRow]) -> list[dict[str, Any]]:
    """Rows as plain data (kept between upload and confirmation)."""
    return [
        {
            "line": row.line,
            "code": row.code,
            "name": row.name,
            "kind": row.kind,
            "parent_code": row.parent_code,
        }
        for row in rows
    ]


def rows_from_dicts(items: Iterable[dict[str, Any]]) -> list[TreeRow]:
    return [
        TreeRow(
            line=int(item["line"]),
            code=str(item["code"]),
            name=str(item["name"]),
            kind=str(item["kind"]),
            parent_code=str(item["parent_code"]),
        )
        for item in items
    ]
