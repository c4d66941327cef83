"""The command dashboard's page: every level of the tree, any day, an empty day, scoping,
the change colouring, the ratios, the charts' data and a fixed number of queries."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, grant, make_area
from wangge.areas.choices import AreaKind
from wangge.core.permissions import Role
from wangge.dashboard.tests.factories import DAY, day_of, figures, history
from wangge.snapshots.tests.factories import frozen_day

URL = "/dashboard/"


@pytest.fixture
def lead(tree):
    """The district's command centre."""
    return grant(UserFactory(username="lead"), Role.COMMAND_CENTRE, tree["district"])


@pytest.fixture
def street_staff(tree):
    return grant(UserFactory(username="street"), Role.STREET_STAFF, tree["street"])


@pytest.fixture
def made(tree):
    history(tree)


def _get(client, user, **query):
    client.force_login(user)
    return client.get(URL, {key: str(value) for key, value in query.items()})


def _headline(response):
    return {item.key: item for item in response.context["shown"].headline}


# --- levels and days ------------------------------------------------------------------


@pytest.mark.parametrize("level", ["city", "district", "street", "community", "grid_a"])
def test_every_level_of_the_tree_shows_its_day(client, tree, made, admin_user, level):
    response = _get(client, admin_user, area=tree[level].pk)
    assert response.status_code == 200
    shown = response.context["shown"]
    assert shown.made and shown.day == DAY
    assert shown.area == tree[level]
    # Each level is the sum of grid A (90 of 100 sampled on the last day) and grid B
    # (20 of 50): 110 of 150, 73.3 %; grid A alone 90 %.
    coverage = _headline(response)["testing.coverage"]
    assert coverage.ratio_text == ("90.0%" if level == "grid_a" else "73.3%")


def test_a_grid_has_no_children_and_still_its_lists(client, tree, made, lead):
    response = _get(client, lead, area=tree["grid_a"].pk)
    shown = response.context["shown"]
    assert shown.children == [] and shown.where_to_act == []
    assert [item.key for item in shown.lists] == [
        "services.late",
        "incidents.missed",
        "workforce.gaps",
    ]
    page = response.content.decode()
    assert 'class="children-table"' not in page
    # No unit to dock below a grid: no docking panel.
    assert response.context["docking"] is None


def test_the_default_is_the_users_top_area_and_its_last_day(client, tree, made, street_staff):
    frozen_day(tree["street"], DAY - dt.timedelta(days=30), figures())
    response = _get(client, street_staff)
    assert response.context["area"] == tree["street"]
    assert response.context["day"] == DAY
    assert response.context["shown"].days_made[0] == DAY


def test_any_day_in_the_record_reads_as_it_was(client, tree, made, lead):
    earlier = DAY - dt.timedelta(days=5)
    response = _get(client, lead, area=tree["grid_a"].pk, day=earlier)
    shown = response.context["shown"]
    assert shown.snapshot.day == earlier
    # Grid A sampled 90 − 5 on that day.
    assert _headline(response)["testing.coverage"].value == 85.0
    assert shown.earlier_day == earlier - dt.timedelta(days=1)
    assert shown.later_day == earlier + dt.timedelta(days=1)
    # The chart's window ends on that day.
    assert shown.trends["days"][-1] == earlier.isoformat()


def test_a_new_version_of_a_day_replaces_the_old_one_on_the_page(client, tree, made, lead):
    frozen_day(tree["grid_a"], DAY, figures(expected=100, sampled=99))
    response = _get(client, lead, area=tree["grid_a"].pk, day=DAY)
    assert response.context["shown"].snapshot.version == 2
    assert _headline(response)["testing.coverage"].ratio_text == "99.0%"


