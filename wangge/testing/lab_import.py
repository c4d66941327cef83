"""Reading a laboratory's result export (CSV or .xlsx, UTF-8 or GBK) into result items.

Laboratories export a sheet per batch: a barcode column (条码 / 样本编号 / 试管编号 …), a
result (阴性 / 阳性 / 无效, or negative / positive / invalid), often Ct values per target
(ORF1ab, N) and a time. The sheet is found and read by `wangge.lib.spreadsheets` (title
rows, header variants, blank and totals rows, encodings); this module turns its rows into
`ResultItem`s, says per row what is wrong, and keeps a checked file between the upload and
the person's choice: import the valid rows, or nothing. Nothing here guesses: a barcode
Excel turned into a rounded number, an unknown result word or an unreadable time is a row
error, and what the rows mean for the tubes is decided by `actions.results.plan_results`.
"""

import datetime as dt
import math
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.core.batch import ItemStatus, Tally
from wangge.core.staging import Staging
from wangge.lib.spreadsheets import Cell, as_text, read_table, stored_as_number
from wangge.testing.actions.results import ResultItem, plan_results
from wangge.testing.choices import TestResult
from wangge.testing.models import Tube

# The columns of a laboratory export: field key → the header names laboratories use.
LAB_COLUMNS: dict[str, tuple[str, ...]] = {
    "seq": ("序号", "no", "no.", "#"),
    "barcode": (
        "条码",
        "条码号",
        "条形码",
        "样本条码",
        "样本条码号",
        "样本编号",
        "样本号",
        "样品编号",
        "标本编号",
        "标本条码",
        "标本号",
        "试管编号",
        "试管条码",
        "试管号",
        "采样管编号",
        "采样管条码",
        "采样管号",
        "管码",
        "管号",
        "混管编号",
        "barcode",
        "bar code",
        "tube",
        "tube barcode",
        "tube id",
        "tube no",
        "sample id",
        "sample no",
        "sample number",
        "sample barcode",
        "specimen id",
    ),
    "result": (
        "结果",
        "检测结果",
        "核酸结果",
        "核酸检测结果",
        "检验结果",
        "检测结论",
        "结论",
        "报告结果",
        "result",
        "test result",
        "results",
        "outcome",
    ),
    "tested_at": (
        "检测时间",
        "检测日期",
        "检验时间",
        "报告时间",
        "报告日期",
        "出报告时间",
        "审核时间",
        "结果时间",
        "时间",
        "日期",
        "tested at",
        "tested_at",
        "test time",
        "test date",
        "report time",
        "reported at",
        "time",
        "date",
    ),
    "ct_orf1ab": (
        "orf1ab",
        "orf1ab基因",
        "orf1abct",
        "orf1abct值",
        "orf1ab基因ct",
        "orf1ab基因ct值",
        "orf1ab-ct",
        "ct orf1ab",
        "ct值orf1ab",
    ),
    "ct_n": ("n", "n基因", "nct", "nct值", "n基因ct", "n基因ct值", "n-ct", "ct n", "ct值n"),
    "ct_e": ("e", "e基因", "ect", "ect值", "e基因ct", "e基因ct值", "e-ct", "ct e", "ct值e"),
    "ct": ("ct", "ct值", "ct value", "ct values"),
}
CT_TARGETS = {"ct_orf1ab": "ORF1ab", "ct_n": "N", "ct_e": "E", "ct": "Ct"}

# The words laboratories write for a result, after NFKC, lower-case and no spaces.
RESULT_WORDS: dict[str, str] = {
    **dict.fromkeys(
        ("阴性", "阴", "未检出", "negative", "neg", "-", "−", "(-)", "阴性(-)"),
        TestResult.NEGATIVE,
    ),
    **dict.fromkeys(
        ("阳性", "阳", "检出", "positive", "pos", "+", "(+)", "阳性(+)"),
        TestResult.POSITIVE,
    ),
    **dict.fromkeys(
        (
            "无效",
            "无效样本",
            "不合格",
            "样本不合格",
            "invalid",
            "inv",
            "无效结果",
            "失败",
            "failed",
        ),
        TestResult.INVALID,
    ),
}
# Ct cells that mean "no amplification": the target is simply not reported.
NO_CT = frozenset({"", "-", "—", "/", "n/a", "na", "none", "noct", "undetermined", "未检出", "无"})

