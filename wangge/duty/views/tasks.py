"""Scheduled tasks at fixed places and times (定时定点消杀, patrols): the day's due
occurrences of an area (done, due, overdue), a task's completion log, recording an
occurrence done with a note and a photo, and setting tasks up."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, subtree_q
from wangge.duty import actions, selectors
from wangge.duty.access import may_complete
from wangge.duty.choices import ScheduledKind
from wangge.duty.errors import DutyError
from wangge.duty.models import TaskCompletion
from wangge.duty.timing import parse_time
from wangge.duty.views.base import (
    entry_areas,
    get_task,
    next_url,
    page_area,
    page_day,
    parent_in_scope,
)
from wangge.incidents.photos import clean_photo
from wangge.workforce.models import Team

TASKS_PER_PAGE = 50
LOG_PER_PAGE = 30
TEAM_CHOICES = 100


@login_required
@require_GET
def task_list(request: AuthedRequest) -> HttpResponse:
    """/duty/tasks/?area=&day=: the day's due occurrences of the area's tasks, the overdue
    flagged, and the tasks themselves; the form to add one for who manages control."""
    user = request.user
    if not user.has_any_area_permission(Perm.VIEW_CONTROL):
        raise PermissionDenied
    entry = entry_areas(request)
    area = page_area(request, entry)
    day = page_day(request)
    now = timezone.now()
    page = Paginator(selectors.visible_tasks(user, area), TASKS_PER_PAGE).get_page(
        params.page(request.GET)
    )
    tasks = list(page)
    due = selectors.day_occurrences(tasks, day, now)
    manages = user.has_area_permission(Perm.MANAGE_CONTROL, area)
    context: dict[str, object] = {
        "area": area,
        "entry": [other for other in entry if other.pk != area.pk],
        "parent": parent_in_scope(request, area),
        "day": day,
        "is_today": day == timezone.localdate(now),
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "tasks": tasks,
        "page": page,
        "due": due,
        "overdue": sum(1 for o in due if o.overdue),
        "done": sum(1 for o in due if o.done),
        "query": f"area={area.pk}&day={day.isoformat()}",
        "manages": manages,
        "kinds": ScheduledKind.choices,
    }
    if manages:
        context["teams"] = list(
            Team.objects.filter(subtree_q([actions.workforce_home(area)], "area__path")).order_by(
                "name"
            )[:TEAM_CHOICES]
        )
    return render(request, "duty/tasks.html", context)


@login_required
@require_POST
def task_create(request: AuthedRequest, area_pk: int) -> HttpResponse:
    area: Area = get_visible_or_404(
        Area.objects.all(), request.user, Perm.MANAGE_CONTROL, pk=area_pk
    )
    data = request.POST
    team = None
    if team_id := params.posted_id(data, "team"):
        team = Team.objects.select_related("area").filter(pk=team_id).first()
        if team is None:
            raise Http404
    every = params.text(data, "every_hours", max_length=3)
    first = params.text(data, "first_time", max_length=8)
    grace = params.read_integer(params.text(data, "grace_minutes", max_length=5) or "60")
    back = f"{reverse('duty:tasks')}?area={area.pk}"
    try:
        every_hours = params.read_integer(every) if every else None
        if every and every_hours is None:
            raise DutyError(_("every 1 to 24 hours"))
        first_time = parse_time(first) if first else None
        if first and first_time is None:
            raise DutyError(_("a time of day is written HH:MM, from 00:00 to 23:59"))
        actions.create_scheduled_task(
            area,
            place=params.text(data, "place", max_length=100),
            kind=params.text(data, "kind", max_length=20),
            times=params.text(data, "times", max_length=200).replace("，", ",").split(","),
            every_hours=every_hours,
            first_time=first_time,
            grace_minutes=grace if grace is not None else 0,
            team=team,
            acting_user=actor_for(request),
        )
    except DutyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Scheduled task added."))
    return HttpResponseRedirect(back)


@login_required
@require_GET
def task_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A task: its schedule, today's occurrences with the form to record one done, and
    its completion log (the place's log), newest first."""
    task = get_task(request, pk)
    now = timezone.now()
    today = timezone.localdate(now)
    due = selectors.day_occurrences([task], today, now)
    earlier = [
        o for o in selectors.day_occurrences([task], today - dt.timedelta(days=1), now) if o.overdue
    ]
    page = Paginator(selectors.completion_log(task), LOG_PER_PAGE).get_page(
        params.page(request.GET)
    )
    can_complete = may_complete(request.user, task)
    return render(
        request,
        "duty/task.html",
        {
            "task": task,
            "today": today,
            "due": due,
            "earlier": earlier,
            "page": page,
            "can_complete": can_complete,
            "early_limit": now + actions.COMPLETE_EARLY,
            "manages": request.user.has_area_permission(Perm.MANAGE_CONTROL, task.area),
            "query": "",
        },
    )


@login_required
@require_POST
def task_complete(request: AuthedRequest, pk: int) -> HttpResponse:
    """Record an occurrence done: its due time, a note, an optional photo."""
    task = get_task(request, pk)
    if not may_complete(request.user, task):
        raise Http404
    back = next_url(request, reverse("duty:task", args=[task.pk]))
    text = params.text(request.POST, "due_at", max_length=40)
    try:
        due_at = dt.datetime.fromisoformat(text)
    except ValueError:
        due_at = None
    if due_at is None or due_at.tzinfo is None:
        messages.error(request, _("Choose the due time to record."))
        return HttpResponseRedirect(back)
    photo = None
    upload = request.FILES.get("photo")
    if upload is not None:
        try:
            photo = clean_photo(upload)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return HttpResponseRedirect(back)
    try:
        actions.record_completion(
            task,
            due_at,
            note=params.text(request.POST, "note", max_length=actions.NOTE_LENGTH),
            photo=photo,
            acting_user=actor_for(request),
        )
    except DutyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Recorded as done."))
    return HttpResponseRedirect(back)


@login_required
@require_POST
def task_active(request: AuthedRequest, pk: int) -> HttpResponse:
    task = get_task(request, pk)
    actions.set_task_active(
        task, params.flag(request.POST, "active", default=True), acting_user=actor_for(request)
    )
    return HttpResponseRedirect(reverse("duty:task", args=[task.pk]))


@login_required
@require_GET
def completion_photo(request: AuthedRequest, pk: str) -> FileResponse:
    """A completion's photo, to those who may see its task; never cached by others."""
    completion = TaskCompletion.objects.select_related("task").filter(pk=pk).first()
    if completion is None or not completion.photo:
        raise Http404
    get_task(request, completion.task_id)
    try:
        handle = completion.photo.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response
