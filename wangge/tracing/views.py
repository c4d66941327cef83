"""Pages of lists to trace: the lists, a list's progress and people, my people to trace
(phone first), the import (upload → report → confirm), a list started by hand, a
person's feedback, the assignment below, the feedback export.

Every object comes through `get_visible_or_404` or a selector built on `visible_to`; every
change through `actions`.
"""

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.areas.choices import GRID_KINDS
from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.lib.excel import XLSX_CONTENT_TYPE
from wangge.tracing import actions, exports, importing, selectors
from wangge.tracing.choices import TracedStatus
from wangge.tracing.errors import TracingError
from wangge.tracing.forms import AssignForm, FeedbackForm, ImportForm, ListFields, PersonForm
from wangge.tracing.models import TracedList, TracedPerson

PER_PAGE = 50
ERRORS_SHOWN = 100
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
AREA_CHOICES = 500


def _attachment(data: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _area_choices(request: AuthedRequest, permission: str, *, grids: bool) -> list[tuple[int, str]]:
    areas = Area.objects.visible_to(request.user, permission)
    if not grids:
        areas = areas.exclude(kind__in=GRID_KINDS)
    chosen = list(areas.order_by("path")[:AREA_CHOICES])
    if not chosen:
        raise Http404
    top = min(area.depth for area in chosen)
    return [
        (area.pk, "\u3000" * (area.depth - top) + f"{area.name} · {area.get_kind_display()}")
        for area in chosen
    ]


def _posted_area(request: AuthedRequest, permission: str) -> Area | None:
    """The area a posted form names, or 404 when it is not one the user holds
    `permission` on (an area beyond the offered choices is not found, not a form error)."""
    if request.method != "POST" or not params.raw(request.POST, "area"):
        return None
    area: Area = get_visible_or_404(
        Area.objects.all(), request.user, permission, pk=params.posted_id(request.POST, "area") or 0
    )
    return area


def _list(request: AuthedRequest, pk: int) -> TracedList:
    found: TracedList = get_visible_or_404(
        TracedList.objects.select_related("area"), request.user, Perm.VIEW_CONTROL, pk=pk
    )
    return found


@login_required
@require_GET
def index(request: AuthedRequest) -> HttpResponse:
    """The lists I can see, each with my share of it."""
    if not request.user.has_any_area_permission(Perm.VIEW_CONTROL):
        raise Http404
    page = Paginator(selectors.visible_lists(request.user), 30).get_page(params.page(request.GET))
    ids = [item.pk for item in page]
    now = timezone.now()
    counts: dict[int, Any] = {
        row["traced_list_id"]: row
        for row in selectors.visible_people(request.user)
        .filter(traced_list_id__in=ids)
        .order_by()
        .values("traced_list_id")
        .annotate(
            total=Count("pk"),
            pending=Count("pk", filter=Q(status=TracedStatus.PENDING)),
            overdue=Count("pk", filter=Q(status=TracedStatus.PENDING, deadline__lt=now)),
        )
    }
    rows: list[tuple[TracedList, dict[str, Any]]] = [
        (item, counts.get(item.pk, {})) for item in page
    ]
    return render(
        request,
        "tracing/index.html",
        {
            "page": page,
            "rows": rows,
            "can_import": request.user.has_any_area_permission(Perm.MANAGE_CONTROL),
            "can_start": request.user.has_any_area_permission(Perm.FOLLOW_UP),
        },
    )


@login_required
@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    """My people to trace, soonest deadline first (the grid's phone page)."""
    if not request.user.has_any_area_permission(Perm.FOLLOW_UP):
        raise Http404
    page = Paginator(selectors.my_pending(request.user), PER_PAGE).get_page(
        params.page(request.GET)
    )
    return render(request, "tracing/mine.html", {"page": page, "now": timezone.now()})


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A list: progress by status and by area, and its people as the viewer sees them."""
    traced_list = _list(request, pk)
    now = timezone.now()
    status = params.choice(request.GET, "status", [s.value for s in TracedStatus], "")
    people = (
        selectors.visible_people(request.user)
        .filter(traced_list=traced_list)
        .select_related("area")
        .order_by("row_number")
    )
    if status:
        people = people.filter(status=status)
    area_id = params.object_id(request.GET, "area")
    if area_id is not None:
        people = people.filter(area_id=area_id)
    page = Paginator(people, PER_PAGE).get_page(params.page(request.GET))
    user = request.user
    return render(
        request,
        "tracing/detail.html",
        {
            "list": traced_list,
            "progress": selectors.progress(traced_list, user, now),
            "page": page,
            "status": status,
            "area_id": area_id,
            "statuses": TracedStatus.choices,
            "now": now,
            "can_add": user.has_area_permission(Perm.FOLLOW_UP, traced_list.area),
            "breadcrumbs": traced_list.area.ancestors_and_self(),
        },
    )


@login_required
@require_GET
def export(request: AuthedRequest, pk: int) -> HttpResponse:
    traced_list = _list(request, pk)
    data = exports.feedback_xlsx(traced_list, request.user, acting_user=actor_for(request))
    stem = (traced_list.file_name.rsplit(".", 1)[0] or traced_list.title)[:80]
    word = _("feedback")
    return _attachment(data, f"{stem}-{word}-{timezone.localdate():%Y%m%d}.xlsx")


@login_required
@require_GET
def template(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_any_area_permission(Perm.MANAGE_CONTROL):
        raise Http404
    word = _("list to trace")
    return _attachment(importing.template_xlsx(), f"{word}.xlsx")


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest) -> HttpResponse:
    """Upload a list: the page, and the check of the file (nothing is imported yet)."""
    _posted_area(request, Perm.MANAGE_CONTROL)
    choices = _area_choices(request, Perm.MANAGE_CONTROL, grids=True)
    form = ImportForm(request.POST or None, request.FILES or None, areas=choices)
    if request.method == "POST" and form.is_valid():
        area = _posted_area(request, Perm.MANAGE_CONTROL)
        assert area is not None  # noqa: S101 (a valid form names an area)
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is larger than 20 MB."))
        else:
            try:
                token, _analysis = actions.stage_list(
                    upload.read(),
                    upload.name or "",
                    owner=request.user,
                    meta={
                        "area": area.pk,
                        "title": form.cleaned_data["title"],
                        "reason": form.cleaned_data["reason"],
                        "deadline": form.deadline_at().isoformat(),
                    },
                )
            except TracingError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("tracing:import_preview", token)
    return render(request, "tracing/import_upload.html", {"form": form})


def _staged(request: AuthedRequest, token: str) -> tuple[importing.Analysis, dict[str, Any]]:
    try:
        return actions.staged_list(token, owner=request.user)
    except TracingError as exc:
        raise Http404 from exc


@login_required
@require_GET
def import_preview(request: AuthedRequest, token: str) -> HttpResponse:
    """The report of a checked list, and the choice: import it whole or not at all."""
    analysis, meta = _staged(request, token)
    area = get_visible_or_404(
        Area.objects.all(), request.user, Perm.MANAGE_CONTROL, pk=meta["area"]
    )
    matches = actions.match_people(analysis.people)
    matched = sum(1 for m in matches if m.grid_id is not None)
    controlled = sum(1 for m in matches if m.controlled)
    labels = {key: analysis.columns[index] for key, index in analysis.fields.items()}
    return render(
        request,
        "tracing/import_preview.html",
        {
            "token": token,
            "analysis": analysis,
            "meta": meta,
            "area": area,
            "errors": [
                (error, TracingError(error.code, **error.params).message)
                for error in analysis.errors[:ERRORS_SHOWN]
            ],
            "more_errors": max(len(analysis.errors) - ERRORS_SHOWN, 0),
            "matched": matched,
            "controlled": controlled,
            "labels": labels,
            "sample": analysis.people[:10],
        },
    )


@login_required
@require_POST
def import_confirm(request: AuthedRequest, token: str) -> HttpResponse:
    analysis, meta = _staged(request, token)
    area = get_visible_or_404(
        Area.objects.all(), request.user, Perm.MANAGE_CONTROL, pk=meta["area"]
    )
    try:
        traced_list = actions.import_list(
            analysis,
            area=area,
            title=meta["title"],
            reason=meta["reason"],
            deadline=dt.datetime.fromisoformat(meta["deadline"]),
            acting_user=actor_for(request),
        )
    except TracingError as exc:
        messages.warning(request, exc.message)
        return redirect("tracing:import_preview", token)
    actions.discard_staged(token, owner=request.user)
    messages.success(
        request,
        _("Imported: %(count)s people to trace.") % {"count": len(analysis.people)},
    )
    return redirect("tracing:detail", traced_list.pk)


@login_required
@require_POST
def import_discard(request: AuthedRequest, token: str) -> HttpResponse:
    _staged(request, token)
    actions.discard_staged(token, owner=request.user)
    messages.success(request, _("Nothing was imported; the uploaded file was deleted."))
    return redirect("tracing:index")


@login_required
@require_http_methods(["GET", "POST"])
def start(request: AuthedRequest) -> HttpResponse:
    """Start a list by hand (a grid's own 摸排), then add people one by one."""
    _posted_area(request, Perm.FOLLOW_UP)
    choices = _area_choices(request, Perm.FOLLOW_UP, grids=True)
    form = ListFields(request.POST or None, areas=choices)
    if request.method == "POST" and form.is_valid():
        area = _posted_area(request, Perm.FOLLOW_UP)
        assert area is not None  # noqa: S101 (a valid form names an area)
        traced_list = actions.start_list(
            area,
            title=form.cleaned_data["title"],
            reason=form.cleaned_data["reason"],
            deadline=form.deadline_at(),
            acting_user=actor_for(request),
        )
        return redirect("tracing:add", traced_list.pk)
    return render(request, "tracing/start.html", {"form": form})


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def add(request: AuthedRequest, pk: int) -> HttpResponse:
    traced_list: TracedList = get_visible_or_404(
        TracedList.objects.select_related("area"), request.user, Perm.FOLLOW_UP, pk=pk
    )
    if not request.user.has_area_permission(Perm.FOLLOW_UP, traced_list.area):
        raise Http404
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = actions.add_person(traced_list, form.person(), acting_user=actor_for(request))
        messages.success(
            request,
            _("%(name)s added, followed by %(area)s.")
            % {"name": person.name, "area": person.area.name},
        )
        return redirect("tracing:add", traced_list.pk)
    return render(request, "tracing/add.html", {"list": traced_list, "form": form})


@login_required
@require_http_methods(["GET", "POST"])
def person(request: AuthedRequest, pk: int) -> HttpResponse:
    """One traced person: what the list says, and the grid's feedback."""
    traced: TracedPerson = get_visible_or_404(
        TracedPerson.objects.select_related("traced_list", "area", "resident", "key_person"),
        request.user,
        Perm.VIEW_CONTROL,
        pk=pk,
    )
    user = request.user
    can_feedback = user.has_area_permission(Perm.FOLLOW_UP, traced.area)
    initial = (
        {"status": traced.proposed_status}
        if traced.is_pending
        else {
            "status": traced.status,
            "note": traced.feedback_note,
            "left_to": traced.left_to,
        }
    )
    form = FeedbackForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_feedback:
            raise Http404
        if form.is_valid():
            try:
                actions.give_feedback(traced, acting_user=actor_for(request), **form.cleaned_data)
            except TracingError as exc:
                form.add_error(exc.field if exc.field in form.fields else None, exc.message)
            else:
                messages.success(request, _("Feedback recorded."))
                return redirect("tracing:mine")
    assign_form = None
    if traced.is_pending and user.has_area_permission(Perm.MANAGE_CONTROL, traced.area):
        areas = [(a.pk, a.name) for a in selectors.assignable_areas(traced, user)]
        if areas:
            assign_form = AssignForm(areas=areas)
    return render(
        request,
        "tracing/person.html",
        {
            "person": traced,
            "form": form if can_feedback else None,
            "assign_form": assign_form,
            "now": timezone.now(),
        },
    )


@login_required
@require_POST
def assign(request: AuthedRequest, pk: int) -> HttpResponse:
    traced: TracedPerson = get_visible_or_404(
        TracedPerson.objects.select_related("area"), request.user, Perm.MANAGE_CONTROL, pk=pk
    )
    area = get_visible_or_404(
        Area.objects.all(),
        request.user,
        Perm.MANAGE_CONTROL,
        pk=params.posted_id(request.POST, "area") or 0,
    )
    try:
        actions.assign_person(traced, area, acting_user=actor_for(request))
    except TracingError as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, _("Assigned to %(area)s.") % {"area": area.name})
    return redirect("tracing:person", traced.pk)
