"""The one place query parameters are read (wangge/core/params.py): whatever a query string
holds, the parsers return a value within bounds or raise BadParameter, never anything else;
and a page answers BadParameter with a 400 in the site's layout."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.http import QueryDict
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory, grant
from wangge.core import params
from wangge.core.params import BadParameter, BoundedDateField
from wangge.core.permissions import Role

HYPOTHESIS = settings(max_examples=200, deadline=None, derandomize=True)

anything = st.one_of(
    st.text(),
    st.text(st.characters(categories=("Nd", "No", "Zs", "Cc")), max_size=30),
    st.integers().map(str),
    st.sampled_from(["１２", "٣", "²", "1_000", "10**30", "\x00", "1e309", "-0", "+7", " 7 "]),
)


def _query(*values: str, name: str = "x") -> QueryDict:
    query = QueryDict(mutable=True)
    query.setlist(name, list(values))
    return query


@HYPOTHESIS
@given(st.lists(anything, max_size=3), st.integers(-100, 100), st.integers(0, 200))
def test_integer_is_always_within_its_bounds(values, minimum, width):
    maximum = minimum + width
    number = params.integer(_query(*values), "x", default=minimum, minimum=minimum, maximum=maximum)
    assert minimum <= number <= maximum


@HYPOTHESIS
@given(st.lists(anything, max_size=3))
@example(["１２"])
@example(["9" * 5000])
def test_page_is_a_small_positive_number(values):
    assert 1 <= params.page(_query(*values)) <= params.MAX_PAGE


@pytest.mark.parametrize(
    ("text", "number"),
    [("12", 12), ("１２", 12), ("٣", 3), ("१२", 12), (" 7 ", 7), ("-3", -3), ("+4", 4)],
)
def test_digits_of_every_script_are_read(text, number):
    assert params.read_integer(text) == number


@pytest.mark.parametrize("text", ["²", "1_000", "10**30", "1e3", "1.5", "", "nan", "1" * 20])
def test_what_is_not_a_plain_integer_is_not_read(text):
    assert params.read_integer(text) is None


@HYPOTHESIS
@given(anything)
def test_object_id_is_a_database_id_or_a_bad_parameter(text):
    try:
        value = params.object_id(_query(text), "x")
    except BadParameter as exc:
        assert exc.name == "x"
        assert "x" in exc.message
    else:
        assert value is None or 1 <= value <= params.MAX_ID


def test_object_id_absent_or_empty_is_none_and_huge_is_refused():
    assert params.object_id(QueryDict(), "area") is None
    assert params.object_id(_query(""), "x") is None
    assert params.object_id(_query("４２"), "x") == 42
    with pytest.raises(BadParameter):
        params.object_id(_query(str(2**63)), "x")
    with pytest.raises(BadParameter):
        params.object_id(_query("0"), "x")


@HYPOTHESIS
@given(st.one_of(anything, st.dates().map(dt.date.isoformat)))
@example("0000-01-01")
@example("9999-12-31")
@example("9999-12-31T99")
@example("2026-02-30")
def test_date_is_within_bounds_or_a_bad_parameter(text):
    try:
        day = params.date(_query(text), "day")
    except BadParameter:
        return
    assert day is None or params.EARLIEST <= day <= params.LATEST


def test_date_reads_full_width_digits_and_refuses_impossible_days():
    assert params.date(_query("２０２６-１１-２３"), "x") == dt.date(2026, 11, 23)
    for text in ("2026-02-30", "0001-01-01", "9999-12-31", "2026-1-1x"):
        with pytest.raises(BadParameter):
            params.date(_query(text), "x")


@HYPOTHESIS
@given(st.lists(anything, max_size=3))
def test_choice_is_one_of_the_choices_or_the_default(values):
    assert params.choice(_query(*values), "x", ["open", "closed"], "open") in {"open", "closed"}


def test_strict_choice_refuses_what_it_does_not_know():
    formats = ["csv", "xlsx"]
    assert params.choice(_query("csv"), "x", formats, "xlsx", strict=True) == "csv"
    assert params.choice(QueryDict(), "x", formats, "xlsx", strict=True) == "xlsx"
    with pytest.raises(BadParameter):
        params.choice(_query("pdf"), "x", formats, "xlsx", strict=True)


def test_the_last_of_repeated_keys_counts():
    assert params.page(_query("2", "5", name="page")) == 5
    assert params.text(_query("a", "b"), "x", max_length=5) == "b"


@HYPOTHESIS
@given(st.lists(anything, max_size=3), st.integers(0, 50))
def test_text_has_no_control_characters_and_keeps_its_length(values, length):
    value = params.text(_query(*values), "x", max_length=length)
    assert len(value) <= length
    assert "\x00" not in value and value == value.strip()


@HYPOTHESIS
@given(st.lists(anything, max_size=2))
def test_flag_is_a_bool(values):
    assert params.flag(_query(*values), "x") in (True, False)


@HYPOTHESIS
@given(anything)
@example("9999-12-31")
@example("0001-01-01")
def test_bounded_date_field_refuses_with_a_sentence_or_gives_a_date_in_bounds(text):
    field = BoundedDateField(required=False)
    try:
        day = field.clean(text)
    except Exception as exc:  # noqa: BLE001 - only a ValidationError may come out
        assert type(exc).__name__ == "ValidationError"
        return
    assert day is None or params.EARLIEST <= day <= params.LATEST


@pytest.mark.django_db
def test_an_unreadable_area_is_a_400_in_the_sites_layout(client, tree):
    user = grant(UserFactory(username="viewer"), Role.COMMAND_CENTRE, tree["district"])
    client.force_login(user)
    response = client.get("/testing/planner/", {"area": "²"})
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="topbar"' in page and "area" in page
    assert "²" not in page  # the value itself is never echoed


@HYPOTHESIS
@given(anything)
def test_posted_id_is_a_database_id_or_none(text):
    value = params.posted_id(_query(text), "x")
    assert value is None or 1 <= value <= params.MAX_ID


def test_views_read_query_values_only_through_params():
    """A view that reads `request.GET["x"]` or `request.GET.get("x")` itself bypasses the
    rules above; binding a form (`request.GET or None`) or copying the query is fine."""
    root = Path(__file__).resolve().parents[2]
    direct = re.compile(r"request\.(GET|POST)(\.get(list)?\(|\[)")
    found = [
        f"{path.relative_to(root)}:{number}"
        for path in sorted(root.rglob("*views.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if direct.search(line)
    ]
    assert not found, f"read through wangge.core.params instead: {found}"
