"""Reads of the workforce that are more than a filter."""

import datetime as dt

from django.db.models import F, Q

from wangge.areas.models import Area
from wangge.core.scoping import ancestor_paths
from wangge.residents.models import Household
from wangge.workforce.models import Responsibility, ResponsibilityQuerySet

# The chain stops at the district: the city's own leaders are not on call for a grid.
DISTRICT_DEPTH = 2


def _above_district(path: str) -> list[str]:
    return ancestor_paths(path)[DISTRICT_DEPTH - 1 :]


def chain_for_area(area: Area, at: dt.datetime) -> ResponsibilityQuerySet:
    """The responsibilities held at `at` on `area` and on every area above it up to the
    district, nearest first (the grid's stationed cadre before the street's leader)."""
    chain: ResponsibilityQuerySet = (
        Responsibility.objects.active_at(at)
        .filter(area__path__in=_above_district(area.path), household__isnull=True)
        .select_related("worker", "duty", "area")
        .order_by("-area__depth", "duty__order", "started_at")
    )
    return chain


def chain_for_household(household: Household, at: dt.datetime) -> ResponsibilityQuerySet:
    """The household's own representatives, then the chain of its grid up to the district."""
    chain: ResponsibilityQuerySet = (
        Responsibility.objects.active_at(at)
        .filter(
            Q(household=household)
            | Q(area__path__in=_above_district(household.grid.path), household__isnull=True)
        )
        .select_related("worker", "duty", "area")
        .order_by(F("household").desc(nulls_last=True), "-area__depth", "duty__order", "started_at")
    )
    return chain
