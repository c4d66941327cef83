import datetime as dt
import warnings

from matplotlib import font_manager

from wangge.bulletins import charts


def test_the_chinese_font_is_used_even_if_matplotlib_cached_its_fonts_before_it_was_installed(
    monkeypatch,
):
    # matplotlib's cached font list as a machine has it when matplotlib ran before the
    # set-up installed fonts-wqy-microhei.
    without = [entry for entry in font_manager.fontManager.ttflist if entry.name != charts.FONT]
    monkeypatch.setattr(font_manager.fontManager, "ttflist", without)
    font_manager.fontManager._findfont_cached.cache_clear()  # noqa: SLF001 - its lookup cache
    charts._register_font()  # noqa: SLF001
    font_manager.fontManager._findfont_cached.cache_clear()  # noqa: SLF001
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        svg = charts.line_chart(
            "检测覆盖率", [dt.date(2026, 12, 1), dt.date(2026, 12, 2)], [("应检", [1.0, 2.0])]
        )
    assert charts.FONT in svg
    assert not [w for w in caught if "missing from font" in str(w.message)]
