"""The demo district's duty: posts at the gates of a closed compound, at sampling points and
at a checkpoint (where the other demos made them), each with yesterday's and today's
24-hour roster from the community's workforce, the shifts so far checked in and out, and
ONE post left with nobody on its roster, which the unmanned check turns into an incident.
Scheduled disinfection and patrols at the compound, with their log, one occurrence overdue.

Shifts and completions are written in bulk (yesterday is a past day the actions refuse),
then the real unmanned check runs. One audit entry records the build.
"""

import datetime as dt
import random
from collections.abc import Collection

from django.db import transaction
from django.utils import timezone

from wangge.areas.choices import GRID_KINDS
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.checkpoints.models import Checkpoint
from wangge.core.scoping import subtree_q
from wangge.duty.actions import workforce_of
from wangge.duty.choices import PostKind, ScheduledKind
from wangge.duty.models import Post, ScheduledTask, Shift, TaskCompletion
from wangge.duty.timing import at_local, day_bounds, occurrences
from wangge.duty.unmanned import raise_unmanned
from wangge.risk.models import AreaRiskLevel
from wangge.testing.choices import RoundStatus
from wangge.testing.models import SamplingPoint
from wangge.workforce.models import Team, Worker

GATES = ("北门", "南门")
EMPTY_GATE = "东门"
THREE_SHIFTS = ((0, 8), (8, 8), (16, 8))
TWO_SHIFTS = ((8, 12), (20, 12))
NOTES = ["", "", "已完成", "楼道、电梯按钮已消杀", "无异常", "已喷洒含氯消毒液"]


def demo_duty_exist(district: Area) -> bool:
    return Post.objects.filter(subtree_q([district.path], "area__path")).exists()


def remove_demo_duty(district: Area) -> int:
    """Delete the district's posts (and shifts) and scheduled tasks (and completions), before
    a demo reset removes the workforce and the areas; how many posts."""
    ScheduledTask.objects.filter(subtree_q([district.path], "area__path")).delete()
    _deleted, by_model = Post.objects.filter(subtree_q([district.path], "area__path")).delete()
    return by_model.get(Post._meta.label, 0)


def _closed_compound(district: Area, favour: Area | None) -> Area | None:
    """The compound in lockdown if the risk levels say so, else `favour`, else any grid."""
    locked = (
        AreaRiskLevel.objects.filter(
            subtree_q([district.path], "area__path"),
            ended_at__isnull=True,
            level="lockdown",
            area__kind__in=GRID_KINDS,
        )
        .select_related("area")
        .order_by("area__path")
        .first()
    )
    if locked is not None:
        area: Area = locked.area
        return area
    if favour is not None:
        return favour
    found: Area | None = (
        Area.objects.within(district).filter(kind__in=GRID_KINDS).order_by("path").first()
    )
    return found


def _running_first(
    crew: list[Worker],
    pattern: tuple[tuple[int, int], ...],
    favour_users: Collection[int],
    day: dt.date,
    now: dt.datetime,
) -> list[Worker]:
    """The crew with a favoured worker moved onto the shift of the pattern running now."""
    running = next(
        (
            index
            for index, (hour, hours) in enumerate(pattern)
            if at_local(day, dt.time(hour))
            <= now
            < at_local(day, dt.time(hour)) + dt.timedelta(hours=hours)
        ),
        None,
    )
    chosen = next((i for i, worker in enumerate(crew) if worker.user_id in favour_users), None)
    if running is None or chosen is None:
        return crew
    crew = list(crew)
    crew[running], crew[chosen] = crew[chosen], crew[running]
    return crew


def _shifts(
    post: Post,
    pool: list[Worker],
    pattern: tuple[tuple[int, int], ...],
    day: dt.date,
    now: dt.datetime,
    rng: random.Random,
) -> list[Shift]:
    """The post's shifts of `day` in `pattern` (start hour, hours), checked in (a few
    minutes after the start) and out as far as `now` allows."""
    made = []
    for worker, (hour, hours) in zip(pool, pattern, strict=False):
        starts_at = at_local(day, dt.time(hour))
        ends_at = starts_at + dt.timedelta(hours=hours)
        shift = Shift(post=post, worker=worker, starts_at=starts_at, ends_at=ends_at)
        checked_in = starts_at + dt.timedelta(minutes=rng.randint(-20, 10))
        if checked_in <= now:
            shift.checked_in_at = checked_in
            checked_out = ends_at + dt.timedelta(minutes=rng.randint(0, 15))
            if checked_out <= now:
                shift.checked_out_at = checked_out
        made.append(shift)
    return made


