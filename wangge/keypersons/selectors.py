"""Reads of key persons: what is overdue today, the lists with their flags, the counts.

**Overdue** (one rule, a query expression used by the lists and the workbench card): a
person under a measure is overdue when a scheduled test is past its day without a sample,
or when their policy asks for daily checks, their measure has started and today's check is
missing."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.db.models.functions import Substr

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.core.permissions import Perm
from wangge.keypersons.choices import KeyPersonStatus, Measure
from wangge.keypersons.models import HealthCheck, KeyPerson, MeasurePolicy, ScheduledTest


def tests_overdue(today: dt.date) -> Exists:
    return Exists(
        ScheduledTest.objects.filter(
            key_person=OuterRef("pk"), sampled_at__isnull=True, due_on__lt=today
        )
    )


def check_missing(today: dt.date) -> Q:
    return (
        Q(status=KeyPersonStatus.UNDER_MEASURE, started_on__lte=today)
        & Q(Exists(MeasurePolicy.objects.filter(measure=OuterRef("measure"), daily_checks=True)))
        & ~Q(Exists(HealthCheck.objects.filter(key_person=OuterRef("pk"), checked_on=today)))
    )


def overdue_q(today: dt.date) -> Q:
    """Under a measure and overdue today (module docstring)."""
    return Q(status=KeyPersonStatus.UNDER_MEASURE) & (
        Q(tests_overdue(today)) | check_missing(today)
    )


def with_flags(people: QuerySet[KeyPerson], today: dt.date) -> Any:
    """Each person with `test_overdue` and `check_due` (booleans) for the lists (typed as
    Any: the annotations are not fields the type checker knows)."""
    return people.annotate(
        test_overdue=Q(status=KeyPersonStatus.UNDER_MEASURE) & Q(tests_overdue(today)),
        check_due=check_missing(today),
    )


@dataclass(frozen=True)
class ListFilters:
    category: str = ""
    measure: str = ""
    status: str = KeyPersonStatus.UNDER_MEASURE
    overdue: bool = False


def key_persons_under(
    user: User, area_path: str, filters: ListFilters, today: dt.date
) -> QuerySet[KeyPerson]:
    people = KeyPerson.objects.visible_to(user, Perm.VIEW_CONTROL).filter(
        area__path__startswith=area_path
    )
    if filters.category:
        people = people.filter(category=filters.category)
    if filters.measure:
        people = people.filter(measure=filters.measure)
    if filters.status:
        people = people.filter(status=filters.status)
    if filters.overdue:
        people = people.filter(overdue_q(today))
    return people


def counts_by_measure(people: QuerySet[KeyPerson], today: dt.date) -> dict[str, int]:
    """Under measure per measure, and overdue, in one query."""
    open_ = Q(status=KeyPersonStatus.UNDER_MEASURE)
    figures = people.aggregate(
        **{m.value: Count("pk", filter=open_ & Q(measure=m.value)) for m in Measure},
        overdue=Count("pk", filter=overdue_q(today)),
        flagged=Count("pk", filter=open_ & Q(flagged_at__isnull=False)),
    )
    return {key: int(value or 0) for key, value in figures.items()}


@dataclass(frozen=True)
class AreaFigures:
    area: Area
    under_measure: int
    overdue: int
    # The people placed on `area` itself, not on an area below it (a community's own).
    own: bool = False


def figures_below(people: QuerySet[KeyPerson], area: Area, today: dt.date) -> list[AreaFigures]:
    """People under a measure and overdue in each area right below `area` that has any,
    in two queries (one grouped by the path prefix of the child, one for the children);
    those placed on `area` itself come first as its own row, so that the rows add up."""
    length = len(area.path) + Area.steplen
    rows = (
        people.filter(status=KeyPersonStatus.UNDER_MEASURE)
        .annotate(prefix=Substr("area__path", 1, length))
        .values("prefix")
        .annotate(n=Count("pk"), overdue=Count("pk", filter=overdue_q(today)))
    )
    by_prefix = {row["prefix"]: row for row in rows}
    if not by_prefix:
        return []
    children = Area.objects.filter(path__in=list(by_prefix)).order_by("path")
    return [
        AreaFigures(
            child,
            by_prefix[child.path]["n"],
            by_prefix[child.path]["overdue"],
            own=child.path == area.path,
        )
        for child in children
    ]


# --- for the daily analysis (wangge.snapshots) -------------------------------------------------


def under_measure_on(day: dt.date, as_of: dt.datetime) -> Q:
    """Under a measure at `as_of` on `day`: started by that day, not released by then (the
    release time is kept, so a past day reads as it was)."""
    return Q(started_on__lte=day) & (Q(released_at__isnull=True) | Q(released_at__gt=as_of))


def overdue_on(day: dt.date, as_of: dt.datetime) -> tuple[Q, Q]:
    """The two halves of `overdue_q` as they stood at `as_of` on `day`, for someone under a
    measure then: a scheduled test past its day not sampled by `as_of`; the daily check
    of `day` missing."""
    test = Exists(
        ScheduledTest.objects.filter(key_person=OuterRef("pk"), due_on__lt=day).filter(
            Q(sampled_at__isnull=True) | Q(sampled_at__gte=as_of)
        )
    )
    check = Q(
        Exists(MeasurePolicy.objects.filter(measure=OuterRef("measure"), daily_checks=True))
    ) & ~Q(Exists(HealthCheck.objects.filter(key_person=OuterRef("pk"), checked_on=day)))
    return Q(test), check


@dataclass(frozen=True)
class MeasureCounts:
    """Key persons of one area under each measure on a day, and those overdue."""

    by_measure: dict[str, int]
    checks_overdue: int
    tests_overdue: int


def measure_counts_by_area(
    area: Area, day: dt.date, as_of: dt.datetime
) -> dict[str, MeasureCounts]:
    """Per area path under `area`: people under each measure at `as_of`, and those of them
    whose daily check of `day` is missing or a scheduled test overdue: one grouped query."""
    test, check = overdue_on(day, as_of)
    rows = (
        KeyPerson.objects.filter(area__path__startswith=area.path)
        .filter(under_measure_on(day, as_of))
        .order_by()
        .values("area__path", "measure")
        .annotate(n=Count("pk"), checks=Count("pk", filter=check), tests=Count("pk", filter=test))
    )
    found: dict[str, MeasureCounts] = {}
    for row in rows:
        counts = found.setdefault(row["area__path"], MeasureCounts({}, 0, 0))
        counts.by_measure[row["measure"]] = counts.by_measure.get(row["measure"], 0) + row["n"]
        found[row["area__path"]] = MeasureCounts(
            counts.by_measure,
            counts.checks_overdue + row["checks"],
            counts.tests_overdue + row["tests"],
        )
    return found
