"""A team's board of a day: the leader assigns every member's task on one form (or copies
the last board forward with one click) and follows the day's progress."""

import datetime as dt
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.batch import ItemStatus
from wangge.core.http import AuthedRequest
from wangge.dispatch import actions
from wangge.dispatch.access import may_dispatch
from wangge.dispatch.choices import TaskKind, TaskStatus
from wangge.dispatch.errors import DispatchError
from wangge.dispatch.selectors import board_lines, board_places
from wangge.dispatch.views.base import get_team, page_day
from wangge.dispatch.views.tasks import task_context

# A board's form answers the lines it was sent, at most this many (a team is tens).
MAX_LINES = 500


def _board_url(team_pk: int, day: dt.date) -> str:
    url = reverse("dispatch:board", args=[team_pk])
    return url if day == timezone.localdate() else f"{url}?day={day.isoformat()}"


@login_required
@require_GET
def board(request: AuthedRequest, team_pk: int) -> HttpResponse:
    """The team's board of the day: a row per member with a task and a place to choose
    (for those who may dispatch, on today's or a coming day's board), and the day's
    progress with the check in / done buttons for members without a phone."""
    team = get_team(request, team_pk)
    day = page_day(request)
    today = timezone.localdate()
    editable = may_dispatch(request.user, team) and today <= day
    lines = board_lines(team, day)
    return render(
        request,
        "dispatch/board.html",
        {
            "team": team,
            "day": day,
            "today": today,
            "is_today": day == today,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "lines": lines,
            # A new line's task id is made here, once per page: the same form sent twice
            # (a retry on a poor network) names the same tasks and creates nothing twice.
            "rows": [
                (line.worker, line.task, line.task.pk if line.task else uuid.uuid4())
                for line in lines
            ],
            "progress": [
                task_context(line.task, mine=False) for line in lines if line.task is not None
            ],
            "places": board_places(team) if editable else [],
            "kinds": TaskKind.choices,
            "editable": editable,
            "can_act": may_dispatch(request.user, team),
            "today_or_yesterday": today - dt.timedelta(days=1) <= day <= today,
            "open_statuses": [TaskStatus.ASSIGNED],
            "board_url": _board_url(team.pk, day),
        },
    )


@login_required
@require_POST
def board_save(request: AuthedRequest, team_pk: int) -> HttpResponse:
    """Save the whole board at once; a bad line is named, the others are kept."""
    team = get_team(request, team_pk)
    day = page_day(request)
    post = request.POST
    workers, ids = post.getlist("worker")[:MAX_LINES], post.getlist("task")
    kinds, places, notes = post.getlist("kind"), post.getlist("place"), post.getlist("note")

    def at(values: list[str], index: int) -> str:
        return params.clean_text(values[index]) if index < len(values) else ""

    lines = [
        actions.TaskLine(
            worker_id=at(workers, i),
            kind=at(kinds, i),
            place_id=params.read_integer(at(places, i)) if at(places, i) else None,
            note=at(notes, i),
            task_id=at(ids, i) or None,
        )
        for i in range(len(workers))
    ]
    try:
        saved = actions.assign_board(team, day, lines, acting_user=actor_for(request))
    except DispatchError as exc:
        messages.error(request, str(exc))
    else:
        names = {str(line.worker.pk): line.worker.name for line in board_lines(team, day)}
        for answer in saved.answers:
            if answer["status"] == ItemStatus.REJECTED:
                name = names.get(answer["worker"], "?")
                messages.error(request, f"{name}: {answer['reason']}")
        messages.success(
            request,
            _("Board saved: %(accepted)s changed, %(rejected)s not saved.")
            % {"accepted": saved.accepted, "rejected": saved.rejected},
        )
    return HttpResponseRedirect(_board_url(team.pk, day))


@login_required
@require_POST
def board_copy(request: AuthedRequest, team_pk: int) -> HttpResponse:
    """Copy the last board forward onto this day, for the members still in the team."""
    team = get_team(request, team_pk)
    day = page_day(request)
    try:
        copied = actions.copy_board_forward(team, day, acting_user=actor_for(request))
    except DispatchError as exc:
        messages.error(request, str(exc))
    else:
        message = _("Copied %(copied)s tasks from %(day)s.") % {
            "copied": copied.copied,
            "day": copied.from_day.isoformat(),
        }
        if copied.left_team:
            message += " " + _("%(left)s skipped: no longer in the team.") % {
                "left": copied.left_team
            }
        messages.success(request, message)
    return HttpResponseRedirect(_board_url(team.pk, day))
