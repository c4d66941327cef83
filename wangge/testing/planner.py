"""Capacity planning of a round: how long it takes, what it needs, which pool size to use.

Pure arithmetic, no database. The defaults are the 2022 national guidance
(shared/PERFORMANCE.md): a designated area is finished within 24 hours, a sampling point
per 2,000–3,000 people, a desk per 600–800 people, samplers = population ÷ 360, pools
of 5, 10 or 20. Pool sizes are compared by the tests they are expected to take for the
people to sample (two-stage pooling, Dorfman: a positive pool retests each member alone),
the last tube holding the rest; with full tubes that is 1/k + 1 − (1 − p)^k per person.
"""

import datetime as dt
import math
from dataclasses import dataclass

WINDOW_HOURS = 24.0
# The shortest and the longest window the planner takes, in hours.
WINDOW_BOUNDS = (1.0, 240.0)
PEOPLE_PER_POINT = (2000, 3000)
PEOPLE_PER_DESK = (600, 800)
PEOPLE_PER_SAMPLER = 360
SECONDS_PER_PERSON = 30.0
POOL_SIZES = (1, 5, 10, 20)


def _check_pool(prevalence: float, pool: int) -> None:
    if not 0.0 <= prevalence <= 1.0:
        raise ValueError("prevalence is a fraction between 0 and 1")
    if pool < 1:
        raise ValueError("a pool holds at least one person")


def tests_per_person(prevalence: float, pool: int) -> float:
    """Dorfman: expected tests per person with pools of `pool` at this prevalence.

    A pool costs one test for k people; a positive pool (probability 1 − (1 − p)^k) costs
    k more, one per member retested alone.
    """
    _check_pool(prevalence, pool)
    if pool == 1:
        return 1.0
    return 1.0 / pool + 1.0 - (1.0 - prevalence) ** pool


def positive_chance(prevalence: float, people: int) -> float:
    """The chance that a pool of `people` holds at least one positive."""
    return 1.0 - (1.0 - prevalence) ** people


@dataclass(frozen=True)
class PoolOption:
    """One pool size for a population at a prevalence: the tubes it fills and the tests it
    takes. The star, the saving and the table all read these figures, so the advice is
    never computed on another basis than the figures shown beside it."""

    pool: int
    population: int
    tubes: int  # first-stage tubes, the last one filled with the rest
    positive_pools: float  # expected
    retests: float  # expected individual retests (recall)
    tests: float  # expected tests in all

    @property
    def tests_per_person(self) -> float:
        return self.tests / self.population if self.population else 0.0

    @property
    def saving_percent(self) -> float:
        """Tests saved against individual testing."""
        return round(100 * (1 - self.tests_per_person), 1) if self.population else 0.0


def pool_option(population: int, prevalence: float, pool: int) -> PoolOption:
    """What pools of `pool` take for `population` people: full tubes, then one with the rest
    (a round's last people, or the few still untested, rarely fill a tube). With a population
    that fills its tubes, tests per person is Dorfman's formula exactly."""
    _check_pool(prevalence, pool)
    full, rest = divmod(population, pool)
    tubes = full + (1 if rest else 0)
    if pool == 1:
        positive = retests = 0.0  # a positive single tube is a case, not a recall
    else:
        positive = full * positive_chance(prevalence, pool) + positive_chance(prevalence, rest)
        retests = full * pool * positive_chance(prevalence, pool) + rest * positive_chance(
            prevalence, rest
        )
    return PoolOption(
        pool=pool,
        population=population,
        tubes=tubes,
        positive_pools=positive,
        retests=retests,
        tests=tubes + retests,
    )


def pool_options(
    population: int, prevalence: float, pools: tuple[int, ...] = POOL_SIZES
) -> list[PoolOption]:
    return [pool_option(population, prevalence, pool) for pool in pools]


def best_pool(options: list[PoolOption]) -> int:
    """The pool size with the fewest expected tests among these (the smaller on a tie)."""
    return min(options, key=lambda option: (option.tests, option.pool)).pool


@dataclass(frozen=True)
class Plan:
    """What a round over `population` people takes, and what it needs within its window."""

    population: int
    desks: int
    seconds_per_person: float
    window_hours: float
    # With the desks given:
    hours: float  # how long sampling everyone takes, desks working in parallel
    fits: bool  # finished within the window
    enough: bool  # as many desks as needed (the window's and the guidance's)
    # To finish within the window, and no fewer than the guidance says:
    desks_needed: int
    samplers_needed: int
    # The 2022 guidance for this population:
    points_range: tuple[int, int]
    desks_range: tuple[int, int]
    samplers_guidance: int

    @property
    def people_per_desk_hour(self) -> float:
        return 3600 / self.seconds_per_person

    @property
    def spare_hours(self) -> float:
        return self.window_hours - self.hours


def plan(
    population: int,
    *,
    desks: int,
    seconds_per_person: float = SECONDS_PER_PERSON,
    window_hours: float = WINDOW_HOURS,
) -> Plan:
    """How long the round takes with `desks`, and the desks and samplers it needs.

    Desks sample in parallel, one person every `seconds_per_person` each. To finish within
    the window it needs ⌈work ÷ window⌉ desks, and never fewer than the guidance's fewest
    (a desk per 800 people); samplers are the guidance's population ÷ 360, and never fewer
    than one per desk. The advice (desks and samplers needed, enough or not) is thus read
    from the same figures as the guidance printed under it, never below them.
    """
    if population < 0:
        raise ValueError("the population cannot be negative")
    if desks < 1:
        raise ValueError("at least one desk")
    if seconds_per_person <= 0:
        raise ValueError("sampling a person takes some time")
    if window_hours <= 0:
        raise ValueError("the window must be longer than nothing")
    work_seconds = population * seconds_per_person
    hours = work_seconds / desks / 3600
    desks_for_window = math.ceil(work_seconds / (window_hours * 3600))
    desks_range = (
        math.ceil(population / PEOPLE_PER_DESK[1]),
        math.ceil(population / PEOPLE_PER_DESK[0]),
    )
    desks_needed = max(desks_for_window, desks_range[0])
    samplers_guidance = math.ceil(population / PEOPLE_PER_SAMPLER)
    return Plan(
        population=population,
        desks=desks,
        seconds_per_person=seconds_per_person,
        window_hours=window_hours,
        hours=hours,
        fits=hours <= window_hours,
        enough=desks >= desks_needed,
        desks_needed=desks_needed,
        samplers_needed=max(samplers_guidance, desks_needed),
        points_range=(
            math.ceil(population / PEOPLE_PER_POINT[1]),
            math.ceil(population / PEOPLE_PER_POINT[0]),
        ),
        desks_range=desks_range,
        samplers_guidance=samplers_guidance,
    )


def hours_left(ends_at: dt.datetime, now: dt.datetime) -> float:
    """The window left to a round in progress: the hours to its end, rounded up to a tenth,
    within the planner's bounds (a round past its end still has its last people to sample)."""
    hours = math.ceil((ends_at - now).total_seconds() / 360) / 10
    return min(max(hours, WINDOW_BOUNDS[0]), WINDOW_BOUNDS[1])
