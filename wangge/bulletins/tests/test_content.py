"""What a bulletin says, before any layout: changes, colours, masking, the opening line."""

import re

from hypothesis import given
from hypothesis import strategies as st

from wangge.bulletins.content import Line, scrub, sections_of, summary_of, tone_of
from wangge.snapshots.figures import Better


def test_a_rise_of_a_figure_where_down_is_better_is_bad_news():
    line = Line("testing.untested", "未检", 50, 40, Better.DOWN)
    assert (line.change, line.arrow, line.tone) == (10, "↑", "bad")
    assert line.change_shown == "↑ 10"


def test_a_fall_of_a_figure_where_up_is_better_is_bad_news_and_neither_is_uncoloured():
    assert tone_of(Better.UP, -3) == "bad"
    assert tone_of(Better.UP, 3) == "good"
    assert tone_of(Better.DOWN, -3) == "good"
    assert tone_of(Better.NEITHER, 3) == ""
    assert tone_of(Better.UP, 0) == ""


def test_without_a_day_before_no_change_is_shown():
    line = Line("testing.untested", "未检", 50, None, Better.DOWN)
    assert line.change is None
    assert line.change_shown == ""
    assert line.tone == ""


def test_coverage_changes_in_points_and_reads_the_ratio_of_two_figures():
    today = {"testing.expected": 1000, "testing.sampled": 960}
    before = {"testing.expected": 1000, "testing.sampled": 900}
    lines = {line.key: line for block in sections_of(today, before) for line in block.lines}
    coverage = lines["testing.coverage"]
    assert coverage.shown == "96.0%"
    assert coverage.change == 6.0
    assert coverage.tone == "good"
    assert "arrive_minutes" not in " ".join(lines)


def test_the_risk_level_is_written_as_its_name():
    lines = {
        line.key: line
        for block in sections_of({"control.risk_level": 3}, {"control.risk_level": 1})
        for line in block.lines
    }
    assert str(lines["control.risk_level"].shown) == "封控区"
    assert lines["control.risk_level"].change_shown == "↑ 防范区"


def test_the_opening_line_says_the_testing_and_what_needs_action(tree):
    today = {
        "testing.expected": 1000,
        "testing.sampled": 960,
        "testing.untested": 40,
        "services.late": 3,
        "workforce.gaps": 0,
    }
    before = {**today, "testing.untested": 55}
    text = summary_of(tree["street"], today, sections_of(today, before))
    assert "1,000" in text and "96.0%" in text and "40" in text
    assert "15" in text  # fewer untested than the day before
    assert "3" in text
    assert "包联空缺" not in text and "no one responsible" not in text


@given(st.text(alphabet="0123456789 -Xx张三送药上门", max_size=60))
def test_no_run_of_seven_digits_survives_masking(text):
    assert not re.search(r"\d{7}", scrub(text).replace(" ", "").replace("-", ""))


@given(st.text(alphabet=st.characters(blacklist_categories=["Nd"]), max_size=40))
def test_text_without_digits_is_left_as_it_is(text):
    assert scrub(text) == text


def test_a_phone_and_an_id_number_typed_into_a_text_are_masked():
    assert scrub("联系 13900001234 送药") == "联系 *********** 送药"
    assert "620103198005170017" not in scrub("身份证620103198005170017")
    assert scrub("3号楼2单元") == "3号楼2单元"
