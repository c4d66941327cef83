"""Changes to duty posts, their rosters and scheduled tasks. Each is atomic and audited;
who may do what is `duty.access`. Free-text notes stay out of the audit log."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.files import File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.areas.choices import KIND_LEVEL, AreaKind
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.checkpoints.models import Checkpoint
from wangge.core.permissions import Perm
from wangge.core.scoping import OutOfScope, require_in_scope, subtree_q
from wangge.duty.access import Acting, may_check, may_complete, may_manage
from wangge.duty.choices import PostKind, ScheduledKind
from wangge.duty.errors import DutyError
from wangge.duty.models import Post, ScheduledTask, Shift, TaskCompletion
from wangge.duty.timing import day_bounds, occurrences, parse_time
from wangge.testing.models import SamplingPoint
from wangge.workforce.models import Team, Worker

# A worker may check in this long before their shift starts, and until it ends.
CHECK_IN_EARLY = dt.timedelta(minutes=30)
# ... and check out until this long after it ends (a forgotten check out stays open).
CHECK_OUT_LATE = dt.timedelta(hours=4)
# A shift is at most a day long; a roster may be prepared a week ahead.
SHIFT_MAX = dt.timedelta(hours=24)
DAYS_AHEAD = 7
NOTE_LENGTH = 200
# A completion may be recorded this long before its due time (a patrol started early).
COMPLETE_EARLY = dt.timedelta(hours=1)
# The workforce of a post is the community's (or village's) around it.
WORKFORCE_LEVEL = KIND_LEVEL[AreaKind.COMMUNITY]


def workforce_home(area: Area) -> str:
    """The path of the area whose workers may man a post in `area`: the community (or
    village) it lies in, or the area itself when it is at that level or above."""
    levels_up = max(0, KIND_LEVEL.get(area.kind, WORKFORCE_LEVEL) - WORKFORCE_LEVEL)
    path: str = area.path
    return path[: len(path) - Area.steplen * levels_up] or path


def workforce_of(post: Post) -> Any:
    """The active workers who may be put on the post's roster."""
    return Worker.objects.filter(subtree_q([workforce_home(post.area)], "area__path"), active=True)


def _require_manager(acting_user: Acting, post: Post) -> None:
    if not may_manage(acting_user, post):
        raise OutOfScope


@transaction.atomic
def create_post(
    area: Area,
    *,
    name: str,
    kind: str,
    min_on_duty: int = 1,
    sampling_point: SamplingPoint | None = None,
    checkpoint: Checkpoint | None = None,
    acting_user: Acting,
) -> Post:
    """A new post in `area` (a sampling point or checkpoint it stands at must lie in the
    same area or below)."""
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_CONTROL, [area])
    name = name.strip()
    if not name:
        raise DutyError(_("give the post a name"))
    if kind not in PostKind.values:
        raise DutyError(_("unknown kind of post"))
    if not 1 <= min_on_duty <= 50:  # noqa: PLR2004
        raise DutyError(_("the minimum on duty is between 1 and 50"))
    for linked in (sampling_point, checkpoint):
        if linked is not None and not linked.area.path.startswith(area.path):
            raise DutyError(_("the linked place lies outside the post's area"))
    if Post.objects.filter(area=area, name=name).exists():
        raise DutyError(_("this area already has a post of that name"))
    post = Post.objects.create(
        area=area,
        name=name,
        kind=kind,
        min_on_duty=min_on_duty,
        sampling_point=sampling_point,
        checkpoint=checkpoint,
    )
    log.record(
        acting_user,
        AuditEvent.POST_CREATE,
        obj=post,
        area_path=area.path,
        details={"name": name, "kind": kind, "min_on_duty": min_on_duty},
    )
    return post


@transaction.atomic
def set_post_active(post: Post, active: bool, *, acting_user: Acting) -> Post:
    """Open or close a post (a closed post raises no unmanned incident)."""
    _require_manager(acting_user, post)
    if post.active != active:
        post.active = active
        post.save(update_fields=["active"])
        log.record(
            acting_user,
            AuditEvent.POST_UPDATE,
            obj=post,
            area_path=post.area.path,
            details={"active": active},
        )
    return post


def _audit_shift(acting_user: Acting, event: AuditEvent, shift: Shift, **more: Any) -> None:
    log.record(
        acting_user,
        event,
        obj=shift,
        area_path=shift.post.area.path,
        details={
            "post": shift.post_id,
            "worker": str(shift.worker_id),
            "starts_at": shift.starts_at,
            "ends_at": shift.ends_at,
            **more,
        },
    )


