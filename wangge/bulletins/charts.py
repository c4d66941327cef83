"""The bulletin's charts: matplotlib (Agg, no pyplot state) drawn as SVG for the PDF.

Text stays text in the SVG (in WenQuanYi Micro Hei, Debian's fonts-wqy-microhei, which
the set-up installs and the PDF embeds), so the chart's words are searchable in the PDF
and the file stays small; the PDF embeds the glyphs, so it prints the same anywhere. The
charts are kept lean (no point markers, fixed margins instead of matplotlib's tight layout)
because laying out an SVG's every element is most of what a bulletin costs. The SVG's ids
come from a fixed salt and it carries no date, so the same figures draw the same file.
"""

import datetime as dt
import io
import math
from collections.abc import Sequence
from typing import Any

import matplotlib
from django.utils.translation import gettext
from matplotlib import font_manager
from matplotlib.backends.backend_svg import FigureCanvasSVG
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from wangge.bulletins.content import BulletinContent
from wangge.snapshots.figures import FIGURE_BY_KEY

FONT = "WenQuanYi Micro Hei"
# The colours of the series of a chart, in order (print well in grey too: dark, then light).
COLOURS = ("#1f4e79", "#c0392b", "#7f8c8d", "#27ae60")
GRID = "#d9d9d9"
# Children drawn at most in the bar chart (the lowest coverage first when there are more).
MAX_BARS = 40

_STYLE: Any = {
    "font.family": "sans-serif",
    "font.sans-serif": [FONT, "DejaVu Sans"],
    "font.size": 8,
    "axes.unicode_minus": False,
    "svg.fonttype": "none",
    "svg.hashsalt": "wangge-bulletin",
    "axes.spines.top": False,
    "axes.spines.right": False,
}


def _register_font() -> None:
    """matplotlib keeps the system's fonts in a cache made the first time it runs: a font
    installed after that (the set-up installs fonts-wqy-microhei, maybe after a first run)
    is not in it, and every Chinese word would be measured in DejaVu Sans, which has no
    such glyphs. Such a font is added by its file."""
    if any(entry.name == FONT for entry in font_manager.fontManager.ttflist):
        return
    for path in font_manager.findSystemFonts():
        if "wqy-microhei" in path.lower():
            font_manager.fontManager.addfont(path)


_register_font()


def _svg(figure: Figure) -> str:
    buffer = io.StringIO()
    FigureCanvasSVG(figure)
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return buffer.getvalue()


