"""Posts at any level with their status now, a post's 24-hour roster of a day, and the
roster's edits: add a shift (the worker found by name), remove one, copy the day before."""

import datetime as dt
import uuid
from collections import Counter

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.checkpoints.models import Checkpoint
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import OutOfScope, get_visible_or_404, subtree_q
from wangge.duty import actions, selectors
from wangge.duty.access import may_manage
from wangge.duty.choices import PostKind, PostStatus
from wangge.duty.errors import DutyError
from wangge.duty.timing import at_local, day_bounds, parse_time
from wangge.duty.views.base import entry_areas, get_post, page_area, page_day, parent_in_scope
from wangge.testing.models import SamplingPoint
from wangge.workforce.models import Worker

POSTS_PER_PAGE = 50
CANDIDATES = 20
LINKED_CHOICES = 50
SHIFT_HOURS = (4, 6, 8, 12, 24)


@login_required
@require_GET
def post_list(request: AuthedRequest) -> HttpResponse:
    """/duty/?area=: the posts of an area and below with their status now (manned, late,
    unmanned) and today's gaps; the form to add a post for who manages control there."""
    user = request.user
    if not user.has_any_area_permission(Perm.VIEW_CONTROL):
        raise PermissionDenied
    entry = entry_areas(request)
    area = page_area(request, entry)
    now = timezone.now()
    page = Paginator(selectors.visible_posts(user, area), POSTS_PER_PAGE).get_page(
        params.page(request.GET)
    )
    rows = selectors.post_rows(list(page), now)
    counts = Counter(row.status for row in rows)
    manages = user.has_area_permission(Perm.MANAGE_CONTROL, area)
    context: dict[str, object] = {
        "area": area,
        "entry": [other for other in entry if other.pk != area.pk],
        "parent": parent_in_scope(request, area),
        "children": list(
            Area.objects.filter(path__startswith=area.path, depth=area.depth + 1).order_by("path")
        ),
        "rows": rows,
        "page": page,
        "query": f"area={area.pk}",
        "counts": [
            (status, status.label, counts.get(status, 0))
            for status in (PostStatus.MANNED, PostStatus.LATE, PostStatus.UNMANNED)
        ],
        "manages": manages,
        "kinds": PostKind.choices,
    }
    if manages:
        context["checkpoints"] = list(
            Checkpoint.objects.filter(subtree_q([area.path], "area__path"), active=True).order_by(
                "name"
            )[:LINKED_CHOICES]
        )
        context["sampling_points"] = list(
            SamplingPoint.objects.filter(subtree_q([area.path], "area__path"))
            .select_related("round")
            .order_by("-round_id", "number")[:LINKED_CHOICES]
        )
    return render(request, "duty/posts.html", context)


@login_required
@require_POST
def post_create(request: AuthedRequest, area_pk: int) -> HttpResponse:
    """Add a post in the area (MANAGE_CONTROL there); a bad field comes back as a message."""
    area: Area = get_visible_or_404(
        Area.objects.all(), request.user, Perm.MANAGE_CONTROL, pk=area_pk
    )
    post_data = request.POST
    checkpoint = sampling_point = None
    if checkpoint_id := params.posted_id(post_data, "checkpoint"):
        checkpoint = get_visible_or_404(
            Checkpoint.objects.select_related("area"),
            request.user,
            Perm.MANAGE_CONTROL,
            pk=checkpoint_id,
        )
    if point_id := params.posted_id(post_data, "sampling_point"):
        sampling_point = get_visible_or_404(
            SamplingPoint.objects.select_related("area"),
            request.user,
            Perm.MANAGE_CONTROL,
            pk=point_id,
        )
    minimum = params.read_integer(params.text(post_data, "min_on_duty", max_length=4) or "1")
    try:
        post = actions.create_post(
            area,
            name=params.text(post_data, "name", max_length=80),
            kind=params.text(post_data, "kind", max_length=20),
            min_on_duty=minimum if minimum is not None else 0,
            checkpoint=checkpoint,
            sampling_point=sampling_point,
            acting_user=actor_for(request),
        )
    except DutyError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(f"{reverse('duty:posts')}?area={area.pk}")
    messages.success(request, _("Post added: now put people on its roster."))
    return HttpResponseRedirect(reverse("duty:post", args=[post.pk]))


@login_required
@require_POST
def post_active(request: AuthedRequest, pk: int) -> HttpResponse:
    post = get_post(request, pk)
    active = params.flag(request.POST, "active", default=True)
    actions.set_post_active(post, active, acting_user=actor_for(request))
    return HttpResponseRedirect(reverse("duty:post", args=[post.pk]))


def _post_url(post_pk: int, day: dt.date) -> str:
    url = reverse("duty:post", args=[post_pk])
    return url if day == timezone.localdate() else f"{url}?day={day.isoformat()}"


