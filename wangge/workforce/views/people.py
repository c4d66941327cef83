"""Pages of the people at work: the list, a worker, adding and editing, the audited phone
reveal, the list's Excel export, an area's printable roster and the list import.

Every object comes through `get_visible_or_404` or `visible_to` with the permission the
page needs: what is out of scope does not exist. State changes go through
`actions.workers`; exports and their audit entries through `exports`.
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.lib.excel import XLSX_CONTENT_TYPE
from wangge.lib.spreadsheets import SpreadsheetError
from wangge.workforce import exports, filters, importing
from wangge.workforce.actions import workers as actions
from wangge.workforce.errors import WorkforceError
from wangge.workforce.filters import WorkerFilterForm, visible_teams
from wangge.workforce.forms import ImportForm, LoginForm, WorkerForm
from wangge.workforce.models import Responsibility, Worker

PER_PAGE = 50
# A workforce list is read in memory; a district's is a few thousand lines.
MAX_UPLOAD_BYTES = 10 * 1024 * 1024
PROBLEMS_SHOWN = 500
# How many areas the import page offers (streets and communities of a city).
IMPORT_AREA_CHOICES = 2000


def _attachment(data: bytes, filename: str, content_type: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _require_any(request: AuthedRequest, permission: str) -> None:
    """A page that names no object, for those who hold `permission` somewhere."""
    if not request.user.has_any_area_permission(permission):
        raise Http404


def _worker(request: AuthedRequest, pk: uuid.UUID, permission: str) -> Worker:
    worker: Worker = get_visible_or_404(
        Worker.objects.select_related("area", "user"), request.user, permission, pk=pk
    )
    return worker


@login_required
@require_GET
def worker_list(request: AuthedRequest) -> HttpResponse:
    """The workers in the user's areas, filtered, a page at a time."""
    _require_any(request, Perm.VIEW_WORKFORCE)
    form = WorkerFilterForm(request.GET, user=request.user)
    workers = filters.worker_list(request.user, form)
    page = Paginator(workers, PER_PAGE).get_page(params.page(request.GET))
    query = request.GET.copy()
    query.pop("page", None)
    can_manage = request.user.has_any_area_permission(Perm.MANAGE_WORKFORCE)
    return render(
        request,
        "workforce/worker_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "can_manage": can_manage,
            "can_reveal": request.user.has_any_area_permission(Perm.REVEAL_PERSONAL),
        },
    )


