"""Reads of the dispatch boards: a team's board of a day, a worker's tasks, and the board
at any level (who is deployed where, what was left undone). Each costs a fixed number of
queries whatever the number of teams, workers or tasks."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Substr
from django.utils.functional import Promise

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.dispatch.actions import current_members, place_choices
from wangge.dispatch.choices import TaskKind, TaskStatus
from wangge.dispatch.models import Board, Task
from wangge.workforce.models import Team, Worker


@dataclass(frozen=True)
class BoardLine:
    """A member's row on their team's board: the worker and their task of the day, if any."""

    worker: Worker
    task: Task | None


def board_lines(team: Team, day: dt.date) -> list[BoardLine]:
    """Every current member of the team, by name, with their task of `day` (two queries).
    A member who left the team is off its board (their task stays theirs, and counts on the
    board at every level)."""
    tasks = {
        task.worker_id: task
        for task in Task.objects.filter(board__team=team, board__day=day).select_related(
            "worker", "place", "board__team"
        )
    }
    ordered = sorted(current_members(team), key=lambda worker: (worker.name, str(worker.pk)))
    return [BoardLine(worker, tasks.get(worker.pk)) for worker in ordered]


def board_places(team: Team) -> list[Area]:
    return list(place_choices(team).only("pk", "name", "depth", "path", "kind"))


def my_tasks(user: User, day: dt.date) -> "QuerySet[Task]":
    """The user's own tasks of a day (as a worker with a login), one query."""
    return (
        Task.objects.filter(worker__user=user, board__day=day)
        .select_related("place", "board__team", "worker")
        .order_by("board__team__name", "pk")
    )


def teams_led(user: User, day: dt.date) -> "QuerySet[Team]":
    """The teams `user` leads, each with its member count and its tasks of `day` (one
    query): what the leader's workbench card and the dispatch page show."""
    tasks = Task.objects.filter(board__team=OuterRef("pk"), board__day=day)
    led: QuerySet[Team] = (
        Team.objects.filter(leader__user=user, leader__user__is_active=True)
        .annotate(
            member_count=Count("memberships", filter=Q(memberships__worker__active=True)),
            assigned_count=_count(tasks),
            done_count=_count(tasks.filter(status=TaskStatus.DONE)),
        )
        .order_by("name", "pk")
    )
    return led


def _count(tasks: "QuerySet[Task]") -> Any:
    counted = tasks.order_by().values("board__team").annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def teams_in(area: Area, user: User, day: dt.date) -> "QuerySet[Team]":
    """The teams serving `area` or below that the user may see, with the same figures."""
    tasks = Task.objects.filter(board__team=OuterRef("pk"), board__day=day)
    teams: QuerySet[Team] = (
        Team.objects.visible_to(user, Perm.VIEW_WORKFORCE)
        .filter(subtree_q([area.path], "area__path"))
        .select_related("area", "leader")
        .annotate(
            member_count=Count("memberships", filter=Q(memberships__worker__active=True)),
            assigned_count=_count(tasks),
            done_count=_count(tasks.filter(status=TaskStatus.DONE)),
            not_done_count=_count(tasks.filter(status=TaskStatus.NOT_DONE)),
        )
        .order_by("area__path", "name", "pk")
    )
    return teams


def tasks_in(area: Area, user: User) -> "QuerySet[Task]":
    """Tasks placed in `area` or below, of teams the user may see."""
    return Task.objects.visible_to(user, Perm.VIEW_WORKFORCE).filter(
        subtree_q([area.path], "place__path")
    )


@dataclass
class DeploymentRow:
    """Where people are deployed on a day: one area (the area itself, or a child), the
    number of tasks of each kind there, and the total."""

    area: Area
    by_kind: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.by_kind.values())

    def counts(self) -> list[int]:
        return [self.by_kind.get(kind, 0) for kind in TaskKind.values]


@dataclass
class Deployment:
    """The board at a level: a row per child area (and one for tasks placed on the area
    itself), the totals by kind and by status."""

    area: Area
    rows: list[DeploymentRow]
    by_kind: dict[str, int]
    by_status: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.by_status.values())

    def status_counts(self) -> list[tuple[str | Promise, int]]:
        return [(label, self.by_status.get(status, 0)) for status, label in TaskStatus.choices]

    def kind_counts(self) -> list[tuple[str | Promise, int]]:
        return [(label, self.by_kind.get(kind, 0)) for kind, label in TaskKind.choices]


def deployment(area: Area, user: User, day: dt.date) -> Deployment:
    """Who is deployed where on `day`, under `area`: counts by child area and task kind,
    and by status (three queries)."""
    step = Area.steplen
    tasks = tasks_in(area, user).filter(board__day=day)
    grouped = (
        tasks.order_by()
        .annotate(branch=Substr("place__path", 1, len(area.path) + step))
        .values("branch", "kind")
        .annotate(n=Count("pk"))
    )
    per_branch: dict[str, dict[str, int]] = defaultdict(dict)
    by_kind: dict[str, int] = defaultdict(int)
    for row in grouped:
        per_branch[row["branch"]][row["kind"]] = row["n"]
        by_kind[row["kind"]] += row["n"]
    children = {
        child.path: child
        for child in Area.objects.filter(
            path__in=[path for path in per_branch if path != area.path]
        )
    }
    rows = []
    if area.path in per_branch:
        rows.append(DeploymentRow(area, per_branch[area.path]))
    rows.extend(DeploymentRow(children[path], per_branch[path]) for path in sorted(children))
    by_status = dict(
        tasks.order_by().values_list("status").annotate(n=Count("pk")).values_list("status", "n")
    )
    return Deployment(area, rows, dict(by_kind), by_status)


def undone(area: Area, user: User, days: list[dt.date]) -> "QuerySet[Task]":
    """What was left undone on these days under `area`: tasks not done, and tasks never
    closed; the latest day first, not done before never closed."""
    return (
        tasks_in(area, user)
        .filter(board__day__in=days)
        .exclude(status=TaskStatus.DONE)
        .select_related("worker", "place", "board__team")
        .order_by(
            "-board__day",
            F("status").desc(),
            "board__team__name",
            "worker__name",
            "pk",
        )
    )


def board_of(team: Team, day: dt.date) -> Board | None:
    return Board.objects.filter(team=team, day=day).first()


# --- for the daily analysis (wangge.snapshots) -------------------------------------------------


def dispatched_by_area(area: Area, day: dt.date) -> set[tuple[str, object]]:
    """(place's path, worker id) of every task on the boards of `day` under `area`: who
    was sent where that day. One query."""
    return set(
        Task.objects.filter(board__day=day, place__path__startswith=area.path)
        .order_by()
        .values_list("place__path", "worker_id")
        .distinct()
    )