def _bar(roster: selectors.Roster) -> list[dict[str, object]]:
    """The day as a bar of 1,440 minutes: each shift and each gap from its first minute, so
    that the page draws it as an SVG (the CSP allows no inline style)."""
    start, end = day_bounds(roster.day)

    def minute(moment: dt.datetime) -> int:
        return int((moment - start).total_seconds() // 60)

    pieces: list[dict[str, object]] = []
    for shift in roster.shifts:
        begins, ends = max(shift.starts_at, start), min(shift.ends_at, end)
        pieces.append(
            {
                "x": minute(begins),
                "width": minute(ends) - minute(begins),
                "label": shift.worker.name,
                "gap": False,
            }
        )
    for begins, ends in roster.gaps:
        pieces.append(
            {"x": minute(begins), "width": minute(ends) - minute(begins), "label": "", "gap": True}
        )
    return pieces


@login_required
@require_GET
def post_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A post's 24-hour roster of a day: the shifts, the gaps, check in and out, and for
    who manages the post the form to add a shift and "copy the day before"."""
    post = get_post(request, pk)
    day = page_day(request)
    today = timezone.localdate()
    now = timezone.now()
    roster = selectors.roster(post, day)
    manages = may_manage(request.user, post)
    status, on_duty, expected = (
        selectors.status_of(post, roster.shifts, now) if day == today else ("", 0, 0)
    )
    first_gap = roster.gaps[0][0] if roster.gaps else None
    rows = [
        {
            "shift": shift,
            "running": shift.starts_at <= now < shift.ends_at,
            "late": shift.checked_in_at is None and shift.starts_at <= now < shift.ends_at,
            "can_check_in": manages
            and shift.checked_in_at is None
            and shift.starts_at - actions.CHECK_IN_EARLY <= now < shift.ends_at,
            "can_check_out": manages
            and shift.checked_in_at is not None
            and shift.checked_out_at is None,
            "can_remove": manages and shift.checked_in_at is None and shift.ends_at > now,
        }
        for shift in roster.shifts
    ]
    return render(
        request,
        "duty/post.html",
        {
            "post": post,
            "day": day,
            "is_today": day == today,
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1),
            "roster": roster,
            "rows": rows,
            "bar": _bar(roster),
            "status": status,
            "status_label": PostStatus(status).label if status else "",
            "on_duty": on_duty,
            "expected": expected,
            "manages": manages,
            "editable": manages and day >= today,
            "first_gap": timezone.localtime(first_gap).strftime("%H:%M") if first_gap else "08:00",
            "hours": SHIFT_HOURS,
            "post_url": _post_url(post.pk, day),
        },
    )


@login_required
@require_GET
def candidates(request: AuthedRequest, pk: int) -> HttpResponse:
    """HTMX: the workers of the post's workforce whose name matches ?q= (a page of them)."""
    post = get_post(request, pk)
    if not may_manage(request.user, post):
        raise OutOfScope
    query = params.text(request.GET, "q", max_length=50)
    workers = actions.workforce_of(post).select_related("area").order_by("name", "pk")
    if query:
        workers = workers.filter(name__icontains=query)
    found: list[Worker] = list(workers[: CANDIDATES + 1])
    return render(
        request,
        "duty/_candidates.html",
        {"workers": found[:CANDIDATES], "more": len(found) > CANDIDATES, "q": query},
    )


@login_required
@require_POST
def shift_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add a shift: the chosen worker, the day, the start time and the hours."""
    post = get_post(request, pk)
    if not may_manage(request.user, post):
        raise OutOfScope
    day = page_day(request)
    worker_id = params.text(request.POST, "worker", max_length=40)
    worker = (
        actions.workforce_of(post).filter(pk=worker_id).first() if _is_uuid(worker_id) else None
    )
    start = parse_time(params.text(request.POST, "start", max_length=8))
    hours = params.read_integer(params.text(request.POST, "hours", max_length=3) or "")
    if worker is None:
        messages.error(request, _("Choose a worker of the post's workforce."))
    elif start is None or hours is None or not 1 <= hours <= 24:  # noqa: PLR2004
        messages.error(request, _("Give the start as HH:MM and the hours from 1 to 24."))
    else:
        starts_at = at_local(day, start)
        try:
            actions.add_shift(
                post,
                worker,
                starts_at,
                starts_at + dt.timedelta(hours=hours),
                acting_user=actor_for(request),
            )
        except DutyError as exc:
            messages.error(request, f"{worker.name}: {exc}")
        else:
            messages.success(request, _("Shift added."))
    return HttpResponseRedirect(_post_url(post.pk, day))


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


@login_required
@require_POST
def roster_copy(request: AuthedRequest, pk: int) -> HttpResponse:
    """Copy the day before's shifts onto this day (never overwriting)."""
    post = get_post(request, pk)
    if not may_manage(request.user, post):
        raise OutOfScope
    day = page_day(request)
    try:
        copied = actions.copy_roster_forward(post, day, acting_user=actor_for(request))
    except DutyError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("Copied %(copied)s shifts; %(kept)s already there, %(skipped)s skipped.")
            % {"copied": copied.copied, "kept": copied.kept, "skipped": copied.skipped},
        )
    return HttpResponseRedirect(_post_url(post.pk, day))