@transaction.atomic
def build_demo_duty(
    district: Area,
    *,
    seed: int,
    acting_user: "Actor | None" = None,
    at: dt.datetime | None = None,
    favour: Area | None = None,
    favour_users: Collection[int] = (),
) -> int:
    """Posts, rosters and scheduled tasks in the district; how many posts. Idempotent.
    The workers of `favour_users` (the demo's logins) are put on the shifts running now."""
    if demo_duty_exist(district):
        return 0
    now = at or timezone.now()
    today = timezone.localdate(now)
    yesterday = today - dt.timedelta(days=1)
    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by its seed
    compound = _closed_compound(district, favour)
    if compound is None:
        return 0
    posts = [
        Post(area=compound, name=f"{compound.name}{gate}", kind=PostKind.GATE, min_on_duty=2)
        for gate in GATES
    ]
    empty = Post(area=compound, name=f"{compound.name}{EMPTY_GATE}", kind=PostKind.GATE)
    community = (
        Area.objects.get(path=compound.path[: -Area.steplen]) if compound.depth > 1 else compound
    )
    for point in SamplingPoint.objects.filter(
        subtree_q([community.path], "area__path"), round__status=RoundStatus.OPEN
    ).order_by("round_id", "number")[:2]:
        posts.append(
            Post(
                area=point.area, name=point.name, kind=PostKind.SAMPLING_POINT, sampling_point=point
            )
        )
    checkpoint = (
        Checkpoint.objects.filter(subtree_q([district.path], "area__path"), active=True)
        .select_related("area")
        .order_by("pk")
        .first()
    )
    if checkpoint is not None:
        posts.append(
            Post(
                area=checkpoint.area,
                name=checkpoint.name,
                kind=PostKind.CHECKPOINT,
                checkpoint=checkpoint,
                min_on_duty=2,
            )
        )
    Post.objects.bulk_create([*posts, empty])
    # Each post's crews from its own workforce, nobody on two posts: those with a login
    # first, so that "my duty today" has something to show.
    used: set[object] = set()
    shifts: list[Shift] = []
    first_pool: list[Worker] = []
    for index, post in enumerate(posts):
        pool = [w for w in workforce_of(post).order_by("name", "pk") if w.pk not in used]
        favoured = [worker for worker in pool if worker.user_id in favour_users]
        others = [worker for worker in pool if worker.user_id not in favour_users]
        rng.shuffle(others)
        ordered = favoured[:1] + others + favoured[1:]
        if index == 0:
            first_pool = ordered
        pattern = TWO_SHIFTS if index % 2 else THREE_SHIFTS
        cursor = 0
        # A post that needs two has a second line of the same pattern.
        for _line in range(post.min_on_duty):
            crew = ordered[cursor : cursor + len(pattern)]
            cursor += len(pattern)
            if len(crew) < len(pattern):
                break
            used.update(worker.pk for worker in crew)
            crew = _running_first(crew, pattern, favour_users, today, now)
            for day in (yesterday, today):
                shifts.extend(_shifts(post, crew, pattern, day, now, rng))
    # The night shift of yesterday that runs into today is in the roster already (20:00+12h).
    Shift.objects.bulk_create(shifts)
    tasks = _scheduled(compound, community, first_pool, now, rng)
    raised = raise_unmanned(now)
    log.record(
        acting_user,
        AuditEvent.DEMO_DUTY,
        area_path=district.path,
        details={
            "posts": len(posts) + 1,
            "shifts": len(shifts),
            "scheduled_tasks": tasks,
            "incidents": raised,
        },
    )
    return len(posts) + 1


def _scheduled(
    compound: Area, community: Area, workers: list[Worker], now: dt.datetime, rng: random.Random
) -> int:
    """Disinfection and patrols at the compound, with yesterday's and today's log: every
    occurrence so far done, but the last due one of the rubbish point, left overdue."""
    team = Team.objects.filter(subtree_q([community.path], "area__path")).order_by("pk").first()
    someone = workers[0] if workers else None
    tasks = [
        ScheduledTask(
            area=compound,
            place="各楼栋楼道及电梯",
            kind=ScheduledKind.DISINFECTION,
            times=["08:00", "14:00", "20:00"],
            team=team,
            worker=None if team else someone,
        ),
        ScheduledTask(
            area=compound,
            place="垃圾收集点",
            kind=ScheduledKind.DISINFECTION,
            every_hours=2,
            first_time=dt.time(0),
            grace_minutes=30,
            worker=someone,
        ),
        ScheduledTask(
            area=compound,
            place="小区周界及围挡",
            kind=ScheduledKind.PATROL,
            times=["09:00", "15:00", "21:00"],
            worker=someone,
        ),
    ]
    ScheduledTask.objects.bulk_create(tasks)
    today = timezone.localdate(now)
    start, _end = day_bounds(today - dt.timedelta(days=1))
    completions = []
    user_id = someone.user_id if someone else None
    for task in tasks:
        due = [
            moment
            for day in (today - dt.timedelta(days=1), today)
            for moment in occurrences(task, day)
            if moment >= start and moment + dt.timedelta(minutes=20) <= now
        ]
        if task.place == "垃圾收集点":
            late = [m for m in due if m + dt.timedelta(minutes=task.grace_minutes + 1) < now]
            if late:
                due.remove(late[-1])  # the last one past its grace is left undone: overdue
        for moment in due:
            completions.append(
                TaskCompletion(
                    task=task,
                    due_at=moment,
                    done_at=min(now, moment + dt.timedelta(minutes=rng.randint(5, 25))),
                    by_id=user_id,
                    note=rng.choice(NOTES),
                )
            )
    TaskCompletion.objects.bulk_create(completions)
    return len(tasks)
