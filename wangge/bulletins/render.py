"""A bulletin's content laid out as the PDF (WeasyPrint, charts as SVG) and as the workbook.

The workbook holds the same figures as the PDF, as numbers (coverage as a percentage
cell, not text), one sheet each: the headline with the changes, the areas below, each list,
the docking, and the 14 days of the trend. XlsxWriter writes it (formats, widths, frozen
header rows); every text goes through `wangge.lib.excel.safe_cell`, so an area or a text
beginning with "=" stays text.
"""

import base64
import io
from collections.abc import Sequence
from typing import Any

import xlsxwriter  # type: ignore[import-untyped]
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, pgettext
from xlsxwriter.format import Format  # type: ignore[import-untyped]
from xlsxwriter.worksheet import Worksheet  # type: ignore[import-untyped]

from wangge.bulletins import charts
from wangge.bulletins.content import BulletinContent, risk_label
from wangge.core.pdf import render_pdf
from wangge.lib.excel import safe_cell, sheet_title
from wangge.snapshots.figures import FIGURES, RATIOS, ratio_value

STYLESHEET = "bulletins/bulletin_print.css"


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def pdf_bytes(content: BulletinContent) -> bytes:
    """The bulletin as an A4 PDF (in the active language)."""
    drawn = charts.draw(content)
    children = drawn.pop("children", None)
    return render_pdf(
        "bulletins/bulletin_pdf.html",
        {
            "b": content,
            "made_at": date_format(timezone.localtime(content.made_at), "DATETIME_FORMAT"),
            "trend_charts": [(name, _data_uri(svg)) for name, svg in drawn.items()],
            "children_chart": _data_uri(children) if children else "",
        },
        stylesheets=[STYLESHEET],
    )


class _Book:
    """A workbook with the bulletin's few formats."""

    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.book = xlsxwriter.Workbook(self.buffer, {"in_memory": True})
        self.title = self.book.add_format({"bold": True, "font_size": 14, "font_color": "#C00000"})
        self.bold = self.book.add_format({"bold": True})
        self.header = self.book.add_format(
            {"bold": True, "bg_color": "#F2F2F2", "bottom": 1, "text_wrap": True, "valign": "top"}
        )
        self.integer = self.book.add_format({"num_format": "#,##0"})
        self.decimal = self.book.add_format({"num_format": "#,##0.0"})
        self.percent = self.book.add_format({"num_format": "0.0%"})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.good = self.book.add_format(
            {"num_format": "+#,##0.0;-#,##0.0;0", "font_color": "#1E7B34"}
        )
        self.bad = self.book.add_format(
            {"num_format": "+#,##0.0;-#,##0.0;0", "font_color": "#C00000", "bold": True}
        )
        self.change = self.book.add_format({"num_format": "+#,##0.0;-#,##0.0;0"})
        self.wrap = self.book.add_format({"text_wrap": True, "valign": "top"})

    def sheet(
        self,
        name: str,
        columns: Sequence[tuple[str, float]],
        *,
        preamble: Sequence[str] = (),
    ) -> tuple[Worksheet, int]:
        """A sheet with its preamble lines, a frozen header row and column widths; the row
        where the data starts."""
        sheet = self.book.add_worksheet(sheet_title(name))
        row = 0
        for index, line in enumerate(preamble):
            sheet.write_string(row, 0, str(safe_cell(line)), self.title if index == 0 else None)
            row += 1
        if preamble:
            row += 1
        for column, (header, width) in enumerate(columns):
            sheet.write_string(row, column, str(safe_cell(header)), self.header)
            sheet.set_column(column, column, width)
        sheet.freeze_panes(row + 1, 1)
        return sheet, row + 1

    def cell(
        self, sheet: Worksheet, row: int, column: int, value: Any, fmt: Format | None = None
    ) -> None:
        """A number as a number (formatted), anything else as defused text."""
        if value is None:
            sheet.write_blank(row, column, None, fmt)
        elif isinstance(value, bool):
            sheet.write_boolean(row, column, value)
        elif isinstance(value, int | float):
            sheet.write_number(row, column, value, fmt or self.integer)
        else:
            sheet.write_string(row, column, str(safe_cell(value)), fmt)

    def to_bytes(self) -> bytes:
        self.book.close()
        return self.buffer.getvalue()


def _fraction(percent: float | None) -> float | None:
    """A percentage as the fraction a percent-formatted cell holds."""
    return None if percent is None else percent / 100


def _headline(book: _Book, content: BulletinContent) -> None:
    before = content.previous_day.isoformat() if content.previous_day else "—"
    sheet, row = book.sheet(
        gettext("Headline figures"),
        [
            (gettext("Section"), 14),
            (pgettext("indicator", "Figure"), 26),
            (gettext("Value"), 12),
            (gettext("The day before (%(day)s)") % {"day": before}, 16),
            (pgettext("day over day", "Change"), 10),
        ],
        preamble=[
            content.title,
            f"{content.area_path} · {content.day_label} · "
            + gettext("version %(version)s") % {"version": content.version},
            content.summary,
        ],
    )
    for block in content.sections:
        for line in block.lines:
            book.cell(sheet, row, 0, block.label)
            book.cell(sheet, row, 1, line.label)
            if line.is_risk:
                book.cell(sheet, row, 2, line.shown)
                if line.previous is not None:
                    book.cell(sheet, row, 3, risk_label(int(line.previous)))
            elif line.is_ratio and line.unit == "%":
                book.cell(sheet, row, 2, _fraction(line.value), book.percent)
                book.cell(sheet, row, 3, _fraction(line.previous), book.percent)
                tone = {"good": book.good, "bad": book.bad}.get(line.tone, book.change)
                book.cell(sheet, row, 4, line.change, tone)
            else:
                fmt = book.decimal if line.decimals else book.integer
                book.cell(sheet, row, 2, line.value, fmt)
                book.cell(sheet, row, 3, line.previous, fmt)
                tone = {"good": book.good, "bad": book.bad}.get(line.tone, book.change)
                book.cell(sheet, row, 4, line.change, tone)
            row += 1


