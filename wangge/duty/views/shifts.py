"""A worker's own shifts and tasks of the day ("my duty today"), and the buttons on a
shift: check in, check out, remove. From a shift's card (HTMX) the answer is the card
again; without JavaScript, back to the page the button was on."""

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wangge.audit.log import actor_for
from wangge.core.http import AuthedRequest
from wangge.duty import actions, selectors
from wangge.duty.errors import DutyError
from wangge.duty.models import Shift
from wangge.duty.views.base import get_shift, next_url


def shift_context(shift: Shift, *, error: str = "") -> dict[str, Any]:
    now = timezone.now()
    return {
        "shift": shift,
        "error": error,
        "running": shift.starts_at <= now < shift.ends_at,
        "can_check_in": shift.checked_in_at is None
        and shift.starts_at - actions.CHECK_IN_EARLY <= now < shift.ends_at,
        "can_check_out": shift.checked_in_at is not None and shift.checked_out_at is None,
    }


@login_required
@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    """My shifts today (and one still open from before), and my scheduled tasks of today."""
    now = timezone.now()
    shifts = list(selectors.my_shifts(request.user, now))
    tasks = list(selectors.assigned_tasks(request.user))
    due = selectors.day_occurrences(tasks, timezone.localdate(now), now)
    return render(
        request,
        "duty/mine.html",
        {
            "today": timezone.localdate(now),
            "cards": [shift_context(shift) for shift in shifts],
            # What is left to do; what is done is counted (the task's page has the log).
            "due": [o for o in due if not o.done],
            "done_count": sum(1 for o in due if o.done),
            "early_limit": now + actions.COMPLETE_EARLY,
        },
    )


def _act(request: AuthedRequest, pk: Any, change: Callable[[Shift], Shift]) -> HttpResponse:
    shift = get_shift(request, pk)
    error = ""
    try:
        shift = change(shift)
    except DutyError as exc:
        error = str(exc)
    if request.headers.get("HX-Request") != "true":
        if error:
            messages.error(request, error)
        return HttpResponseRedirect(next_url(request, reverse("duty:mine")))
    return render(request, "duty/_shift.html", shift_context(shift, error=error))


@login_required
@require_POST
def shift_check_in(request: AuthedRequest, pk: Any) -> HttpResponse:
    return _act(request, pk, lambda shift: actions.check_in(shift, acting_user=actor_for(request)))


@login_required
@require_POST
def shift_check_out(request: AuthedRequest, pk: Any) -> HttpResponse:
    return _act(request, pk, lambda shift: actions.check_out(shift, acting_user=actor_for(request)))


@login_required
@require_POST
def shift_remove(request: AuthedRequest, pk: Any) -> HttpResponse:
    shift = get_shift(request, pk)
    try:
        actions.remove_shift(shift, acting_user=actor_for(request))
    except DutyError as exc:
        messages.error(request, str(exc))
    return HttpResponseRedirect(next_url(request, reverse("duty:post", args=[shift.post_id])))