def line_chart(
    title: str,
    days: Sequence[dt.date],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    percent: bool = False,
) -> str:
    """Lines over the days (a day not made is a gap), as SVG."""
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(3.6, 2.1))
        axes = figure.add_subplot()
        positions = list(range(len(days)))
        for index, (label, values) in enumerate(series):
            points = [math.nan if value is None else float(value) for value in values]
            axes.plot(
                positions,
                points,
                label=label,
                color=COLOURS[index % len(COLOURS)],
                linewidth=1.4,
            )
        figure.suptitle(title, fontsize=9, x=0.02, y=0.98, ha="left", va="top")
        step = max(1, len(days) // 7)
        axes.set_xticks(positions[::step], [f"{day:%m-%d}" for day in days[::step]])
        axes.tick_params(labelsize=7, length=2)
        axes.grid(axis="y", color=GRID, linewidth=0.5)
        axes.set_ylim(bottom=0)
        if percent:
            # Coverage lives near the top: start the axis below the lowest day, by tens.
            known = [v for _, values in series for v in values if v is not None]
            low = min(known, default=0.0)
            axes.set_ylim(max(0.0, math.floor((low - 5) / 10) * 10), 100)
        else:
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        if len(series) > 1:
            axes.legend(
                fontsize=7,
                frameon=False,
                loc="lower left",
                bbox_to_anchor=(0, 1.0),
                ncols=len(series),
                borderaxespad=0.1,
                handlelength=1.2,
            )
        figure.subplots_adjust(left=0.1, right=0.98, bottom=0.12, top=0.8)
        return _svg(figure)


def bar_chart(title: str, names: Sequence[str], values: Sequence[float | None]) -> str:
    """Horizontal bars (percent), one per name, top to bottom, as SVG."""
    with matplotlib.rc_context(_STYLE):
        height = 0.9 + 0.2 * len(names)
        figure = Figure(figsize=(7.2, height))
        axes = figure.add_subplot()
        positions = list(range(len(names)))
        shown = [0.0 if value is None else value for value in values]
        bars = axes.barh(positions, shown, color=COLOURS[0], height=0.62)
        for bar, value in zip(bars, values, strict=True):
            label = "—" if value is None else f"{value:.1f}%"
            axes.text(
                min(bar.get_width(), 100) + 0.8,
                bar.get_y() + bar.get_height() / 2,
                label,
                va="center",
                fontsize=7,
            )
        axes.set_yticks(positions, list(names))
        axes.invert_yaxis()
        axes.set_xlim(0, 108)
        axes.set_xticks([0, 20, 40, 60, 80, 100], ["0", "20", "40", "60", "80", "100%"])
        axes.tick_params(labelsize=7, length=2)
        axes.grid(axis="x", color=GRID, linewidth=0.5)
        axes.set_axisbelow(True)
        figure.suptitle(title, fontsize=9, x=0.01, y=1 - 0.05 / height, ha="left", va="top")
        # Room on the left for the longest name (7-point CJK characters are ~0.1 inch wide).
        longest = max((len(name) for name in names), default=4)
        figure.subplots_adjust(
            left=min(0.4, (0.15 + 0.1 * longest) / 7.2),
            right=0.97,
            bottom=0.3 / height,
            top=1 - 0.35 / height,
        )
        return _svg(figure)


def trend_charts(content: BulletinContent) -> dict[str, str]:
    """The 14-day trends the bulletin shows, by name, as SVG."""
    trend = content.trend
    days = trend.days

    def figures(*keys: str) -> list[tuple[str, Sequence[float | None]]]:
        return [(str(FIGURE_BY_KEY[key].label), trend.figures[key]) for key in keys]

    return {
        "coverage": line_chart(
            gettext("Coverage (%)"),
            days,
            [(content.coverage_label, trend.ratios["testing.coverage"])],
            percent=True,
        ),
        "untested": line_chart(
            gettext("Untested"), days, figures("testing.untested", "testing.followed_up")
        ),
        "positives": line_chart(
            gettext("Positives"), days, figures("testing.positive_pools", "testing.positive_cases")
        ),
        "keypersons": line_chart(
            gettext("Key persons: overdue"),
            days,
            figures("control.checks_overdue", "control.tests_overdue"),
        ),
        "incidents": line_chart(
            gettext("Incidents"), days, figures("incidents.open", "incidents.missed")
        ),
        "services": line_chart(
            gettext("Service requests"), days, figures("services.open", "services.late")
        ),
    }


def children_chart(content: BulletinContent) -> str | None:
    """The children's coverage as bars (the lowest MAX_BARS when there are more); None when
    the area has no child whose day was made."""
    rows = [row for row in content.children if row.made]
    if not rows:
        return None
    if len(rows) > MAX_BARS:
        rows = sorted(rows, key=lambda row: -1.0 if row.coverage is None else row.coverage)
        rows = rows[:MAX_BARS]
    return bar_chart(
        gettext("Coverage of the areas below"),
        [row.name for row in rows],
        [row.coverage for row in rows],
    )


def draw(content: BulletinContent) -> dict[str, str]:
    """Every chart of the bulletin (trends, and the children's coverage when there are any)."""
    charts = trend_charts(content)
    children = children_chart(content)
    if children is not None:
        charts["children"] = children
    return charts
