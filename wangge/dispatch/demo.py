"""The demo district's dispatch boards: yesterday's and today's board of every team that has
members, with tasks in every state, so that a newcomer sees the daily loop (一天一调度): the
leader's board, "my task today", and at every level who is deployed where and what was left
undone.

The boards are written in bulk, not through the actions: yesterday is a past day that the
actions rightly refuse to change, and a district has hundreds of teams. One audit entry
records the build. Whatever teams and workers exist are used; a team without members gets
no board, a team whose leader has a login is left with its today's board set.
"""

import datetime as dt
import random
import uuid
from collections import defaultdict

from django.db import transaction
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.choices import GRID_KINDS
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.core.scoping import is_within, subtree_q
from wangge.dispatch.choices import TaskKind, TaskStatus
from wangge.dispatch.models import Board, Task
from wangge.workforce.models import Team, TeamMembership

# The day's work of most people is at the sampling points; the rest is spread out.
KIND_WEIGHTS = {
    TaskKind.SAMPLING: 5,
    TaskKind.ORDER: 4,
    TaskKind.REGISTRATION: 4,
    TaskKind.DOOR_TO_DOOR: 2,
    TaskKind.PUBLICITY: 1,
    TaskKind.DISINFECTION: 2,
    TaskKind.PATROL: 2,
    TaskKind.LOGISTICS: 1,
    TaskKind.SERVICE_DELIVERY: 2,
}
REASONS = [
    "居民不在家，明日再上门",
    "防护物资未送到",
    "临时抽调到采样点",
    "下雨，消杀推迟到明天",
    "身体不适，已请假",
]
# Rolls that give yesterday not done, done, never closed (assigned), done, never closed
# (checked in); and today done, assigned, not done, checked in, done.
SHOWN_ROLLS = [0.85, 0.1, 0.99, 0.5, 0.92]
NOTES = ["", "", "", "1号采样点", "东门卡口", "重点楼栋", "独居老人户"]


def _teams(district: Area) -> "list[Team]":
    return list(
        Team.objects.filter(subtree_q([district.path], "area__path"))
        .select_related("area")
        .order_by("area__path", "name", "pk")
    )


def demo_boards_exist(district: Area) -> bool:
    return Board.objects.filter(subtree_q([district.path], "team__area__path")).exists()


def remove_demo_boards(district: Area) -> int:
    """Delete the boards (and their tasks) of the district's teams, before a demo reset
    removes the teams; how many boards."""
    deleted, by_model = Board.objects.filter(
        subtree_q([district.path], "team__area__path")
    ).delete()
    return by_model.get(Board._meta.label, 0)


def _at(day: dt.date, hour: int, minute: int, now: dt.datetime) -> dt.datetime:
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))
    return min(moment, now)


def build_demo_boards(
    district: Area, *, seed: int, acting_user: User | None, today: dt.date
) -> int:
    """Fill yesterday's and today's boards of the district's teams; the number of tasks.

    Yesterday is closed: most done, some not done with a reason, a few never closed.
    Today is under way: assigned, checked in (some out again), a few already done or not
    done. Idempotent: a district that has boards is left as it is (0).
    """
    if demo_boards_exist(district):
        return 0
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by its seed
    teams = _teams(district)
    members: dict[int, list[uuid.UUID]] = defaultdict(list)
    for team_id, worker_id in (
        TeamMembership.objects.filter(team__in=teams, worker__active=True)
        .order_by("team_id", "worker__name", "worker_id")
        .values_list("team_id", "worker_id")
    ):
        members[team_id].append(worker_id)
    grids = list(
        Area.objects.filter(subtree_q([district.path]), kind__in=GRID_KINDS).values_list(
            "pk", "path"
        )
    )
    now = timezone.now()
    yesterday = today - dt.timedelta(days=1)
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    tasks: list[Task] = []
    with transaction.atomic():
        boards = Board.objects.bulk_create(
            [
                Board(team=team, day=day)
                for team in teams
                if members[team.pk]
                for day in (yesterday, today)
            ]
        )
        first_team = boards[0].team_id if boards else None
        by_team: dict[int, dict[dt.date, Board]] = defaultdict(dict)
        for board in boards:
            by_team[board.team_id][board.day] = board
        for team in teams:
            if not members[team.pk]:
                continue
            places = [pk for pk, path in grids if is_within(path, team.area.path)] or [team.area.pk]
            plan = {
                worker: (rng.choices(kinds, weights)[0], rng.choice(places), rng.choice(NOTES))
                for worker in members[team.pk]
            }
            for day in (yesterday, today):
                for position, (worker, (kind, place, note)) in enumerate(plan.items()):
                    # Most keep yesterday's task; a few are moved, as a leader would.
                    if day == today and rng.random() < 0.2:
                        kind = rng.choices(kinds, weights)[0]
                    # The first team shows every state, whatever the dice say.
                    roll = (
                        SHOWN_ROLLS[position]
                        if team.pk == first_team and position < len(SHOWN_ROLLS)
                        else rng.random()
                    )
                    board = by_team[team.pk][day]
                    tasks.append(_task(board, worker, (kind, place, note), today, roll, rng, now))
        Task.objects.bulk_create(tasks, batch_size=2000)
        log.record(
            acting_user,
            AuditEvent.DEMO_BOARDS,
            area_path=district.path,
            details={
                "teams": len(by_team),
                "tasks": len(tasks),
                "days": [yesterday, today],
            },
        )
    return len(tasks)


def _task(
    board: Board,
    worker: uuid.UUID,
    plan: tuple[str, int, str],
    today: dt.date,
    roll: float,
    rng: random.Random,
    now: dt.datetime,
) -> Task:
    """A task of the plan on the board, in the state the roll of the dice gives it."""
    kind, place, note = plan
    day = board.day
    task = Task(
        board=board,
        worker_id=worker,
        kind=kind,
        place_id=place,
        note=note,
        assigned_at=_at(day, 7, rng.randint(0, 40), now),
    )
    started = _at(day, 8, rng.randint(0, 59), now)
    if day < today:
        if roll < 0.75:
            _close(task, started, _at(day, 17, rng.randint(0, 59), now), TaskStatus.DONE)
        elif roll < 0.9:
            _close(task, started, _at(day, 17, rng.randint(0, 59), now), TaskStatus.NOT_DONE)
            task.reason = rng.choice(REASONS)
        elif roll < 0.95:
            task.status, task.checked_in_at = TaskStatus.CHECKED_IN, started
        return task
    # Today, under way.
    if roll < 0.35:
        return task
    task.status, task.checked_in_at = TaskStatus.CHECKED_IN, started
    if roll < 0.8:
        return task
    if roll < 0.95:
        _close(task, started, _at(day, 12, rng.randint(0, 59), now), TaskStatus.DONE)
    else:
        _close(task, started, _at(day, 12, rng.randint(0, 59), now), TaskStatus.NOT_DONE)
        task.reason = rng.choice(REASONS)
    return task


def _close(task: Task, started: dt.datetime, ended: dt.datetime, status: str) -> None:
    task.status = status
    task.checked_in_at = started
    task.checked_out_at = max(ended, started)
    task.closed_at = max(ended, started)
