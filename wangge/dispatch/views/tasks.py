"""A worker's own tasks ("my task today"), and the buttons on a task: check in, check out,
done, not done (with the reason). From a task's card (HTMX) the answer is the card again;
without JavaScript, back to the page the button was on."""

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.dispatch import actions
from wangge.dispatch.access import may_act_on
from wangge.dispatch.choices import TaskStatus
from wangge.dispatch.errors import DispatchError
from wangge.dispatch.models import Task
from wangge.dispatch.selectors import my_tasks
from wangge.dispatch.views.base import next_url

REASON_MAX = actions.NOTE_LENGTH


def task_context(task: Task, *, error: str = "", mine: bool = True) -> dict[str, Any]:
    today = timezone.localdate()
    day = task.board.day
    return {
        "task": task,
        "error": error,
        "mine": mine,
        "can_check_in": task.status == TaskStatus.ASSIGNED and day == today,
        "can_check_out": task.checked_in_at is not None and task.checked_out_at is None,
        "can_close": task.is_open and today - dt.timedelta(days=1) <= day <= today,
    }


@login_required
@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    """My tasks today, and yesterday's still to close."""
    today = timezone.localdate()
    tasks = list(my_tasks(request.user, today))
    late = [task for task in my_tasks(request.user, today - dt.timedelta(days=1)) if task.is_open]
    return render(
        request,
        "dispatch/mine.html",
        {
            "today": today,
            "cards": [task_context(task) for task in tasks],
            "late": [task_context(task) for task in late],
        },
    )


def _get_task(request: AuthedRequest, pk: Any) -> Task:
    task: Task | None = (
        Task.objects.select_related("board__team__area", "board__team__leader", "worker", "place")
        .filter(pk=pk)
        .first()
    )
    if task is None or not may_act_on(request.user, task):
        raise Http404
    return task


def _act(request: AuthedRequest, pk: Any, change: Callable[[Task], Task]) -> HttpResponse:
    task = _get_task(request, pk)
    error = ""
    try:
        task = change(task)
    except DispatchError as exc:
        error = str(exc)
    if request.headers.get("HX-Request") != "true":
        if error:
            messages.error(request, error)
        return HttpResponseRedirect(next_url(request, reverse("dispatch:mine")))
    mine = task.worker.user_id is not None and task.worker.user_id == request.user.pk
    return render(request, "dispatch/_task.html", task_context(task, error=error, mine=mine))


@login_required
@require_POST
def task_check_in(request: AuthedRequest, pk: Any) -> HttpResponse:
    return _act(request, pk, lambda task: actions.check_in(task, acting_user=actor_for(request)))


@login_required
@require_POST
def task_check_out(request: AuthedRequest, pk: Any) -> HttpResponse:
    return _act(request, pk, lambda task: actions.check_out(task, acting_user=actor_for(request)))


@login_required
@require_POST
def task_close(request: AuthedRequest, pk: Any) -> HttpResponse:
    """Done, or not done with the reason typed beside the button."""
    outcome = params.choice(
        request.POST, "outcome", [TaskStatus.DONE, TaskStatus.NOT_DONE], TaskStatus.DONE
    )
    reason = params.text(request.POST, "reason", max_length=REASON_MAX)
    return _act(
        request,
        pk,
        lambda task: actions.close_task(
            task,
            done=outcome == TaskStatus.DONE,
            reason=reason,
            acting_user=actor_for(request),
        ),
    )