ERRORS: dict[str, Promise] = {
    "missing_barcode": _("The barcode is missing."),
    "barcode_as_number": _(
        "Excel turned this barcode into a number and may have lost digits; "
        "format the column as text and export again."
    ),
    "unknown_result": _("The result is not 阴性/阳性/无效 or negative/positive/invalid."),
    "bad_ct": _("A Ct value is not a number."),
    "bad_time": _("The time cannot be read (use 2026-11-23 08:15)."),
}


def normalise_barcode(value: str) -> str:
    """A barcode as stations store it: full-width folded, no spaces."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value))


def parse_result(value: object) -> str | None:
    """A TestResult value for what a laboratory wrote, or None if it is not one."""
    if not isinstance(value, str):
        return None
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).lower()
    return RESULT_WORDS.get(text)


def parse_ct(value: Cell | float | str) -> float | None:
    """A Ct value, None when there is none (blank, "未检出", "Undetermined"); ValueError
    for anything else."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("not a Ct value")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value))).lower()
        if text in NO_CT:
            return None
        number = float(text.lstrip("<>≥≤"))
    if not math.isfinite(number) or not 0 <= number <= 60:
        raise ValueError("not a Ct value")
    return round(number, 2)


_TIME_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y年%m月%d日 %H:%M:%S",
    "%Y年%m月%d日 %H:%M",
    "%Y年%m月%d日%H:%M",
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y年%m月%d日",
)