@login_required
@require_GET
def worker_detail(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    worker = _worker(request, pk, Perm.VIEW_WORKFORCE)
    held = request.user.permissions_at(worker.area)
    teams = (
        visible_teams(request.user)
        .filter(memberships__worker=worker)
        .select_related("area")
        .order_by("name")
    )
    responsibilities = (
        Responsibility.objects.visible_to(request.user, Perm.VIEW_WORKFORCE)
        .filter(worker=worker)
        .select_related("duty", "area", "household")
        .order_by("ended_at", "-started_at")
    )
    return render(
        request,
        "workforce/worker_detail.html",
        {
            "worker": worker,
            "breadcrumbs": worker.area.ancestors_and_self(),
            "teams": teams,
            "responsibilities": responsibilities,
            "now": timezone.now(),
            "can_reveal": Perm.REVEAL_PERSONAL in held,
            "can_manage": Perm.MANAGE_WORKFORCE in held,
        },
    )


@sensitive_variables("number")
@login_required
@require_POST
def worker_reveal(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    """Show a worker's full phone to someone allowed, and audit it."""
    worker = _worker(request, pk, Perm.REVEAL_PERSONAL)
    number = actions.reveal_phone(worker, acting_user=actor_for(request))
    response = render(request, "workforce/_revealed.html", {"value": number})
    response.headers["Cache-Control"] = "no-store"
    return response


@sensitive_post_parameters("phone")
@login_required
@require_http_methods(["GET", "POST"])
def worker_create(request: AuthedRequest) -> HttpResponse:
    _require_any(request, Perm.MANAGE_WORKFORCE)
    initial_area = params.object_id(request.GET, "area")
    data = request.POST if request.method == "POST" else None
    form = WorkerForm(data, user=request.user)
    if data is None and initial_area is not None:
        form.initial["area"] = [initial_area]
    if request.method == "POST" and form.is_valid() and form.worker_data is not None:
        try:
            worker = actions.create_worker(form.worker_data, acting_user=actor_for(request))
        except WorkforceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": worker.name})
            return redirect("workforce:worker", pk=worker.pk)
    return render(
        request,
        "workforce/worker_form.html",
        {"form": form, "title": _("Add a worker"), "cancel_url": reverse("workforce:workers")},
    )


@sensitive_post_parameters("phone")
@login_required
@require_http_methods(["GET", "POST"])
def worker_edit(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    worker = _worker(request, pk, Perm.MANAGE_WORKFORCE)
    form = WorkerForm(request.POST or None, user=request.user, worker=worker)
    if request.method == "POST" and form.is_valid() and form.worker_data is not None:
        try:
            actions.update_worker(worker, form.worker_data, acting_user=actor_for(request))
        except WorkforceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("workforce:worker", pk=worker.pk)
    login_form = LoginForm(initial={"username": worker.user.username if worker.user else ""})
    return render(
        request,
        "workforce/worker_form.html",
        {
            "form": form,
            "worker": worker,
            "login_form": login_form,
            "title": worker.name,
            "breadcrumbs": worker.area.ancestors_and_self(),
            "cancel_url": reverse("workforce:worker", args=[worker.pk]),
        },
    )


@login_required
@require_POST
def worker_login(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    """Link the worker to a sign-in account in the user's areas (or unlink them)."""
    worker = _worker(request, pk, Perm.MANAGE_WORKFORCE)
    form = LoginForm(request.POST)
    username = form.cleaned_data["username"].strip() if form.is_valid() else None
    if username is None:
        messages.error(request, _("No such account in your areas."))
        return redirect("workforce:worker_edit", pk=worker.pk)
    login = None
    if username:
        login = actions.logins_in_scope(actor_for(request)).filter(username=username).first()
        if login is None:
            messages.error(request, _("No such account in your areas."))
            return redirect("workforce:worker_edit", pk=worker.pk)
    try:
        actions.link_login(worker, login, acting_user=actor_for(request))
    except WorkforceError as exc:
        messages.error(request, exc.message)
        return redirect("workforce:worker_edit", pk=worker.pk)
    messages.success(request, _("The sign-in account was saved."))
    return redirect("workforce:worker", pk=worker.pk)


@login_required
@require_POST
def worker_active(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    """Retire a worker, or bring a retired one back."""
    worker = _worker(request, pk, Perm.MANAGE_WORKFORCE)
    active = params.choice(request.POST, "active", ["yes", "no"], "no") == "yes"
    actions.set_worker_active(worker, active, acting_user=actor_for(request))
    messages.success(
        request,
        _("%(name)s is active again.") % {"name": worker.name}
        if active
        else _("%(name)s is retired.") % {"name": worker.name},
    )
    return redirect("workforce:worker", pk=worker.pk)


# --- exports ---------------------------------------------------------------------------


@login_required
@require_GET
def workers_export(request: AuthedRequest) -> HttpResponse:
    """The list as on the screen (same filters), as Excel; full phones on request for
    those who may see them."""
    _require_any(request, Perm.VIEW_WORKFORCE)
    form = WorkerFilterForm(request.GET, user=request.user)
    full = params.flag(request.GET, "full") and request.user.has_any_area_permission(
        Perm.REVEAL_PERSONAL
    )
    chosen = [area.path for area in form.values().get("area") or []]
    data = exports.workers_xlsx(
        filters.worker_list(request.user, form),
        request.user,
        full_phones=full,
        area_paths=chosen,
        acting_user=actor_for(request),
    )
    word = _("workforce")
    return _attachment(data, f"{word}-{timezone.localdate():%Y%m%d}.xlsx", XLSX_CONTENT_TYPE)


@login_required
@require_GET
def roster_pdf(request: AuthedRequest, pk: int) -> HttpResponse:
    """An area's printable roster: its workers, grouped by the area they are based in."""
    area: Area = get_visible_or_404(
        Area.objects.exclude(kind=AreaKind.BUILDING), request.user, Perm.VIEW_WORKFORCE, pk=pk
    )
    data = exports.roster_pdf(area, request.user, acting_user=actor_for(request))
    word = _("roster")
    return _attachment(
        data, f"{area.name}-{word}-{timezone.localdate():%Y%m%d}.pdf", "application/pdf"
    )


# --- the list import -------------------------------------------------------------------


def _import_areas(request: AuthedRequest) -> list[tuple[int, str]]:
    areas = list(
        Area.objects.visible_to(request.user, Perm.MANAGE_WORKFORCE)
        .exclude(kind=AreaKind.BUILDING)
        .order_by("path")[:IMPORT_AREA_CHOICES]
    )
    if not areas:
        raise Http404
    top = min(area.depth for area in areas)
    return [
        (area.pk, "\u3000" * (area.depth - top) + f"{area.name} · {area.get_kind_display()}")
        for area in areas
    ]


@login_required
@require_GET
def import_template(request: AuthedRequest) -> HttpResponse:
    """An empty list with the columns the import reads."""
    _require_any(request, Perm.MANAGE_WORKFORCE)
    word = _("workforce-template")
    return _attachment(importing.template_xlsx(), f"{word}.xlsx", XLSX_CONTENT_TYPE)


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: AuthedRequest) -> HttpResponse:
    """Upload a workforce list: the page, and the check of the file (nothing imported yet)."""
    _require_any(request, Perm.MANAGE_WORKFORCE)
    chosen = params.posted_id(request.POST, "area")
    area = None
    if chosen is not None:
        # An area out of scope is not found, whatever else the form says.
        area = get_visible_or_404(
            Area.objects.all(), request.user, Perm.MANAGE_WORKFORCE, pk=chosen
        )
    choices = _import_areas(request)
    initial = params.object_id(request.GET, "area")
    form = ImportForm(
        request.POST or None, request.FILES or None, areas=choices, initial={"area": initial}
    )
    if request.method == "POST" and form.is_valid() and area is not None:
        upload = form.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            form.add_error("file", _("The file is too large."))
        else:
            try:
                analysis = importing.analyse(
                    upload.read(), upload.name or "", area, acting_user=actor_for(request)
                )
            except SpreadsheetError as exc:
                form.add_error("file", importing.file_message(exc))
            else:
                if not analysis.rows_total:
                    form.add_error("file", _("The file has no rows below its header."))
                else:
                    token = importing.keep(analysis, request.user.pk)
                    return redirect("workforce:import_check", token=token)
    return render(request, "workforce/import_upload.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def import_check(request: AuthedRequest, token: str) -> HttpResponse:
    """The row-level report of an uploaded list; import its valid rows, or nothing."""
    _require_any(request, Perm.MANAGE_WORKFORCE)
    analysis = importing.load(token, request.user.pk)
    if analysis is None:
        raise Http404
    area: Area = get_visible_or_404(
        Area.objects.all(), request.user, Perm.MANAGE_WORKFORCE, pk=analysis.area_id
    )
    if request.method == "POST":
        # The checked list goes once the decision is in the database (not before: a failed
        # apply leaves it to try again).
        transaction.on_commit(lambda: importing.discard(token))
        if params.choice(request.POST, "choice", ["import"], "") != "import":
            messages.info(request, _("Nothing was imported."))
            return redirect("workforce:import")
        try:
            done = actions.apply_import(analysis.rows, area, acting_user=actor_for(request))
        except WorkforceError as exc:
            messages.error(request, exc.message)
            messages.info(request, _("Nothing was imported: upload the list again."))
            return redirect("workforce:import")
        messages.success(
            request,
            _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {"new": done.created, "updated": done.updated, "unchanged": done.unchanged},
        )
        return redirect(f"{reverse('workforce:workers')}?area={area.pk}")
    return render(
        request,
        "workforce/import_check.html",
        {
            "token": token,
            "analysis": analysis,
            "area": area,
            "problems": analysis.problems[:PROBLEMS_SHOWN],
            "more_problems": max(len(analysis.problems) - PROBLEMS_SHOWN, 0),
        },
    )