def _check_shift(post: Post, worker: Worker, starts_at: dt.datetime, ends_at: dt.datetime) -> None:
    now = timezone.now()
    if ends_at <= starts_at:
        raise DutyError(_("a shift ends after it starts"))
    if ends_at - starts_at > SHIFT_MAX:
        raise DutyError(_("a shift lasts at most 24 hours"))
    if ends_at <= now:
        raise DutyError(_("a past shift can no longer be added"))
    if starts_at > now + dt.timedelta(days=DAYS_AHEAD):
        raise DutyError(_("a roster can be prepared at most a week ahead"))
    if not workforce_of(post).filter(pk=worker.pk).exists():
        raise DutyError(_("this worker is not in the workforce of the post's area"))
    clash = Shift.objects.filter(worker=worker, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if clash.exists():
        raise DutyError(_("this worker is already on duty at that time"))


@transaction.atomic
def add_shift(
    post: Post,
    worker: Worker,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    *,
    acting_user: Acting,
) -> Shift:
    """Put a worker on the post's roster from `starts_at` to `ends_at` (at most a day,
    not in the past, not overlapping another shift of theirs at any post)."""
    _require_manager(acting_user, post)
    Worker.objects.select_for_update().filter(pk=worker.pk).first()
    _check_shift(post, worker, starts_at, ends_at)
    shift = Shift.objects.create(post=post, worker=worker, starts_at=starts_at, ends_at=ends_at)
    _audit_shift(acting_user, AuditEvent.SHIFT_ASSIGN, shift)
    return shift


@transaction.atomic
def remove_shift(shift: Shift, *, acting_user: Acting) -> None:
    """Take a shift off the roster, unless its worker has checked in (it is the record)."""
    _require_manager(acting_user, shift.post)
    locked = Shift.objects.select_for_update().get(pk=shift.pk)
    if locked.checked_in_at is not None:
        raise DutyError(_("the worker has checked in: the shift stays"))
    _audit_shift(acting_user, AuditEvent.SHIFT_REMOVE, shift)
    locked.delete()


@dataclass(frozen=True)
class RosterCopy:
    """What copying the day before did."""

    copied: int
    kept: int
    skipped: int


@transaction.atomic
def copy_roster_forward(post: Post, day: dt.date, *, acting_user: Acting) -> RosterCopy:
    """Copy the shifts starting on the day before `day` onto `day`, a day later: for the
    workers still in the post's workforce. A shift already there is kept, one that clashes
    with the worker's other duty or would lie in the past is skipped: copying never
    overwrites."""
    _require_manager(acting_user, post)
    start, end = day_bounds(day - dt.timedelta(days=1))
    source = list(
        Shift.objects.filter(post=post, starts_at__gte=start, starts_at__lt=end).order_by(
            "starts_at"
        )
    )
    if not source:
        raise DutyError(_("no shifts the day before to copy"))
    allowed = set(workforce_of(post).values_list("pk", flat=True))
    now = timezone.now()
    copied = kept = skipped = 0
    for shift in source:
        starts_at = shift.starts_at + dt.timedelta(days=1)
        ends_at = shift.ends_at + dt.timedelta(days=1)
        if Shift.objects.filter(post=post, worker=shift.worker_id, starts_at=starts_at).exists():
            kept += 1
            continue
        clash = Shift.objects.filter(
            worker=shift.worker_id, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).exists()
        if shift.worker_id not in allowed or ends_at <= now or clash:
            skipped += 1
            continue
        Shift.objects.create(
            post=post, worker_id=shift.worker_id, starts_at=starts_at, ends_at=ends_at
        )
        copied += 1
    log.record(
        acting_user,
        AuditEvent.ROSTER_COPY,
        obj=post,
        area_path=post.area.path,
        details={"day": day, "copied": copied, "kept": kept, "skipped": skipped},
    )
    return RosterCopy(copied, kept, skipped)


def _locked_shift(shift: Shift, acting_user: Acting) -> Shift:
    locked: Shift = (
        Shift.objects.select_for_update(of=("self",))
        .select_related("post__area", "worker")
        .get(pk=shift.pk)
    )
    if not may_check(acting_user, locked):
        raise OutOfScope
    return locked


@transaction.atomic
def check_in(shift: Shift, *, acting_user: Acting) -> Shift:
    """The worker is at the post: from CHECK_IN_EARLY before the shift starts until it ends.
    A second check in changes nothing (a retry)."""
    shift = _locked_shift(shift, acting_user)
    if shift.checked_in_at is not None:
        return shift
    now = timezone.now()
    if now < shift.starts_at - CHECK_IN_EARLY:
        raise DutyError(_("too early: check in at most 30 minutes before the shift"))
    if now >= shift.ends_at:
        raise DutyError(_("the shift is over"))
    shift.checked_in_at = now
    shift.checked_in_by = log.as_actor(acting_user).user
    shift.save(update_fields=["checked_in_at", "checked_in_by"])
    _audit_shift(acting_user, AuditEvent.SHIFT_CHECK_IN, shift)
    return shift


@transaction.atomic
def check_out(shift: Shift, *, acting_user: Acting) -> Shift:
    """The worker leaves the post, after checking in and at most CHECK_OUT_LATE after the
    shift's end. A second check out changes nothing."""
    shift = _locked_shift(shift, acting_user)
    if shift.checked_in_at is None:
        raise DutyError(_("check in first"))
    if shift.checked_out_at is not None:
        return shift
    now = timezone.now()
    if now > shift.ends_at + CHECK_OUT_LATE:
        raise DutyError(_("the shift ended too long ago to check out"))
    shift.checked_out_at = now
    shift.save(update_fields=["checked_out_at"])
    _audit_shift(acting_user, AuditEvent.SHIFT_CHECK_OUT, shift)
    return shift


def clean_times(texts: list[str]) -> list[str]:
    """Times of day as "HH:MM", sorted and without repeats; DutyError for a bad one."""
    times = set()
    for text in texts:
        if not text.strip():
            continue
        time = parse_time(text)
        if time is None:
            raise DutyError(_("a time of day is written HH:MM, from 00:00 to 23:59"))
        times.add(f"{time:%H:%M}")
    return sorted(times)


@transaction.atomic
def create_scheduled_task(
    area: Area,
    *,
    place: str,
    kind: str,
    times: list[str],
    every_hours: int | None = None,
    first_time: dt.time | None = None,
    grace_minutes: int = 60,
    team: Team | None = None,
    worker: Worker | None = None,
    acting_user: Acting,
) -> ScheduledTask:
    """A task due at `place` in `area` at fixed times of day, or every N hours; assigned
    to a team or a worker of the area's workforce."""
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_CONTROL, [area])
    place = place.strip()
    if not place:
        raise DutyError(_("say where the task is done"))
    if kind not in ScheduledKind.values:
        raise DutyError(_("unknown kind of task"))
    times = clean_times(times)
    if every_hours is not None and not 1 <= every_hours <= 24:  # noqa: PLR2004
        raise DutyError(_("every 1 to 24 hours"))
    if not times and not every_hours:
        raise DutyError(_("give the times of day or an interval in hours"))
    if not 5 <= grace_minutes <= 24 * 60:  # noqa: PLR2004
        raise DutyError(_("overdue after 5 minutes to 24 hours"))
    home = workforce_home(area)
    if team is not None and not team.area.path.startswith(home):
        raise DutyError(_("the team does not serve this area"))
    if worker is not None and not worker.area.path.startswith(home):
        raise DutyError(_("this worker is not in the workforce of the area"))
    task = ScheduledTask.objects.create(
        area=area,
        place=place,
        kind=kind,
        times=times,
        every_hours=every_hours,
        first_time=first_time,
        grace_minutes=grace_minutes,
        team=team,
        worker=worker,
    )
    log.record(
        acting_user,
        AuditEvent.SCHEDULED_TASK_CREATE,
        obj=task,
        area_path=area.path,
        details={
            "kind": kind,
            "times": times,
            "every_hours": every_hours,
            "team": team.pk if team else None,
            "worker": str(worker.pk) if worker else None,
        },
    )
    return task