def parse_time(value: Cell | str) -> dt.datetime | None:
    """An aware time from a cell or text (local time when it carries no offset)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        moment = value
    elif isinstance(value, dt.date):
        moment = dt.datetime.combine(value, dt.time(0, 0))
    elif isinstance(value, str):
        text = re.sub(r"\s+", " ", unicodedata.normalize("NFKC", value)).strip()
        if not text:
            return None
        moment = _parse_time_text(text)
    else:
        raise ValueError("not a time")
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment


def _parse_time_text(text: str) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(text)
    except ValueError:
        pass  # not ISO 8601: try the laboratories' other formats
    for pattern in _TIME_FORMATS:
        try:
            return dt.datetime.strptime(text, pattern)  # noqa: DTZ007 - made aware by the caller
        except ValueError:
            continue
    raise ValueError("not a time")


@dataclass
class LabRow:
    """One data row of the file: its sheet row number, what it says, and any error."""

    number: int
    barcode: str
    result_text: str
    item: ResultItem | None = None
    error: str = ""

    @property
    def error_message(self) -> str:
        return str(ERRORS.get(self.error, "")) if self.error else ""


@dataclass
class LabFile:
    """A laboratory export read into rows (not yet checked against the tubes)."""

    filename: str
    rows: list[LabRow]
    ignored_columns: tuple[str, ...] = ()

    @property
    def items(self) -> list[ResultItem]:
        return [row.item for row in self.rows if row.item is not None]


def _barcode(cell: Cell) -> tuple[str, str]:
    """(barcode, error code)."""
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        return "", "missing_barcode"
    if isinstance(cell, float) and cell.is_integer() and abs(cell) < 1e15:
        return str(int(cell)), ""
    if isinstance(cell, int) and not isinstance(cell, bool):
        return str(cell), ""
    if stored_as_number(cell):
        return as_text(cell), "barcode_as_number"
    return normalise_barcode(as_text(cell)), ""


def read_lab_file(data: bytes, filename: str = "") -> LabFile:
    """Read a laboratory export; raises `wangge.lib.spreadsheets.SpreadsheetError` when the
    file is not a sheet with a barcode and a result column."""
    table = read_table(data, filename, LAB_COLUMNS, required=("barcode", "result"))
    fields = table.header.fields
    ct_columns = {CT_TARGETS[key]: index for key, index in fields.items() if key in CT_TARGETS}
    rows: list[LabRow] = []
    for raw in table.rows():
        barcode, error = _barcode(raw.get(fields["barcode"]))
        result_cell = raw.get(fields["result"])
        result_text = as_text(result_cell)
        row = LabRow(number=raw.number, barcode=barcode[:40], result_text=result_text[:20])
        rows.append(row)
        if error:
            row.error = error
            continue
        result = parse_result(result_text)
        if result is None:
            row.error = "unknown_result"
            continue
        ct_values: dict[str, float] = {}
        try:
            for target, index in ct_columns.items():
                value = parse_ct(raw.get(index))
                if value is not None:
                    ct_values[target] = value
        except ValueError:
            row.error = "bad_ct"
            continue
        try:
            tested_at = parse_time(raw.get(fields["tested_at"])) if "tested_at" in fields else None
        except ValueError:
            row.error = "bad_time"
            continue
        row.item = ResultItem(row.barcode, result, ct_values, tested_at)
    return LabFile(filename=filename, rows=rows, ignored_columns=table.header.ignored)


@dataclass
class RowReport:
    """A row and what importing it does: accepted, duplicate, or rejected with a reason."""

    row: LabRow
    status: str
    reason: str = ""
    reason_code: str = ""


@dataclass
class CheckReport(Tally):
    """The row-level report of a file against the tubes the user may load results for."""

    rows: list[RowReport] = field(default_factory=list)

    def statuses(self) -> Iterable[str]:
        return (row.status for row in self.rows)

    @property
    def problems(self) -> list[RowReport]:
        return [row for row in self.rows if row.status != ItemStatus.ACCEPTED]

    def by_reason(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for row in self.rows:
            if row.reason_code:
                counts[row.reason_code] = counts.get(row.reason_code, 0) + 1
        return counts


def check(lab_file: LabFile, tubes: "QuerySet[Tube]") -> CheckReport:
    """What importing the file would do, row by row, without writing anything."""
    outcomes, _found = plan_results(lab_file.items, tubes)
    by_item = iter(outcomes)
    report = CheckReport()
    for row in lab_file.rows:
        if row.item is None:
            report.rows.append(RowReport(row, ItemStatus.REJECTED, row.error_message, row.error))
            continue
        outcome = next(by_item)
        report.rows.append(RowReport(row, outcome.status, outcome.reason, outcome.reason_code))
    return report


# Checked files wait for the person's choice (rows only, no personal data: barcodes,
# results, times; encrypted all the same: results are health data), for the user who
# uploaded them, at most a day.
STAGING = Staging(purpose="lab", folder="lab")


def _row_to_dict(row: LabRow) -> dict[str, object]:
    item = row.item
    return {
        "n": row.number,
        "b": row.barcode,
        "r": row.result_text,
        "e": row.error,
        "i": None
        if item is None
        else [
            item.result,
            item.ct_values,
            item.tested_at.isoformat() if item.tested_at else None,
        ],
    }


def _row_from_dict(data: dict[str, object]) -> LabRow:
    row = LabRow(
        number=int(data["n"]),  # type: ignore[call-overload]
        barcode=str(data["b"]),
        result_text=str(data["r"]),
        error=str(data["e"]),
    )
    item = data["i"]
    if isinstance(item, list):
        result, ct_values, tested_at = item
        row.item = ResultItem(
            row.barcode,
            str(result),
            {str(k): float(v) for k, v in dict(ct_values).items()},
            dt.datetime.fromisoformat(tested_at) if tested_at else None,
        )
    return row


def save_pending(lab_file: LabFile, user_id: int) -> str:
    """Keep a checked file for its uploader's choice; returns the token that names it."""
    payload = {"filename": lab_file.filename, "rows": [_row_to_dict(row) for row in lab_file.rows]}
    return STAGING.keep(payload, owner=user_id)


def load_pending(token: str, user_id: int) -> LabFile | None:
    """The checked file, if it exists, is fresh and was uploaded by this user."""
    payload = STAGING.fetch(token, owner=user_id)
    if payload is None:
        return None
    return LabFile(
        filename=str(payload.get("filename", "")),
        rows=[_row_from_dict(row) for row in payload["rows"]],
    )


def discard_pending(token: str) -> None:
    STAGING.delete(token)
