"""Test data for duty: posts, shifts and scheduled tasks, written directly (the actions are
tested on their own)."""

import datetime as dt

from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.duty.choices import PostKind, ScheduledKind
from wangge.duty.models import Post, ScheduledTask, Shift
from wangge.duty.timing import at_local
from wangge.workforce.models import Team, Worker


def make_post(
    area: Area, name: str = "北门", *, kind: str = PostKind.GATE, **extra: object
) -> Post:
    return Post.objects.create(area=area, name=name, kind=kind, **extra)


def make_shift(
    post: Post,
    worker: Worker,
    start: str = "08:00",
    hours: int = 8,
    *,
    day: dt.date | None = None,
    **extra: object,
) -> Shift:
    """A shift starting at `start` (local, HH:MM) of `day` (today) for `hours`."""
    hour, minute = (int(part) for part in start.split(":"))
    starts_at = at_local(day or timezone.localdate(), dt.time(hour, minute))
    return Shift.objects.create(
        post=post,
        worker=worker,
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=hours),
        **extra,
    )


def make_scheduled(
    area: Area,
    place: str = "3号楼楼道",
    *,
    kind: str = ScheduledKind.DISINFECTION,
    times: tuple[str, ...] = ("08:00", "14:00", "20:00"),
    worker: Worker | None = None,
    team: Team | None = None,
    **extra: object,
) -> ScheduledTask:
    return ScheduledTask.objects.create(
        area=area, place=place, kind=kind, times=list(times), worker=worker, team=team, **extra
    )


def login_of(worker: Worker) -> User:
    assert worker.user is not None
    return worker.user