@transaction.atomic
def set_task_active(task: ScheduledTask, active: bool, *, acting_user: Acting) -> ScheduledTask:
    """Stop or resume a scheduled task (a stopped task is never due, so never overdue)."""
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_CONTROL, [task.area])
    if task.active != active:
        task.active = active
        task.save(update_fields=["active"])
        log.record(
            acting_user,
            AuditEvent.SCHEDULED_TASK_UPDATE,
            obj=task,
            area_path=task.area.path,
            details={"active": active},
        )
    return task


@transaction.atomic
def record_completion(
    task: ScheduledTask,
    due_at: dt.datetime,
    *,
    note: str = "",
    photo: File[bytes] | None = None,
    acting_user: Acting,
) -> TaskCompletion:
    """Record the occurrence due at `due_at` as done (now). It must be one of the task's
    due times of today or yesterday, and at most COMPLETE_EARLY ahead; recording the same
    occurrence again returns the first record (a retry)."""
    if not may_complete(acting_user, task):
        raise OutOfScope
    existing: TaskCompletion | None = TaskCompletion.objects.filter(
        task=task, due_at=due_at
    ).first()
    if existing is not None:
        return existing
    if not task.active:
        raise DutyError(_("this task is stopped"))
    now = timezone.now()
    today = timezone.localdate(now)
    due = set(occurrences(task, today)) | set(occurrences(task, today - dt.timedelta(days=1)))
    if due_at not in due:
        raise DutyError(_("the task is not due at that time"))
    if due_at > now + COMPLETE_EARLY:
        raise DutyError(_("too early: this time has not come yet"))
    completion = TaskCompletion(
        task=task,
        due_at=due_at,
        done_at=now,
        by=log.as_actor(acting_user).user,
        note=note.strip()[:NOTE_LENGTH],
    )
    if photo is not None:
        completion.photo.save("photo.jpg", photo, save=False)
    completion.save()
    log.record(
        acting_user,
        AuditEvent.TASK_COMPLETE,
        obj=completion,
        area_path=task.area.path,
        details={
            "task": task.pk,
            "due_at": due_at,
            "late": now > due_at + dt.timedelta(minutes=task.grace_minutes),
            "photo": bool(photo),
        },
    )
    return completion
