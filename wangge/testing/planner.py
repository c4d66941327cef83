"""Capacity planning of a round: how long it takes, what it needs, which pool size to use.

Pure arithmetic, no database. The defaults are the 2022 national guidance
(shared/PERFORMANCE.md): a designated area is finished within 24 hours, a sampling point
per 2,000–3,000 people, a desk per 600–800 people, samplers = population ÷ 360, pools
of 5, 10 or 20. Pool sizes are compared with Dorfman's formula for two-stage pooling:
expected tests per person = 1/k + 1 − (1 − p)^k (and 1 for individual tubes).
"""

import math
from dataclasses import dataclass

WINDOW_HOURS = 24.0
PEOPLE_PER_POINT = (2000, 3000)
PEOPLE_PER_DESK = (600, 800)
PEOPLE_PER_SAMPLER = 360
SECONDS_PER_PERSON = 30.0
POOL_SIZES = (1, 5, 10, 20)


def tests_per_person(prevalence: float, pool: int) -> float:
    """Dorfman: expected tests per person with pools of `pool` at this prevalence.

    A pool costs one test for k people; a positive pool (probability 1 − (1 − p)^k) costs
    k more, one per member retested alone.
    """
    if not 0.0 <= prevalence <= 1.0:
        raise ValueError("prevalence is a fraction between 0 and 1")
    if pool < 1:
        raise ValueError("a pool holds at least one person")
    if pool == 1:
        return 1.0
    return 1.0 / pool + 1.0 - (1.0 - prevalence) ** pool


@dataclass(frozen=True)
class PoolOption:
    """One pool size at a prevalence: tests per person and what the round would use."""

    pool: int
    tests_per_person: float
    tubes: int  # first-stage tubes
    positive_pools: float  # expected
    retests: float  # expected individual retests (recall)
    tests: float  # expected tests in all

    @property
    def saving_percent(self) -> float:
        """Tests saved against individual testing."""
        return round(100 * (1 - self.tests_per_person), 1)


def pool_options(
    population: int, prevalence: float, pools: tuple[int, ...] = POOL_SIZES
) -> list[PoolOption]:
    options = []
    for pool in pools:
        per_person = tests_per_person(prevalence, pool)
        tubes = math.ceil(population / pool) if population else 0
        positive = 0.0 if pool == 1 else tubes * (1 - (1 - prevalence) ** pool)
        retests = positive * pool
        options.append(
            PoolOption(
                pool=pool,
                tests_per_person=per_person,
                tubes=tubes,
                positive_pools=positive,
                retests=retests,
                tests=tubes + retests,
            )
        )
    return options


def best_pool(prevalence: float, pools: tuple[int, ...] = POOL_SIZES) -> int:
    """The pool size with the fewest expected tests per person (the smaller on a tie)."""
    return min(pools, key=lambda pool: (tests_per_person(prevalence, pool), pool))


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
    # To finish within the window:
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
    the window it needs ⌈work ÷ window⌉ desks; samplers are the guidance's population ÷ 360,
    and never fewer than one per desk.
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
    desks_needed = max(1, math.ceil(work_seconds / (window_hours * 3600))) if population else 0
    samplers_guidance = math.ceil(population / PEOPLE_PER_SAMPLER)
    return Plan(
        population=population,
        desks=desks,
        seconds_per_person=seconds_per_person,
        window_hours=window_hours,
        hours=hours,
        fits=hours <= window_hours,
        desks_needed=desks_needed,
        samplers_needed=max(samplers_guidance, desks_needed),
        points_range=(
            math.ceil(population / PEOPLE_PER_POINT[1]),
            math.ceil(population / PEOPLE_PER_POINT[0]),
        ),
        desks_range=(
            math.ceil(population / PEOPLE_PER_DESK[1]),
            math.ceil(population / PEOPLE_PER_DESK[0]),
        ),
        samplers_guidance=samplers_guidance,
    )
