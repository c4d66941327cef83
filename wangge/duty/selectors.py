"""Reads of duty: a post's roster of a day with its gaps, the posts of an area with their
status now, a worker's shifts, and the scheduled tasks' due occurrences (done, due,
overdue). Each costs a fixed number of queries whatever the number of posts or shifts."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.duty.choices import PostStatus
from wangge.duty.models import Post, ScheduledTask, Shift, TaskCompletion
from wangge.duty.timing import Interval, day_bounds, gaps, occurrences


def late_after() -> dt.timedelta:
    """How long after a shift's start its worker may still check in before the post
    counts as unmanned (WANGGE_DUTY_LATE_MINUTES, default 15)."""
    return dt.timedelta(minutes=settings.WANGGE_DUTY_LATE_MINUTES)


def overlapping(start: dt.datetime, end: dt.datetime) -> Q:
    """Shifts that overlap [start, end)."""
    return Q(starts_at__lt=end, ends_at__gt=start)


@dataclass
class Roster:
    """A post's day: its shifts (those overlapping the day), and the stretches of the day
    no shift covers."""

    post: Post
    day: dt.date
    shifts: list[Shift]
    gaps: list[Interval]

    @property
    def covered(self) -> bool:
        return not self.gaps


def roster(post: Post, day: dt.date) -> Roster:
    """The post's roster of `day` (one query)."""
    start, end = day_bounds(day)
    shifts = list(
        Shift.objects.filter(overlapping(start, end), post=post)
        .select_related("worker")
        .order_by("starts_at", "worker__name")
    )
    return Roster(post, day, shifts, gaps([(s.starts_at, s.ends_at) for s in shifts], start, end))


def status_of(post: Post, shifts: list[Shift], now: dt.datetime) -> tuple[str, int, int]:
    """The post's status now from the shifts covering now: (status, on duty, expected)."""
    if not post.active:
        return PostStatus.INACTIVE, 0, 0
    running = [s for s in shifts if s.starts_at <= now < s.ends_at]
    on_duty = sum(1 for s in running if s.checked_in_at is not None and s.checked_out_at is None)
    if not running:
        return PostStatus.UNMANNED, 0, 0
    if on_duty:
        return PostStatus.MANNED, on_duty, len(running)
    if all(now - s.starts_at >= late_after() for s in running):
        return PostStatus.UNMANNED, 0, len(running)
    return PostStatus.LATE, 0, len(running)


@dataclass
class PostRow:
    post: Post
    status: str
    on_duty: int
    expected: int
    gaps: list[Interval] = field(default_factory=list)


def visible_posts(user: User, area: Area) -> "QuerySet[Post]":
    return (
        Post.objects.visible_to(user, Perm.VIEW_CONTROL)
        .filter(subtree_q([area.path], "area__path"))
        .select_related("area")
        .order_by("area__path", "name", "pk")
    )


def post_rows(
    posts: list[Post], now: dt.datetime, among: "QuerySet[Post] | None" = None
) -> list[PostRow]:
    """Each post with its status now and today's gaps: one query for every post's shifts
    (`among`, the query the posts came from, makes it one even when there is no post)."""
    start, end = day_bounds(timezone.localdate(now))
    by_post: dict[int, list[Shift]] = defaultdict(list)
    chosen: Any = among.values("pk") if among is not None else [p.pk for p in posts]
    for shift in Shift.objects.filter(overlapping(start, end), post__in=chosen):
        by_post[shift.post_id].append(shift)
    rows = []
    for post in posts:
        shifts = by_post[post.pk]
        status, on_duty, expected = status_of(post, shifts, now)
        holes = gaps([(s.starts_at, s.ends_at) for s in shifts], start, end) if post.active else []
        rows.append(PostRow(post, status, on_duty, expected, holes))
    return rows


def my_shifts(user: User, now: dt.datetime) -> "QuerySet[Shift]":
    """The user's shifts (as a worker with a login) overlapping today, and any still open
    from before (checked in, not out). One query."""
    start, end = day_bounds(timezone.localdate(now))
    return (
        Shift.objects.filter(worker__user=user)
        .filter(
            overlapping(start, end) | Q(checked_in_at__isnull=False, checked_out_at__isnull=True)
        )
        .filter(ends_at__gt=start - dt.timedelta(days=1))
        .select_related("post__area", "worker")
        .order_by("starts_at")
    )


@dataclass(frozen=True)
class Occurrence:
    """One due time of a scheduled task, and what came of it."""

    task: ScheduledTask
    due_at: dt.datetime
    completion: TaskCompletion | None
    overdue: bool

    @property
    def done(self) -> bool:
        return self.completion is not None


def day_occurrences(
    tasks: list[ScheduledTask],
    day: dt.date,
    now: dt.datetime,
    among: "QuerySet[ScheduledTask] | None" = None,
) -> list[Occurrence]:
    """The due times of `tasks` on `day`, each with its completion and whether it is
    overdue (not done `grace_minutes` after it was due). One query for the completions
    (`among`, the query the tasks came from, makes it one even when there is no task)."""
    start, end = day_bounds(day)
    chosen: Any = among.values("pk") if among is not None else [t.pk for t in tasks]
    done = {
        (c.task_id, c.due_at): c
        for c in TaskCompletion.objects.filter(
            task__in=chosen, due_at__gte=start, due_at__lt=end
        ).select_related("by")
    }
    found = []
    for task in tasks:
        if not task.active:
            continue
        for due_at in occurrences(task, day):
            completion = done.get((task.pk, due_at))
            overdue = completion is None and now > due_at + dt.timedelta(minutes=task.grace_minutes)
            found.append(Occurrence(task, due_at, completion, overdue))
    found.sort(key=lambda o: (o.due_at, o.task.place))
    return found


def visible_tasks(user: User, area: Area) -> "QuerySet[ScheduledTask]":
    return (
        ScheduledTask.objects.visible_to(user, Perm.VIEW_CONTROL)
        .filter(subtree_q([area.path], "area__path"))
        .select_related("area", "team", "worker")
        .order_by("area__path", "place", "pk")
    )


def assigned_tasks(user: User) -> "QuerySet[ScheduledTask]":
    """The active tasks assigned to the user's worker, or to a team they are in or lead."""
    return (
        ScheduledTask.objects.filter(active=True)
        .filter(
            Q(worker__user=user)
            | Q(team__memberships__worker__user=user)
            | Q(team__leader__user=user)
        )
        .distinct()
        .select_related("area", "team", "worker")
        .order_by("place", "pk")
    )


def overdue_counts(
    tasks: list[ScheduledTask], now: dt.datetime, among: "QuerySet[ScheduledTask] | None" = None
) -> tuple[int, int, int]:
    """(due today, done today, overdue now) over today's occurrences of `tasks`."""
    found = day_occurrences(tasks, timezone.localdate(now), now, among)
    return len(found), sum(1 for o in found if o.done), sum(1 for o in found if o.overdue)


def completion_log(task: ScheduledTask) -> "QuerySet[TaskCompletion]":
    return TaskCompletion.objects.filter(task=task).select_related("by").order_by("-due_at")


# --- for the daily analysis (wangge.snapshots) -------------------------------------------------


def rostered_by_area(area: Area, start: dt.datetime, end: dt.datetime) -> set[tuple[str, object]]:
    """(post's area path, worker id) of every shift under `area` overlapping [start, end):
    who was on a duty roster that day, and where. One query."""
    return set(
        Shift.objects.filter(overlapping(start, end), post__area__path__startswith=area.path)
        .order_by()
        .values_list("post__area__path", "worker_id")
        .distinct()
    )
