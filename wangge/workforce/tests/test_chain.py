import datetime as dt

from tests.factories import make_resident
from wangge.workforce.selectors import chain_for_area, chain_for_household
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
