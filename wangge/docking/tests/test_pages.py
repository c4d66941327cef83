"""The docking page: a unit's figures and its form, the level above's view of the units
below, the answer posted from the form, and who may see what."""

import datetime as dt

import pytest
from django.http import QueryDict
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import make_area
from wangge.areas.choices import AreaKind
from wangge.docking.forms import CONFIRM, CORRECT, read_answer
from wangge.docking.models import Correction, Docking
from wangge.docking.tests.factories import AFTER, BEFORE, DAY, answer, make_day, make_days

pytestmark = pytest.mark.django_db

URL = reverse("docking:day")
ANSWER = reverse("docking:answer")


@pytest.fixture
def made(tree):
    make_days(tree)
    return tree


@pytest.fixture
def at_noon(clock):
    """Noon of DAY in Shanghai: before the deadline."""
    clock.now = BEFORE + dt.timedelta(hours=2)
    return clock


def _get(client, user, **query):
    client.force_login(user)
    return client.get(URL, query, HTTP_ACCEPT_LANGUAGE="en")


def _post(client, user, unit, **fields):
    client.force_login(user)
    data = {"area": unit.pk, "day": DAY.isoformat(), "answer": CONFIRM, "comment": "", **fields}
    return client.post(ANSWER, data, HTTP_ACCEPT_LANGUAGE="en")


def test_a_unit_sees_its_figures_and_the_form(client, made, alice, at_noon):
    response = _get(client, alice)  # its own area, the latest day made
    assert response.status_code == 200
    assert response.context["area"] == made["community"] and response.context["day"] == DAY
    page = response.content.decode()
    assert 'name="fix-testing.sampled"' in page and 'name="why-testing.sampled"' in page
    # Not correctable: shown, without a field.
    assert 'name="fix-control.risk_level"' not in page
    assert "Control area" in page  # the risk level's figure, as its name
    assert 'data-deadline="2026-03-02T20:00:00+08:00"' in page
    assert response.context["can_answer"]


