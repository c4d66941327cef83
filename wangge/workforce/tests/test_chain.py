import datetime as dt

import pytest

from tests.factories import make_area, make_resident
from wangge.workforce.choices import DutyLevel
from wangge.workforce.models import Duty
from wangge.workforce.selectors import (
    chain_for_area,
    chain_for_household,
    chain_gaps,
    households_without,
)
from wangge.workforce.tests.factories import assign, make_worker

NOW = dt.datetime(2026, 3, 1, 8, tzinfo=dt.UTC)


def test_the_chain_of_a_household_runs_from_its_representative_up_to_the_district(tree):
    household = make_resident(tree["grid_a"]).household
    rep = assign(
        make_worker(tree["grid_a"], "联户"),
        tree["grid_a"],
        "household_representative",
        household=household,
    )
    cadre = assign(make_worker(tree["grid_a"], "驻守"), tree["grid_a"], "stationed_cadre_grid")
    street = assign(
        make_worker(tree["street"], "包社区"), tree["community"], "street_leader_community"
    )
    district = assign(
        make_worker(tree["district"], "区领导"), tree["street"], "district_leader_street"
    )
    # Not in the chain: the city, a sibling grid, an ended responsibility.
    assign(make_worker(tree["city"], "市领导"), tree["city"], "district_leader_street")
    assign(make_worker(tree["grid_b"], "别处"), tree["grid_b"], "stationed_cadre_grid")
    assign(
        make_worker(tree["grid_a"], "已换"),
        tree["grid_a"],
        "grid_leader",
        ended_at=NOW - dt.timedelta(days=1),
    )

    assert list(chain_for_household(household, NOW)) == [rep, cadre, street, district]
    assert list(chain_for_area(tree["grid_a"], NOW)) == [cadre, street, district]


def _cover_everything_but_grid_b_leader(tree):
    """Every required duty of the tree held, except grid B's grid leader."""
    assign(make_worker(tree["district"], "区领导"), tree["street"], "district_leader_street")
    assign(make_worker(tree["street"], "街道领导"), tree["community"], "street_leader_community")
    assign(make_worker(tree["community"], "社区干部"), tree["community"], "cadre_community")
    for grid in (tree["grid_a"], tree["grid_b"]):
        assign(make_worker(grid, "驻守"), grid, "stationed_cadre_grid")
    assign(make_worker(tree["grid_a"], "网格长"), tree["grid_a"], "grid_leader")


def test_gaps_name_each_area_and_duty_nobody_holds_at_each_level(tree):
    _cover_everything_but_grid_b_leader(tree)
    # An ended responsibility and one starting later cover nothing now.
    assign(
        make_worker(tree["grid_b"], "已走"),
        tree["grid_b"],
        "grid_leader",
        ended_at=NOW - dt.timedelta(hours=1),
    )
    assign(
        make_worker(tree["grid_b"], "明天"),
        tree["grid_b"],
        "grid_leader",
        started_at=NOW + dt.timedelta(days=1),
    )
    coverage = chain_gaps([tree["district"].path], NOW)
    by_level = {row.level: row for row in coverage.levels}
    assert sorted(by_level) == [DutyLevel.STREET, DutyLevel.COMMUNITY, DutyLevel.GRID]
    assert [(r.required, r.covered, r.gaps) for r in by_level.values()][:2] == [
        (1, 1, []),
        (2, 2, []),
    ]
    grids = by_level[DutyLevel.GRID]
    assert (grids.required, grids.covered) == (4, 3)
    assert [(gap.area.pk, gap.duty.code) for gap in grids.gaps] == [
        (tree["grid_b"].pk, "grid_leader")
    ]
    assert (coverage.required, coverage.covered, coverage.percent) == (7, 6, 85)
    # Below the community, only the grids count; grid A alone has no gap.
    assert chain_gaps([tree["community"].path], NOW).required == 6
    assert chain_gaps([tree["grid_a"].path], NOW).percent == 100


def test_a_missing_duty_is_a_gap_everywhere_until_someone_holds_it(tree):
    _cover_everything_but_grid_b_leader(tree)
    Duty.objects.create(
        code="medical", name="医疗联络员", name_en="Medical liaison", level=DutyLevel.COMMUNITY
    )
    coverage = chain_gaps([tree["district"].path], NOW)
    community = coverage.level(DutyLevel.COMMUNITY)
    assert community is not None
    assert [(gap.area.pk, gap.duty.code) for gap in community.gaps] == [
        (tree["community"].pk, "medical")
    ]
    assert coverage.missing == 2
    # A duty that is not required is no gap.
    Duty.objects.filter(code="medical").update(required=False)
    assert chain_gaps([tree["district"].path], NOW).missing == 1


def test_households_without_a_representative_count_when_that_duty_is_required(tree):
    homes = [make_resident(tree["grid_a"], room=f"{i}01").household for i in range(1, 4)]
    rep = make_worker(tree["grid_a"], "联户")
    assign(rep, tree["grid_a"], "household_representative", household=homes[0])
    assign(rep, tree["grid_a"], "household_representative", household=homes[1])
    assert chain_gaps([tree["district"].path], NOW).level(DutyLevel.HOUSEHOLD) is None
    Duty.objects.filter(code="household_representative").update(required=True)
    tree["grid_a"].refresh_from_db()
    households = chain_gaps([tree["district"].path], NOW).level(DutyLevel.HOUSEHOLD)
    assert households is not None
    assert (households.required, households.covered) == (3, 2)
    assert [(gap.area.pk, gap.missing) for gap in households.gaps] == [(tree["grid_a"].pk, 1)]
    rep_duty = Duty.objects.get(code="household_representative")
    assert households_without(tree["grid_a"], rep_duty, NOW) == [homes[2]]


@pytest.mark.parametrize(("households_required", "queries"), [(False, 3), (True, 4)])
def test_gaps_cost_a_fixed_number_of_queries_whatever_the_size(
    tree, django_assert_num_queries, households_required, queries
):
    _cover_everything_but_grid_b_leader(tree)
    Duty.objects.filter(code="household_representative").update(required=households_required)
    with django_assert_num_queries(queries):
        small = chain_gaps([tree["district"].path], NOW)
    for i in range(5):
        grid = make_area(f"新{i}号小区", "compound", tree["community"])
        assign(make_worker(grid, f"驻守{i}"), grid, "stationed_cadre_grid")
        make_resident(grid, room=f"{i}")
    with django_assert_num_queries(queries):
        larger = chain_gaps([tree["district"].path], NOW)
    assert larger.required > small.required
