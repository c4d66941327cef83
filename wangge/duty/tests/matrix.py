"""Permission-matrix cases of the duty pages (format: tests/test_permission_matrix.py).

A post in grid A, with a shift running now (checked in), and a scheduled task due every
hour with a completion and its photo, are in every role's scope: seeing them takes
VIEW_CONTROL; setting up posts, rosters and tasks takes MANAGE_CONTROL (the matrix users
are no shift's worker, so checking in and out is the manager's too); recording a task done
takes FOLLOW_UP. The other district's are 404; an actor of grid A naming grid B's post,
shift, task or area changes nothing.
"""

import datetime as dt

from django.core.files.base import ContentFile
from django.utils import timezone

from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm
from wangge.duty.models import Shift, TaskCompletion
from wangge.duty.tests.factories import make_post, make_scheduled
from wangge.incidents.tests.test_photos import jpeg_bytes
from wangge.workforce.tests.factories import make_worker


def _this_hour() -> dt.datetime:
    return timezone.localtime().replace(minute=0, second=0, microsecond=0)


def build(world: World) -> None:
    now = timezone.now()
    for place, grid, prefix in (
        (world.mine, world.tree["grid_a"], "MXD-A"),
        (world.sibling, world.tree["grid_b"], "MXD-B"),
        (world.foreign, world.other["grid_a"], "MXD-外"),
    ):
        post = make_post(grid, f"{prefix}-北门")
        guard = make_worker(grid, f"{prefix}-守门")
        place["duty_area"] = grid
        place["duty_post"] = post
        place["duty_worker"] = guard
        place["duty_shift"] = Shift.objects.create(
            post=post,
            worker=guard,
            starts_at=now - dt.timedelta(hours=1),
            ends_at=now + dt.timedelta(hours=7),
            checked_in_at=now - dt.timedelta(hours=1),
        )
        task = make_scheduled(grid, f"{prefix}-楼道", times=(), every_hours=1, worker=guard)
        place["duty_task"] = task
        completion = TaskCompletion(
            task=task, due_at=_this_hour() - dt.timedelta(hours=1), done_at=now, note=""
        )
        completion.photo.save("photo.jpg", ContentFile(jpeg_bytes()), save=False)
        completion.save()
        place["duty_completion"] = completion
    world.foreign_markers.append("MXD-外")


def _area(place: dict) -> dict:
    return {"area_pk": place["duty_area"].pk}


def _post(place: dict) -> dict:
    return {"pk": place["duty_post"].pk}


def _shift(place: dict) -> dict:
    return {"pk": place["duty_shift"].pk}


def _task(place: dict) -> dict:
    return {"pk": place["duty_task"].pk}


def _completion(place: dict) -> dict:
    return {"pk": place["duty_completion"].pk}


def _write(url, perm, key, data=lambda w: {}) -> Case:  # type: ignore[no-untyped-def]
    return Case(
        url,
        method="POST",
        perm=perm,
        kwargs=lambda w: key(w.mine),
        foreign=lambda w: key(w.foreign),
        data=data,
        ok=302,
        sibling=Sibling(kwargs=lambda w: key(w.sibling)),
    )


def _shift_data(world: World) -> dict:
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    return {
        "day": tomorrow.isoformat(),
        "worker": str(world.mine["duty_worker"].pk),
        "start": "08:00",
        "hours": "8",
    }


CASES = [
    Case("duty:posts", perm=Perm.VIEW_CONTROL, denied=403),
    Case("duty:tasks", perm=Perm.VIEW_CONTROL, denied=403),
    # Anyone signed in may look for their own shifts (none: an empty page).
    Case("duty:mine"),
    Case(
        "duty:post",
        perm=Perm.VIEW_CONTROL,
        kwargs=lambda w: _post(w.mine),
        foreign=lambda w: _post(w.foreign),
    ),
    Case(
        "duty:candidates",
        perm=Perm.MANAGE_CONTROL,
        kwargs=lambda w: _post(w.mine),
        foreign=lambda w: _post(w.foreign),
        data=lambda w: {"q": "守门"},
    ),
    Case(
        "duty:task",
        perm=Perm.VIEW_CONTROL,
        kwargs=lambda w: _task(w.mine),
        foreign=lambda w: _task(w.foreign),
    ),
    Case(
        "duty:completion_photo",
        perm=Perm.VIEW_CONTROL,
        kwargs=lambda w: _completion(w.mine),
        foreign=lambda w: _completion(w.foreign),
    ),
    _write(
        "duty:post_create",
        Perm.MANAGE_CONTROL,
        _area,
        lambda w: {"name": "MXD-新门", "kind": "gate", "min_on_duty": "1"},
    ),
    _write("duty:post_active", Perm.MANAGE_CONTROL, _post, lambda w: {"active": "1"}),
    _write("duty:shift_add", Perm.MANAGE_CONTROL, _post, _shift_data),
    _write(
        "duty:roster_copy",
        Perm.MANAGE_CONTROL,
        _post,
        lambda w: {"day": (timezone.localdate() + dt.timedelta(days=1)).isoformat()},
    ),
    _write("duty:shift_check_in", Perm.MANAGE_CONTROL, _shift),
    _write("duty:shift_check_out", Perm.MANAGE_CONTROL, _shift),
    # The shift is checked in: removing it is refused with a message, so every role sees it.
    _write("duty:shift_remove", Perm.MANAGE_CONTROL, _shift),
    _write(
        "duty:task_create",
        Perm.MANAGE_CONTROL,
        _area,
        lambda w: {"place": "MXD-垃圾站", "kind": "disinfection", "times": "08:00, 20:00"},
    ),
    _write(
        "duty:task_complete",
        Perm.FOLLOW_UP,
        _task,
        lambda w: {"due_at": _this_hour().isoformat(), "note": ""},
    ),
    _write("duty:task_active", Perm.MANAGE_CONTROL, _task, lambda w: {"active": "1"}),
]
