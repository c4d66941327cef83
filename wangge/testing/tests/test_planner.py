import datetime as dt
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wangge.testing import planner

PREVALENCE = st.floats(min_value=0.0, max_value=1.0, allow_nan=False)
POOLS = st.sampled_from([5, 10, 20])


@pytest.mark.parametrize(
    ("prevalence", "expected"),
    [
        (0.001, {5: 0.205, 10: 0.110, 20: 0.070}),
        (0.01, {5: 0.249, 10: 0.196, 20: 0.232}),
        (0.05, {5: 0.426, 10: 0.501, 20: 0.692}),
    ],
)
def test_dorfman_matches_the_performance_figures(prevalence, expected):
    for pool, figure in expected.items():
        assert round(planner.tests_per_person(prevalence, pool), 3) == figure


def test_pools_of_20_win_only_at_low_prevalence():
    def best(prevalence):
        return planner.best_pool(planner.pool_options(1_000_000, prevalence))

    assert best(0.001) == 20
    assert best(0.01) == 10
    assert best(0.05) == 5
    assert best(0.5) == 1


def test_a_few_people_left_are_not_advised_the_largest_pool():
    """Three untested people at 0.1 %: Dorfman's per-person formula would say pools of 20,
    but any pool takes them in one tube; the smallest such pool is advised, as the table's
    tests in all say."""
    options = planner.pool_options(3, 0.001)
    assert {option.pool: option.tubes for option in options} == {1: 3, 5: 1, 10: 1, 20: 1}
    assert planner.best_pool(options) == 5
    assert options[1].retests == pytest.approx(3 * (1 - 0.999**3))


@given(PREVALENCE, PREVALENCE, POOLS)
def test_more_prevalence_never_means_fewer_tests(p, q, pool):
    low, high = sorted((p, q))
    assert planner.tests_per_person(low, pool) <= planner.tests_per_person(high, pool) + 1e-12


@given(PREVALENCE, POOLS)
def test_a_pool_costs_between_one_kth_and_one_plus_one_kth(p, pool):
    value = planner.tests_per_person(p, pool)
    assert 1 / pool - 1e-12 <= value <= 1 + 1 / pool + 1e-12


@given(st.integers(min_value=0, max_value=5_000_000), PREVALENCE, POOLS)
def test_pool_option_totals_agree_with_the_formula(population, p, pool):
    option = planner.pool_options(population, p, (pool,))[0]
    assert option.tubes == math.ceil(population / pool)
    assert option.tests == pytest.approx(option.tubes + option.retests)
    if population and population % pool == 0:
        formula = planner.tests_per_person(p, pool)
        assert option.tests_per_person == pytest.approx(formula, rel=1e-9, abs=1e-12)


@given(st.integers(min_value=1, max_value=5_000_000), PREVALENCE)
def test_the_advised_pool_has_the_fewest_tests_and_the_largest_saving_shown(population, p):
    """The star, the saving column and the tests-in-all column are one computation."""
    options = planner.pool_options(population, p)
    best = next(o for o in options if o.pool == planner.best_pool(options))
    for option in options:
        assert best.tests <= option.tests
        assert best.saving_percent >= option.saving_percent
        assert option.saving_percent == round(100 * (1 - option.tests / population), 1)


@given(
    st.integers(min_value=1, max_value=3_000_000),
    st.integers(min_value=1, max_value=5000),
    st.floats(min_value=5, max_value=300),
    st.floats(min_value=1, max_value=72),
)
def test_the_desks_needed_finish_within_the_window(population, desks, seconds, window):
    result = planner.plan(population, desks=desks, seconds_per_person=seconds, window_hours=window)
    assert result.hours == pytest.approx(population * seconds / desks / 3600)
    assert result.fits == (result.hours <= window)
    needed = planner.plan(
        population, desks=result.desks_needed, seconds_per_person=seconds, window_hours=window
    )
    assert needed.hours <= window * (1 + 1e-9)
    assert needed.enough and needed.fits
    if result.desks_needed > 1:
        fewer = planner.plan(
            population,
            desks=result.desks_needed - 1,
            seconds_per_person=seconds,
            window_hours=window,
        )
        assert not fewer.enough
    assert result.samplers_needed >= max(result.desks_needed, result.samplers_guidance)


@given(
    st.integers(min_value=0, max_value=3_000_000),
    st.integers(min_value=1, max_value=5000),
    st.floats(min_value=5, max_value=600),
    st.floats(min_value=1, max_value=240),
)
def test_the_advice_agrees_with_the_guidance_figures(population, desks, seconds, window):
    """Desks and samplers needed never fall below the guidance printed under them, and
    'enough desks' never goes with 'not finished in time'."""
    result = planner.plan(population, desks=desks, seconds_per_person=seconds, window_hours=window)
    assert result.desks_needed >= result.desks_range[0]
    assert result.samplers_needed >= result.samplers_guidance
    assert result.enough == (desks >= result.desks_needed)
    if result.enough:
        assert result.fits


@given(st.integers(min_value=1, max_value=3_000_000), st.integers(min_value=1, max_value=999))
def test_more_desks_never_take_longer(population, desks):
    slow = planner.plan(population, desks=desks)
    fast = planner.plan(population, desks=desks + 1)
    assert fast.hours <= slow.hours


def test_guidance_figures_for_a_district_of_100000():
    result = planner.plan(100_000, desks=100)
    assert result.points_range == (34, 50)
    assert result.desks_range == (125, 167)
    assert result.samplers_guidance == 278
    # 100,000 people at 30 s on 100 desks: 8⅓ hours; 35 desks finish in 24 hours.
    assert result.hours == pytest.approx(100_000 * 30 / 100 / 3600)
    # 35 desks would finish in 24 hours, but the guidance asks for 125 at least.
    assert result.desks_needed == 125 and result.fits and not result.enough


def test_a_round_in_progress_plans_the_hours_left():
    now = dt.datetime(2026, 12, 7, 8, 0, tzinfo=dt.UTC)
    assert planner.hours_left(now + dt.timedelta(hours=5, minutes=1), now) == 5.1
    assert planner.hours_left(now - dt.timedelta(hours=2), now) == 1.0  # past its end
    assert planner.hours_left(now + dt.timedelta(days=30), now) == 240.0


def test_bad_input_is_refused():
    with pytest.raises(ValueError):
        planner.plan(100, desks=0)
    with pytest.raises(ValueError):
        planner.tests_per_person(1.5, 10)
