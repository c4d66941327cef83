"""Reads of lists to trace: progress by status and by area, my people, the card's counts.

Every read goes through `visible_to`: a grid sees its own people of a community's list,
the community and everything above see the whole list below them.
"""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet

from wangge.accounts.models import User
from wangge.areas.choices import GRID_KINDS
from wangge.areas.models import Area
from wangge.core.permissions import Perm
from wangge.tracing.choices import COMMUNITY_KINDS, TracedStatus
from wangge.tracing.models import TracedList, TracedPerson


def visible_lists(user: User) -> "QuerySet[TracedList]":
    return (
        TracedList.objects.visible_to(user, Perm.VIEW_CONTROL)
        .select_related("area")
        .order_by("-created_at", "-pk")
    )


def visible_people(user: User, permission: str = Perm.VIEW_CONTROL) -> "QuerySet[TracedPerson]":
    return TracedPerson.objects.visible_to(user, permission)


@dataclass
class AreaProgress:
    """One responsible area's figures on a list."""

    area_id: int
    name: str
    counts: dict[str, int] = field(default_factory=dict)
    overdue: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def pending(self) -> int:
        return self.counts.get(TracedStatus.PENDING, 0)


@dataclass
class Progress:
    """A list's progress as one viewer sees it: totals by status and by area."""

    by_status: dict[str, int]
    areas: list[AreaProgress]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    @property
    def done(self) -> int:
        return self.total - self.by_status.get(TracedStatus.PENDING, 0)

    def statuses(self) -> list[tuple[str, Any, int]]:
        return [(s.value, s.label, self.by_status.get(s.value, 0)) for s in TracedStatus]


def progress(traced_list: TracedList, user: User, now: dt.datetime) -> Progress:
    """Counts by status and by responsible area, in one grouped query."""
    rows = (
        visible_people(user)
        .filter(traced_list=traced_list)
        .order_by()
        .values("area_id", "area__name", "area__path", "status")
        .annotate(
            n=Count("pk"),
            late=Count("pk", filter=Q(status=TracedStatus.PENDING, deadline__lt=now)),
        )
    )
    by_status: dict[str, int] = {}
    areas: dict[int, AreaProgress] = {}
    paths: dict[int, str] = {}
    overdue = 0
    for row in rows:
        by_status[row["status"]] = by_status.get(row["status"], 0) + row["n"]
        entry = areas.setdefault(row["area_id"], AreaProgress(row["area_id"], row["area__name"]))
        paths[row["area_id"]] = row["area__path"]
        entry.counts[row["status"]] = row["n"]
        entry.overdue += row["late"]
        overdue += row["late"]
    ordered = sorted(areas.values(), key=lambda a: paths[a.area_id])
    return Progress(by_status=by_status, areas=ordered, overdue=overdue)


def my_pending(user: User) -> "QuerySet[TracedPerson]":
    """The people waiting for my feedback (FOLLOW_UP on their area), soonest due first."""
    return (
        visible_people(user, Perm.FOLLOW_UP)
        .filter(status=TracedStatus.PENDING)
        .select_related("area", "traced_list")
        .order_by("deadline", "traced_list_id", "row_number")
    )


@dataclass(frozen=True)
class ListCount:
    list_id: int
    title: str
    pending: int
    overdue: int


CARD_LISTS = 5


def pending_by_list(user: User, now: dt.datetime) -> list[ListCount]:
    """Per list, my areas' people still waiting and how many are late: one query."""
    rows = (
        visible_people(user, Perm.FOLLOW_UP)
        .filter(status=TracedStatus.PENDING)
        .order_by()
        .values("traced_list_id", "traced_list__title")
        .annotate(pending=Count("pk"), overdue=Count("pk", filter=Q(deadline__lt=now)))
        .order_by("-overdue", "traced_list_id")
    )
    return [
        ListCount(row["traced_list_id"], row["traced_list__title"], row["pending"], row["overdue"])
        for row in rows
    ]


def assignable_areas(person: TracedPerson, user: User) -> "QuerySet[Area]":
    """Communities and grids below a waiting person's area that `user` may assign to."""
    return (
        Area.objects.visible_to(user, Perm.MANAGE_CONTROL)
        .filter(path__startswith=person.area.path, kind__in=[*COMMUNITY_KINDS, *GRID_KINDS])
        .exclude(pk=person.area_id)
        .order_by("path")[:300]
    )


# --- for the daily analysis (wangge.snapshots) -------------------------------------------------


def feedback_by_area(area: Area, as_of: dt.datetime) -> dict[str, tuple[int, int, int]]:
    """Per area path under `area`, as things stood at `as_of`: people on the lists received
    by then, those with feedback by then, and those still waiting past their deadline.
    One grouped query."""
    answered = Q(feedback_at__lt=as_of) & ~Q(status=TracedStatus.PENDING)
    rows = (
        TracedPerson.objects.filter(
            area__path__startswith=area.path, traced_list__created_at__lt=as_of
        )
        .order_by()
        .values_list("area__path")
        .annotate(
            n=Count("pk"),
            answered=Count("pk", filter=answered),
            overdue=Count("pk", filter=~answered & Q(deadline__lt=as_of)),
        )
        .values_list("area__path", "n", "answered", "overdue")
    )
    return {path: (n, done, late) for path, n, done, late in rows}