def test_a_correction_from_the_form_is_sent_and_shown_above(client, made, alice, streetie, at_noon):
    response = _post(
        client,
        alice,
        made["community"],
        answer=CORRECT,
        **{"fix-testing.sampled": "１１０８", "why-testing.sampled": "外地采样补录"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"{URL}?area={made['community'].pk}&day=2026-03-02"
    row = Correction.objects.get()
    assert (row.reported, row.corrected, row.docking.answered_by) == (1100, 1108, alice)
    street = _get(client, streetie, area=made["street"].pk, day="2026-03-02")
    rows = {row.unit.pk: row for row in street.context["below"]}
    assert rows[made["community"].pk].status == "corrected"
    page = street.content.decode()
    assert "1100 → <strong>1108</strong></span>" in page and "外地采样补录" in page


def test_the_form_keeps_what_was_typed_when_refused(client, made, alice, at_noon):
    response = _post(
        client,
        alice,
        made["community"],
        answer=CORRECT,
        **{"fix-testing.sampled": "1108", "why-testing.sampled": ""},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "Say why the figure is wrong." in page and 'value="1108"' in page
    assert not Docking.objects.exists()


def test_confirming_with_corrections_typed_is_refused(client, made, alice, at_noon):
    response = _post(
        client,
        alice,
        made["community"],
        **{"fix-testing.sampled": "1108", "why-testing.sampled": "补录"},
    )
    assert response.status_code == 400
    assert "submit them as corrections" in response.content.decode()
    assert not Docking.objects.exists()


def test_confirming_after_the_deadline_is_late_and_then_stands(client, made, alice, clock):
    clock.now = AFTER
    response = _post(client, alice, made["community"])
    assert response.status_code == 302
    assert Docking.objects.get().late
    page = _get(client, alice, day="2026-03-02")
    assert not page.context["can_answer"]
    assert "the answer stands" in page.content.decode()


def test_the_street_sees_who_has_not_answered_and_who_is_late(client, made, alice, streetie, clock):
    second = make_area("东园社区", AreaKind.COMMUNITY, made["street"])
    make_day(second)
    clock.now = BEFORE
    answer(made["community"], alice, at=BEFORE)
    rows = {row.unit.pk: row.status for row in _get(client, streetie).context["below"]}
    assert rows == {made["community"].pk: "confirmed", second.pk: "waiting"}
    clock.now = AFTER
    response = _get(client, streetie, day="2026-03-02")
    rows = {row.unit.pk: row.status for row in response.context["below"]}
    assert rows[second.pk] == "late"
    assert response.context["summary_missing"] == 1
    # The street is a unit too: its own form sits above.
    assert response.context["is_unit"] and response.context["can_answer"]


def test_a_unit_that_answered_an_earlier_version_is_shown_so(
    client, made, alice, streetie, at_noon
):
    answer(made["community"], alice, at=BEFORE)
    make_day(made["community"], testing__sampled=1111)
    row = next(
        row
        for row in _get(client, streetie, day="2026-03-02").context["below"]
        if row.unit == made["community"]
    )
    assert row.stale and row.version == 2
    page = _get(client, alice, day="2026-03-02")
    assert page.context["stale"] and page.context["can_answer"]


def test_the_district_sees_its_streets_with_their_communities_counted(
    client, made, alice, admin_user, at_noon
):
    answer(made["community"], alice, at=BEFORE)
    response = _get(client, admin_user, area=made["district"].pk, day="2026-03-02")
    (row,) = response.context["below"]
    assert row.unit == made["street"] and row.status == "waiting"
    assert (row.below.units, row.below.confirmed) == (1, 1)
    assert not response.context["is_unit"]


def test_a_day_not_made_says_so(client, made, alice, at_noon):
    response = _get(client, alice, day="2026-03-05")
    assert response.status_code == 200
    assert "not made yet" in response.content.decode()
    assert not response.context.get("can_answer")


def test_a_grid_has_no_unit(client, made, bob, at_noon):
    from tests.factories import UserFactory, grant
    from wangge.core.permissions import Role

    leader = grant(UserFactory(username="leader"), Role.GRID_LEADER, made["grid_a"])
    response = _get(client, leader)
    assert response.status_code == 200
    assert "There is no street" in response.content.decode()


def test_another_districts_unit_is_not_found(client, made, other_tree, alice, at_noon):
    make_day(other_tree["community"])
    assert _get(client, alice, area=other_tree["community"].pk).status_code == 404
    assert _get(client, alice, area=made["street"].pk).status_code == 404  # above her
    assert _get(client, alice, area=10**12).status_code == 404
    assert _post(client, alice, other_tree["community"]).status_code == 404
    assert not Docking.objects.exists()


def test_without_the_permissions_the_page_is_forbidden(client, made, bob):
    assert _get(client, bob).status_code == 403


@pytest.mark.parametrize("value", ["2026-02-30", "x", "0000-01-01"])
def test_an_unreadable_day_is_a_bad_request(client, made, alice, value):
    assert _get(client, alice, day=value).status_code == 400
    assert _post(client, alice, made["community"], day=value).status_code == 400


def test_the_nav_link_is_for_those_who_dock_or_analyse(client, made, alice, bob):
    assert "Daily docking" in _get(client, alice).content.decode()
    client.force_login(bob)
    assert "Daily docking" not in client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_level_above_costs_the_same_with_more_units(
    client, made, streetie, at_noon, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(streetie)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for number in range(5):
        community = make_area(f"新{number}社区", AreaKind.COMMUNITY, made["street"])
        make_day(community)
        if number % 2:
            answer(community, streetie, fixes={"testing.sampled": (1, "核")}, at=BEFORE)
    with django_assert_max_num_queries(len(few)):
        client.get(URL)


# --- the form's reader ----------------------------------------------------------------------

figure_value = st.one_of(
    st.integers(min_value=-(10**6), max_value=10**6).map(str),
    st.text(max_size=12),
    st.sampled_from(["１２", "٣", "", " 7 ", "1e3", "0"]),
)


@given(value=figure_value, reason=st.text(max_size=30), button=st.sampled_from([CONFIRM, CORRECT]))
def test_the_reader_turns_any_form_into_corrections_or_errors(value, reason, button):
    data = QueryDict(mutable=True)
    data.update({"answer": button, "fix-testing.sampled": value, "why-testing.sampled": reason})
    posted = read_answer(data)
    for item in posted.corrections:
        assert item.figure == "testing.sampled" and item.corrected >= 0
    typed = bool(posted.typed)
    if typed and not posted.errors.get("testing.sampled"):
        assert len(posted.corrections) == 1
    assert ("" in posted.errors) == ((button == CONFIRM) == typed)
    assert posted.answer == button


def test_what_a_unit_wrote_is_shown_escaped(client, made, alice, streetie, at_noon):
    answer(
        made["community"],
        alice,
        fixes={"testing.sampled": (1101, "<script>alert(1)</script>")},
        comment="<b>核</b>",
        at=BEFORE,
    )
    page = _get(client, streetie, day="2026-03-02").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)" in page
    assert "<b>核</b>" not in page