def test_a_day_not_made_says_so(client, tree, made, lead):
    response = _get(client, lead, area=tree["community"].pk, day="2026-01-02")
    assert response.status_code == 200
    shown = response.context["shown"]
    assert not shown.made
    page = response.content.decode()
    assert "2026-01-02" in page and 'class="empty-day"' in page
    # A way back to the last day made, and no charts to draw.
    assert f"day={DAY.isoformat()}" in page
    assert "echarts" not in page


def test_an_area_with_no_day_made_at_all_is_an_empty_state_not_an_error(client, tree, lead):
    response = _get(client, lead)
    assert response.status_code == 200
    assert not response.context["shown"].made
    assert response.context["shown"].days_made == []


def test_an_unreadable_day_or_area_is_a_400(client, tree, lead):
    assert _get(client, lead, day="2026-02-30").status_code == 400
    assert _get(client, lead, area="abc").status_code == 400


# --- scoping ----------------------------------------------------------------------------


def test_an_area_of_another_district_is_404(client, tree, other_tree, made, lead):
    frozen_day(other_tree["grid_a"], DAY, figures())
    assert _get(client, lead, area=other_tree["grid_a"].pk).status_code == 404
    assert _get(client, lead, area=other_tree["district"].pk).status_code == 404


def test_a_sibling_or_the_area_above_is_404_for_a_community(client, tree, made):
    staff = grant(UserFactory(username="gridlead"), Role.GRID_LEADER, tree["grid_a"])
    assert _get(client, staff, area=tree["grid_a"].pk).status_code == 200
    assert _get(client, staff, area=tree["grid_b"].pk).status_code == 404
    assert _get(client, staff, area=tree["community"].pk).status_code == 404


def test_someone_who_reads_no_analysis_gets_403(client, tree, made, bob):
    # A grid member follows up people; the analysis is for staff and above.
    assert _get(client, bob).status_code == 403
    assert _get(client, bob, area=tree["grid_a"].pk).status_code == 403


def test_the_areas_above_ones_scope_are_named_but_not_linked(client, tree, made, alice):
    response = _get(client, alice, area=tree["grid_a"].pk)
    trail = response.context["trail"]
    assert [(area.name, linked) for area, linked in trail] == [
        (tree["city"].name, False),
        (tree["district"].name, False),
        (tree["street"].name, False),
        (tree["community"].name, True),
        (tree["grid_a"].name, True),
    ]
    page = response.content.decode()
    assert f"?area={tree['community'].pk}&amp;day=" in page
    assert f"?area={tree['district'].pk}&amp;" not in page


def test_someone_with_two_areas_can_switch_between_them(client, tree, other_tree, made):
    user = grant(UserFactory(username="two"), Role.COMMAND_CENTRE, tree["district"])
    grant(user, Role.COMMAND_CENTRE, other_tree["district"])
    response = _get(client, user)
    assert {area.pk for area in response.context["mine"]} == {
        tree["district"].pk,
        other_tree["district"].pk,
    }


# --- figures, changes, ratios ------------------------------------------------------------


def test_changes_are_coloured_by_which_way_is_better(client, tree, lead):
    day_of(tree["grid_a"], DAY - dt.timedelta(days=1), sampled=80, incidents_open=1, missed=0)
    today = figures(sampled=85, incidents_open=3, missed=2)
    today["population.residents"] -= 5
    frozen_day(tree["grid_a"], DAY, today)
    response = _get(client, lead, area=tree["grid_a"].pk, day=DAY)
    head = _headline(response)
    # Coverage up 5 points and untested down 5: good news; more incidents open: bad news.
    assert (head["testing.coverage"].change_text, head["testing.coverage"].tone) == ("+5.0", "good")
    assert (head["testing.untested"].change_text, head["testing.untested"].tone) == ("−5", "good")
    assert (head["incidents.open"].change_text, head["incidents.open"].tone) == ("+2", "bad")
    assert (head["incidents.missed"].change_text, head["incidents.missed"].tone) == ("+2", "bad")
    # A figure without a better direction is neutral whichever way it moves.
    sections = {s.key: {i.key: i for i in s.items} for s in response.context["shown"].sections}
    residents = sections["population"]["population.residents"]
    assert residents.change == -5 and residents.tone == "neutral"
    page = response.content.decode()
    assert '<div class="chg good">+5.0</div>' in page
    assert '<div class="chg bad">+2</div>' in page


