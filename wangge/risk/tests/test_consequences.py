"""What a level does: the pool size a station uses for a round, door-to-door sampling in
the round's plan, and the downgrade suggested when the policy's criteria hold."""

# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_resident
from wangge.risk.choices import RiskLevel
from wangge.risk.downgrade import QuietFacts, evaluate, suggestions
from wangge.risk.models import AreaRiskLevel, RiskPolicy
from wangge.risk.selectors import consequences
from wangge.risk.tests.factories import set_level
from wangge.testing.actions import rounds as round_actions
from wangge.testing.choices import RoundStatus, TubeStatus
from wangge.testing.models import PositiveCase, RoundGridStats, Tube
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.station_factories import round_, sampler, station

BASE = "/api/v1/testing/station/"


def _rounds(client, station):
    answer = client.get(BASE + "rounds", HTTP_AUTHORIZATION=f"Bearer {station.token}")
    assert answer.status_code == 200
    return answer.json()


@pytest.mark.parametrize(
    ("level", "pool"),
    [(None, 10), ("prevention", 20), ("control", 10), ("lockdown", 1), ("normal", 10)],
)
def test_the_station_fills_tubes_of_its_areas_level(client, tree, station, round_, level, pool):
    if level is not None:
        set_level(tree["community"], level)
    [answer] = _rounds(client, station)
    assert answer["pool_size"] == pool
    assert answer["round_pool_size"] == 10


def test_a_lockdown_above_the_station_reaches_it(client, tree, station, round_):
    set_level(tree["street"], RiskLevel.LOCKDOWN)
    [answer] = _rounds(client, station)
    assert answer["pool_size"] == 1
    me = client.get(BASE + "me", HTTP_AUTHORIZATION=f"Bearer {station.token}").json()
    assert (me["risk_level"], me["door_to_door"]) == ("lockdown", True)


def test_a_round_of_single_tubes_stays_single_in_a_prevention_area(tree):
    set_level(tree["street"], RiskLevel.PREVENTION)
    here = consequences([tree["grid_a"]], 1)[tree["grid_a"].pk]
    assert here.pool_size == 1
    assert consequences([tree["grid_a"]], 10)[tree["grid_a"].pk].pool_size == 20


def test_the_policy_is_data(tree):
    RiskPolicy.objects.filter(level="control").update(pool_size=5)
    set_level(tree["grid_a"], RiskLevel.CONTROL)
    assert consequences([tree["grid_a"]], 10)[tree["grid_a"].pk].pool_size == 5
    RiskPolicy.objects.filter(level="control").update(pool_size=None)
    assert consequences([tree["grid_a"]], 10)[tree["grid_a"].pk].pool_size == 10


def test_every_home_of_a_lockdown_grid_is_a_home_visit_in_the_rounds_plan(tree):
    for i in range(3):
        make_resident(tree["grid_a"], f"甲{i}", room=f"10{i}", phone="")
        make_resident(tree["grid_b"], f"乙{i}", room=f"20{i}", phone="")
    set_level(tree["grid_a"], RiskLevel.LOCKDOWN)
    round_ = make_round(tree["community"])
    stats = {s.grid_id: s for s in RoundGridStats.objects.filter(round=round_)}
    assert stats[tree["grid_a"].pk].home_visit_expected == stats[tree["grid_a"].pk].expected == 3
    assert stats[tree["grid_b"].pk].home_visit_expected == 0
    assert stats[tree["grid_b"].pk].expected == 3


# --- suggested downgrades ----------------------------------------------------------------


def _setting(level, days_ago):
    return AreaRiskLevel(
        level=level, reason="t", set_at=timezone.now() - dt.timedelta(days=days_ago)
    )


def _policy(days, rounds):
    return RiskPolicy(level="lockdown", downgrade_after_days=days, downgrade_after_rounds=rounds)


def _ago(days):
    return timezone.now() - dt.timedelta(days=days)