def _children(book: _Book, content: BulletinContent) -> None:
    coverage = [r for r in RATIOS if r.key == "testing.coverage"][0]
    columns = [(gettext("Area"), 18), (gettext("Kind"), 8), (str(coverage.label), 9)]
    columns += [(str(figure.label), 10) for figure in FIGURES]
    sheet, row = book.sheet(gettext("Areas below"), columns)
    for child in content.children:
        book.cell(sheet, row, 0, child.name)
        book.cell(sheet, row, 1, child.kind)
        if not child.made:
            book.cell(sheet, row, 2, gettext("not made"))
            row += 1
            continue
        value = ratio_value(coverage, child.figures)
        book.cell(sheet, row, 2, None if value is None else value / 100, book.percent)
        for column, figure in enumerate(FIGURES, start=3):
            if figure.key == "control.risk_level":
                book.cell(sheet, row, column, child.shown(figure.key))
            else:
                book.cell(sheet, row, column, child.value(figure.key))
        row += 1


def _lists(book: _Book, content: BulletinContent) -> None:
    for block in content.by_area:
        columns = [(gettext("Area"), 18)] + [(label, 12) for label in block.columns]
        if block.ratio_label:
            columns.append((block.ratio_label, 10))
        sheet, row = book.sheet(block.label, columns)
        for item in block.rows:
            book.cell(sheet, row, 0, item.name)
            for column, count in enumerate(item.counts, start=1):
                book.cell(sheet, row, column, count)
            if block.ratio_label:
                ratio = None if item.ratio is None else item.ratio / 100
                book.cell(sheet, row, len(item.counts) + 1, ratio, book.percent)
            row += 1
    for action_list in content.lists:
        sheet, row = book.sheet(
            action_list.label,
            [
                (gettext("Area"), 18),
                (gettext("Number"), 16),
                (gettext("What"), 48),
                (pgettext("time limit", "Due"), 12),
            ],
            preamble=[
                action_list.label,
                gettext("%(total)s in all; %(shown)s listed.")
                % {"total": action_list.total, "shown": len(action_list.items)},
            ],
        )
        for entry in action_list.items:
            book.cell(sheet, row, 0, entry.area)
            book.cell(sheet, row, 1, entry.ref)
            book.cell(sheet, row, 2, entry.text, book.wrap)
            book.cell(sheet, row, 3, entry.due)
            row += 1


def _docking(book: _Book, content: BulletinContent) -> None:
    docking = content.docking
    if docking is None:
        return
    sheet, row = book.sheet(
        gettext("Docking"),
        [
            (pgettext("docking", "Unit"), 18),
            (pgettext("indicator", "Figure"), 22),
            (gettext("As reported"), 12),
            (gettext("Corrected to"), 12),
            (gettext("Reason"), 40),
        ],
        preamble=[
            gettext("Docking of the day's figures"),
            gettext(
                "%(units)s units: %(confirmed)s confirmed, %(corrected)s corrected, "
                "%(missing)s not yet answered; %(late)s answered late."
            )
            % {
                "units": docking.units,
                "confirmed": docking.confirmed,
                "corrected": docking.corrected,
                "missing": docking.missing,
                "late": docking.late,
            },
            gettext("Not yet answered:") + " " + "、".join(docking.not_yet),
        ],
    )
    for line in docking.corrections:
        book.cell(sheet, row, 0, line.unit)
        book.cell(sheet, row, 1, line.figure)
        book.cell(sheet, row, 2, line.reported)
        book.cell(sheet, row, 3, line.corrected)
        book.cell(sheet, row, 4, line.reason, book.wrap)
        row += 1


def _trend(book: _Book, content: BulletinContent) -> None:
    columns = [(gettext("Day"), 11)]
    columns += [(str(ratio.label), 10) for ratio in RATIOS]
    columns += [(str(figure.label), 10) for figure in FIGURES]
    sheet, row = book.sheet(gettext("Trend over 14 days"), columns)
    for index, day in enumerate(content.trend.days):
        sheet.write_datetime(row, 0, day, book.date)
        column = 1
        for ratio in RATIOS:
            value = content.trend.ratios[ratio.key][index]
            if ratio.scale == 100:
                book.cell(sheet, row, column, None if value is None else value / 100, book.percent)
            else:
                book.cell(sheet, row, column, value, book.decimal)
            column += 1
        for figure in FIGURES:
            book.cell(sheet, row, column, content.trend.figures[figure.key][index])
            column += 1
        row += 1


def xlsx_bytes(content: BulletinContent) -> bytes:
    """The bulletin's figures as a workbook (in the active language)."""
    book = _Book()
    _headline(book, content)
    _children(book, content)
    _lists(book, content)
    _docking(book, content)
    _trend(book, content)
    return book.to_bytes()