def test_the_change_is_since_the_last_day_made_before(client, tree, lead):
    day_of(tree["grid_a"], DAY - dt.timedelta(days=3), sampled=70)
    day_of(tree["grid_a"], DAY, sampled=90)
    response = _get(client, lead, area=tree["grid_a"].pk, day=DAY)
    assert response.context["shown"].previous.day == DAY - dt.timedelta(days=3)
    assert _headline(response)["testing.untested"].change == -20


def test_the_first_day_has_no_change(client, tree, lead):
    day_of(tree["grid_a"], DAY)
    response = _get(client, lead, area=tree["grid_a"].pk, day=DAY)
    assert all(item.change is None for item in response.context["shown"].headline)
    assert "No earlier day to compare with." in _get_en(client, lead, tree["grid_a"])


def _get_en(client, user, area, **query):
    client.force_login(user)
    return client.get(
        URL, {"area": area.pk, "day": DAY.isoformat(), **query}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()


def test_ratios_are_shown_with_their_places_and_no_value_without_a_denominator(client, tree, lead):
    values = figures(expected=3, sampled=2)
    values.update({"incidents.arrived": 0, "incidents.arrive_minutes": 0})
    frozen_day(tree["grid_a"], DAY, values)
    response = _get(client, lead, area=tree["grid_a"].pk, day=DAY)
    sections = {s.key: {i.key: i for i in s.items} for s in response.context["shown"].sections}
    assert sections["testing"]["testing.coverage"].ratio_text == "66.7%"
    assert sections["control"]["control.traced_feedback"].ratio_text == "75.0%"
    # Nobody arrived: no mean time to arrive, rather than a division by zero.
    assert sections["incidents"]["incidents.mean_arrive"].ratio_text == "—"
    # The raw sum of minutes is not shown; the level is a badge.
    shown_keys = {key for section in sections.values() for key in section}
    assert "incidents.arrive_minutes" not in shown_keys
    assert "control.risk_level" not in shown_keys


def test_the_risk_level_is_a_badge(client, tree, lead):
    day_of(tree["grid_a"], DAY, level=3)
    response = _get(client, lead, area=tree["grid_a"].pk, day=DAY)
    assert response.context["shown"].risk.level == "lockdown"
    assert 'class="level-badge tone-alarm"' in response.content.decode()


# --- trends -----------------------------------------------------------------------------


def _chart_data(response):
    page = response.content.decode()
    match = re.search(r'<script id="trend-data" type="application/json">(.*?)</script>', page)
    assert match
    return json.loads(match.group(1))


def test_the_charts_json_holds_fourteen_days_with_gaps_as_null(client, tree, lead):
    for back in (0, 1, 2, 5):
        day_of(tree["grid_a"], DAY - dt.timedelta(days=back), sampled=90 - back)
    data = _chart_data(_get(client, lead, area=tree["grid_a"].pk, day=DAY))
    assert len(data["days"]) == 14
    assert data["days"][0] == (DAY - dt.timedelta(days=13)).isoformat()
    charts = {chart["key"]: chart for chart in data["charts"]}
    assert set(charts) == {
        "coverage",
        "untested",
        "positives",
        "key_persons",
        "incidents",
        "services",
    }
    coverage = charts["coverage"]["series"][0]["values"]
    assert coverage[-6:] == [85.0, None, None, 88.0, 89.0, 90.0]
    assert coverage[:8] == [None] * 8
    assert charts["coverage"]["percent"] is True
    untested = charts["untested"]["series"][0]["values"]
    assert untested[-1] == 10
    assert charts["key_persons"]["stacked"] is True
    assert len(charts["key_persons"]["series"]) == 3


def test_the_trend_table_holds_the_same_figures_for_print_and_no_javascript(
    client, tree, made, lead
):
    response = _get(client, lead, area=tree["grid_a"].pk, day=DAY)
    table = response.context["trend_table"]
    assert len(table.rows) == 14
    last_day, values = table.rows[-1]
    assert last_day == DAY and values[0] == 90.0
    page = response.content.decode()
    assert 'class="trend-table table-wrap"' in page


def test_the_charts_are_drawn_by_a_static_file(client, tree, made, lead):
    page = _get(client, lead, area=tree["district"].pk).content.decode()
    assert re.search(r'<script src="[^"]*vendor/echarts\.min[^"]*\.js"', page)
    assert re.search(r'<script src="[^"]*dashboard/dashboard[^"]*\.js"', page)


# --- children -----------------------------------------------------------------------------


def test_the_children_come_worst_first_and_drill_down(client, tree, made, lead):
    response = _get(client, lead, area=tree["community"].pk)
    rows = response.context["shown"].children
    # Grid B (40 %) before grid A (90 %).
    assert [row.area for row in rows] == [tree["grid_b"], tree["grid_a"]]
    page = response.content.decode()
    assert f'href="?area={tree["grid_b"].pk}&amp;day={DAY.isoformat()}&amp;sort=coverage"' in page


@pytest.mark.parametrize(
    ("sort", "first"),
    [("untested", "grid_b"), ("incidents", "grid_b"), ("risk", "grid_a"), ("tree", "grid_a")],
)
def test_the_children_sort_by_any_column(client, tree, made, lead, sort, first):
    response = _get(client, lead, area=tree["community"].pk, sort=sort)
    assert response.context["shown"].children[0].area == tree[first]


def test_an_unknown_sort_falls_back_to_coverage(client, tree, made, lead):
    response = _get(client, lead, area=tree["community"].pk, sort="nonsense")
    assert response.status_code == 200
    assert response.context["sort"] == "coverage"


def test_a_child_whose_day_was_not_made_comes_last(client, tree, lead):
    make_area("三号小区", AreaKind.COMPOUND, tree["community"])
    day_of(tree["community"], DAY)
    day_of(tree["grid_a"], DAY, sampled=99)
    response = _get(client, lead, area=tree["community"].pk, day=DAY)
    rows = response.context["shown"].children
    assert [row.made for row in rows] == [True, False, False]
    assert "not-made" in response.content.decode()


def test_where_to_act_names_the_worst_children(client, tree, made, lead):
    response = _get(client, lead, area=tree["community"].pk)
    blocks = {block.key: block for block in response.context["shown"].where_to_act}
    assert [(p.area, p.value) for p in blocks["untested"].picks] == [
        (tree["grid_b"], 30),
        (tree["grid_a"], 10),
    ]
    assert [(p.area, p.value) for p in blocks["coverage"].picks] == [
        (tree["grid_b"], 40.0),
        (tree["grid_a"], 90.0),
    ]
    # Only grid B has overdue checks and late requests.
    assert [p.area for p in blocks["overdue"].picks] == [tree["grid_b"]]
    assert [(p.area, p.value) for p in blocks["late"].picks] == [(tree["grid_b"], 1)]


# --- lists ----------------------------------------------------------------------------------


def test_the_lists_show_what_the_day_kept_and_how_many_there_were(client, tree, lead):
    items = [
        {
            "area_id": tree["grid_a"].pk,
            "area": "一号小区",
            "ref": f"FW-{i}",
            "text": "送药",
            "due": "2026-03-10T09:30:00+08:00",
            "url": f"/services/{i}/",
        }
        for i in range(3)
    ]
    items.append({**items[0], "ref": "FW-X", "url": "javascript:alert(1)"})
    values = figures(late=60)
    frozen_day(tree["grid_a"], DAY, values, {"services.late": items})
    response = _get(client, lead, area=tree["grid_a"].pk, day=DAY)
    late = next(item for item in response.context["shown"].lists if item.key == "services.late")
    assert late.count == 60 and len(late.items) == 4 and late.more == 56
    page = response.content.decode()
    assert '<a href="/services/1/">FW-1</a>' in page
    # A link frozen with the day that leads out of Wangge is not followed.
    assert "javascript:" not in page


# --- links ----------------------------------------------------------------------------------


def test_the_page_links_the_bulletin_the_map_the_docking_and_making_the_day(
    client, tree, made, lead
):
    page = _get(client, lead, area=tree["community"].pk, day=DAY).content.decode()
    community = tree["community"].pk
    assert f'href="/bulletins/{community}/{DAY.isoformat()}.pdf"' in page
    assert f'href="/bulletins/{community}/{DAY.isoformat()}.xlsx"' in page
    assert f'href="/dashboard/map/?area={community}&amp;day={DAY.isoformat()}"' in page
    assert f'href="/docking/?area={community}&amp;day={DAY.isoformat()}"' in page
    assert 'action="/snapshots/make/"' in page
    assert f'href="/snapshots/{community}/{DAY.isoformat()}/"' in page
    assert f'name="day" value="{DAY.isoformat()}"' in page


def test_only_those_who_make_the_figures_get_the_button(client, tree, made, alice):
    page = _get(client, alice, area=tree["community"].pk, day=DAY).content.decode()
    assert "/snapshots/make/" not in page
    # Alice still reads the bulletin.
    assert f"/bulletins/{tree['community'].pk}/" in page


def test_a_day_in_the_future_cannot_be_made(client, tree, made, lead):
    future = timezone.localdate() + dt.timedelta(days=3)
    page = _get(client, lead, area=tree["community"].pk, day=future).content.decode()
    assert "/snapshots/make/" not in page


# --- cost ------------------------------------------------------------------------------------


# Session, user, roles; the area, the areas above it, the days made, the day (with its run),
# the day before, the trend; the children and their day; the docking summary (two); the
# inbox's unread count.
PAGE_QUERIES = 14
GRID_QUERIES = PAGE_QUERIES - 4  # no children, no docking below a grid


def _more_days_and_children(tree):
    """Twenty more days before, and five more grids with their days."""
    for back in range(14, 34):
        day = DAY - dt.timedelta(days=back)
        for name in ("community", "grid_a"):
            day_of(tree[name], day)
    for i in range(5):
        grid = make_area(f"加{i}号小区", AreaKind.COMPOUND, tree["community"])
        day_of(grid, DAY)


def test_the_page_costs_a_fixed_number_of_queries(
    client, tree, made, lead, django_assert_num_queries
):
    client.force_login(lead)
    for area, count in ((tree["community"], PAGE_QUERIES), (tree["grid_a"], GRID_QUERIES)):
        with django_assert_num_queries(count):
            assert client.get(URL, {"area": area.pk}).status_code == 200
    _more_days_and_children(tree)
    for area, count in ((tree["community"], PAGE_QUERIES), (tree["grid_a"], GRID_QUERIES)):
        with django_assert_num_queries(count):
            response = client.get(URL, {"area": area.pk})
            assert response.status_code == 200
    assert len(response.context["shown"].days_made) == 34
    community = client.get(URL, {"area": tree["community"].pk})
    assert len(community.context["shown"].children) == 7


def test_the_nav_links_the_dashboard_for_those_who_read_the_analysis(client, tree, lead, bob):
    client.force_login(lead)
    assert f'href="{reverse("dashboard:home")}"' in client.get("/").content.decode()
    client.force_login(bob)
    assert f'href="{reverse("dashboard:home")}"' not in client.get("/").content.decode()