@pytest.mark.parametrize(
    ("set_days_ago", "positive_days_ago", "round_days_ago", "suggested"),
    [
        (10, None, [2, 5], True),  # quiet since the setting, two rounds
        (10, 8, [2, 5], True),  # quiet 8 days since the last positive
        (10, 5, [2, 6], False),  # only 5 quiet days
        (10, 8, [2, 9], False),  # one round before the last positive does not count
        (5, None, [2, 3], False),  # set too recently
        (10, None, [2], False),  # one round only
    ],
)
def test_the_criteria_of_a_downgrade(set_days_ago, positive_days_ago, round_days_ago, suggested):
    facts = QuietFacts(
        last_positive_at=_ago(positive_days_ago) if positive_days_ago is not None else None,
        closed_rounds=tuple(_ago(d) for d in round_days_ago),
    )
    found = evaluate(_setting("lockdown", set_days_ago), _policy(7, 2), facts, timezone.now())
    assert (found is not None) == suggested
    if found:
        assert found.to_level == RiskLevel.CONTROL


def test_no_suggestion_without_facts_or_criteria():
    setting, now = _setting("lockdown", 30), timezone.now()
    assert evaluate(setting, _policy(7, 0), None, now) is None
    assert evaluate(setting, _policy(None, 0), QuietFacts(None), now) is None
    assert evaluate(_setting("normal", 30), _policy(7, 0), QuietFacts(None), now) is None


def _closed_round(area, days_ago):
    round_ = make_round(
        area,
        starts_at=_ago(days_ago),
        ends_at=_ago(days_ago) + dt.timedelta(hours=12),
    )
    round_actions.close_round(round_, acting_user=None)
    return round_


def _positive(round_, area, days_ago):
    tube = Tube.objects.create(
        barcode=f"P{round_.pk}{area.pk}",
        round=round_,
        capacity=1,
        area=area,
        opened_at=_ago(days_ago),
    )
    return PositiveCase.objects.create(
        round=round_, tube=tube, area=area, detected_at=_ago(days_ago)
    )


def test_testing_tells_risk_when_an_area_has_been_quiet(tree):
    grid = tree["grid_a"]
    set_level(grid, RiskLevel.LOCKDOWN, days_ago=12)
    first = _closed_round(tree["community"], 11)
    _positive(first, grid, 10)  # the last positive, 10 days ago
    _closed_round(tree["street"], 6)  # covers the grid from above
    _closed_round(tree["grid_b"], 5)  # the grid beside: does not count
    current = list(AreaRiskLevel.objects.filter(ended_at__isnull=True).select_related("area"))
    # The default lockdown policy: 7 days and 2 rounds; one round since the positive.
    assert suggestions(current) == []
    _closed_round(grid, 3)
    [found] = suggestions(current)
    assert found.setting.area == grid
    assert (found.to_level, found.negative_rounds, found.quiet_days) == ("control", 2, 10)


def test_a_positive_below_the_area_resets_its_quiet(tree):
    set_level(tree["community"], RiskLevel.CONTROL, days_ago=20)
    old = _closed_round(tree["community"], 15)
    _closed_round(tree["community"], 10)
    current = list(AreaRiskLevel.objects.filter(ended_at__isnull=True).select_related("area"))
    assert len(suggestions(current)) == 1
    _positive(old, tree["grid_b"], 1)  # found below the community yesterday
    assert suggestions(current) == []


def test_a_door_to_door_team_visits_every_home_of_a_lockdown_grid(client, tree, station):
    a = [make_resident(tree["grid_a"], f"甲{i}", room=f"10{i}", phone="") for i in range(3)]
    make_resident(tree["grid_b"], "乙0", room="201", phone="")
    round_ = make_round(tree["community"])

    def homes():
        answer = client.get(
            f"{BASE}rounds/{round_.pk}/home-visits", HTTP_AUTHORIZATION=f"Bearer {station.token}"
        )
        assert answer.status_code == 200
        return {row["household_id"] for row in answer.json()}

    assert homes() == set()  # nobody bedridden: no home to visit
    set_level(tree["grid_a"], RiskLevel.LOCKDOWN)
    assert homes() == {person.household_id for person in a}


def test_the_rounds_page_names_the_risk_levels_in_its_scope(client, tree, alice):
    set_level(tree["grid_a"], RiskLevel.LOCKDOWN)
    set_level(tree["street"], RiskLevel.PREVENTION)
    round_ = make_round(tree["community"])
    client.force_login(alice)
    page = client.get(f"/testing/{round_.pk}/")
    assert page.status_code == 200
    rows = {setting.area.pk: here for setting, here in page.context["risk_areas"]}
    assert rows[tree["grid_a"].pk].pool_size == 1 and rows[tree["grid_a"].pk].door_to_door
    assert rows[tree["street"].pk].pool_size == 20  # the street above the scope holds too
    assert "逐户上门采样" in page.content.decode()
