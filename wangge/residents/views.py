"""Pages of the registry: search, a person, a household, edits, the register import and
the per-grid exports.

Every object comes through `get_visible_or_404` (or a selector built on `visible_to`)
with the permission the page needs: what is out of scope does not exist. State changes
go through `actions`; the exports and their audit entries through `exports`.
"""

from typing import Any, BinaryIO

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.files.uploadhandler import MemoryFileUploadHandler
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.areas.extensions import AreaSection
from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.lib.excel import XLSX_CONTENT_TYPE
from wangge.residents import actions, errors, exports, selectors
from wangge.residents.errors import RegistryError
from wangge.residents.forms import HouseholdForm, ImportUploadForm, ResidentForm
from wangge.residents.importing import FIELD_LABELS, STAGES, RowError
from wangge.residents.models import Household, ImportBatch, Resident

PER_PAGE = 50
# A name, a part of one, or an ID number with room for spaces and dashes.
SEARCH_MAX = 100
REVEALABLE = {"id_number", "phone"}
# A register is read in memory and never written to disk unencrypted (see import_upload).
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
# The stages a background check goes through, for its progress (the apply's are not shown).
STAGE_LIST = [(name, STAGES[name]) for name in ("read", "check", "match", "store")]
ERRORS_SHOWN = 100


def _link(url: str, label: Any) -> dict[str, Any]:
    return {"url": url, "label": label}


def grid_residents(request: AuthedRequest, area: Area) -> list[AreaSection]:
    """The residents of a grid, a page at a time, on the grid's own page (the areas app
    shows this section without importing the registry)."""
    if not area.is_grid:
        return []
    page = None
    if request.user.has_area_permission(Perm.VIEW_REGISTRY, area):
        residents = (
            Resident.objects.visible_to(request.user, Perm.VIEW_REGISTRY)
            .filter(grid=area)
            .select_related("household")
            .order_by("household__sort_key", "household_id", "id")
        )
        page = Paginator(residents, PER_PAGE).get_page(params.page(request.GET))
    return [AreaSection("residents/_grid_residents.html", {"page": page})]


@login_required
@require_GET
def search(request: AuthedRequest) -> HttpResponse:
    query = params.text(request.GET, "q", max_length=SEARCH_MAX)
    page = None
    if query:
        results = (
            actions.find_residents(request.user, query, acting_user=actor_for(request))
            .select_related("household")
            .order_by("name", "id")
        )
        page = Paginator(results, PER_PAGE).get_page(params.page(request.GET))
    partial = request.headers.get("HX-Request") == "true"
    template = "residents/_search_results.html" if partial else "residents/search.html"
    registry_actions = []
    if request.user.has_any_area_permission(Perm.IMPORT_REGISTRY):
        registry_actions.append(_link(reverse("residents:import"), _("Import a register")))
    return render(
        request, template, {"query": query, "page": page, "registry_actions": registry_actions}
    )


@login_required
@require_GET
def household(request: AuthedRequest, pk: int) -> HttpResponse:
    home = get_visible_or_404(
        Household.objects.select_related("grid"),
        request.user,
        Perm.VIEW_REGISTRY,
        pk=pk,
    )
    members = home.members.order_by("id")
    can_edit = request.user.has_area_permission(Perm.EDIT_REGISTRY, home.grid)
    return render(
        request,
        "residents/household.html",
        {
            "household": home,
            "members": members,
            "breadcrumbs": home.grid.ancestors_and_self(),
            "household_actions": (
                [_link(reverse("residents:create", args=[home.pk]), _("Add a resident"))]
                if can_edit
                else []
            ),
        },
    )


@login_required
@require_GET
def detail(request: AuthedRequest, pk: int) -> HttpResponse:
    resident = get_visible_or_404(
        Resident.objects.select_related("household", "grid"),
        request.user,
        Perm.VIEW_REGISTRY,
        pk=pk,
    )
    held = request.user.permissions_at(resident.grid)
    return render(
        request,
        "residents/detail.html",
        {
            "resident": resident,
            "breadcrumbs": resident.grid.ancestors_and_self(),
            "can_reveal": Perm.REVEAL_PERSONAL in held,
            "resident_actions": (
                [_link(reverse("residents:edit", args=[resident.pk]), _("Edit"))]
                if Perm.EDIT_REGISTRY in held
                else []
            ),
        },
    )


@sensitive_variables("value")
@login_required
@require_POST
def reveal(request: AuthedRequest, pk: int, field: str) -> HttpResponse:
    """Show one person's full ID number or phone, to someone allowed, and audit it."""
    if field not in REVEALABLE:
        raise Http404
    resident = get_visible_or_404(
        Resident.objects.select_related("grid"),
        request.user,
        Perm.REVEAL_PERSONAL,
        pk=pk,
    )
    value = actions.reveal_identity(resident, field, acting_user=actor_for(request))
    response = render(request, "residents/_revealed.html", {"value": value})
    response.headers["Cache-Control"] = "no-store"
    return response


class TelRedirect(HttpResponseRedirect):
    """A redirect to the phone's dialler (Django allows only web schemes by default)."""

    allowed_schemes = ["tel"]


@sensitive_variables("number")
@login_required
@require_POST
def call(request: AuthedRequest, pk: int) -> HttpResponse:
    """Call a resident: the page posts here and the phone's dialler opens on the answer's
    `tel:` address, so the number is never in the page that offered the call."""
    resident = get_visible_or_404(
        Resident.objects.select_related("grid"), request.user, Perm.CONTACT_RESIDENTS, pk=pk
    )
    try:
        number = actions.call_resident(resident, acting_user=actor_for(request))
    except RegistryError as exc:
        messages.error(request, exc.message)
        return redirect("residents:detail", pk=resident.pk)
    response = TelRedirect(f"tel:{number}")
    response.headers["Cache-Control"] = "no-store"
    return response


# --- adding and editing people and households ----------------------------------------


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Add a person to a household."""
    home = get_visible_or_404(
        Household.objects.select_related("grid"), request.user, Perm.EDIT_REGISTRY, pk=pk
    )
    form = ResidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and form.resident_data is not None:
        try:
            resident = actions.register_resident(
                home, form.resident_data, acting_user=actor_for(request)
            )
        except RegistryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The resident was added."))
            return redirect("residents:detail", resident.pk)
    return render(
        request,
        "residents/resident_form.html",
        {
            "form": form,
            "household": home,
            "title": _("Add a resident"),
            "breadcrumbs": home.grid.ancestors_and_self(),
            "cancel_url": reverse("residents:household", args=[home.pk]),
        },
    )


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change a person's details, their status included."""
    resident = get_visible_or_404(
        Resident.objects.select_related("household", "grid"),
        request.user,
        Perm.EDIT_REGISTRY,
        pk=pk,
    )
    form = ResidentForm(request.POST or None, resident=resident)
    if request.method == "POST" and form.is_valid() and form.resident_data is not None:
        try:
            actions.update_resident(resident, form.resident_data, acting_user=actor_for(request))
        except RegistryError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The changes were saved."))
            return redirect("residents:detail", resident.pk)
    return render(
        request,
        "residents/resident_form.html",
        {
            "form": form,
            "household": resident.household,
            "resident": resident,
            "title": resident.name,
            "breadcrumbs": resident.grid.ancestors_and_self(),
            "cancel_url": reverse("residents:detail", args=[resident.pk]),
        },
    )


@sensitive_post_parameters("id_number", "phone")
@login_required
@require_http_methods(["GET", "POST"])
def household_create(request: AuthedRequest, pk: int) -> HttpResponse:
    """Register a new household (an address) in a grid."""
    grid = get_visible_or_404(
        Area.objects.get_queryset().grids(), request.user, Perm.EDIT_REGISTRY, pk=pk
    )
    form = HouseholdForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            home = actions.create_household(
                grid, **form.cleaned_data, acting_user=actor_for(request)
            )
        except RegistryError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("The household was created."))
            return redirect("residents:household", home.pk)
    return render(
        request,
        "residents/household_form.html",
        {"form": form, "grid": grid, "breadcrumbs": grid.ancestors_and_self()},
    )


# --- the register import ---------------------------------------------------------------


class _InMemoryUpload(MemoryFileUploadHandler):
    """Keeps an upload in memory up to MAX_UPLOAD_BYTES, and drops anything larger.

    Django spools uploads above FILE_UPLOAD_MAX_MEMORY_SIZE to a temporary file; a
    register holds plain ID numbers and must never reach the disk unencrypted.
    """

    def handle_raw_input(
        self,
        input_data: Any,
        META: dict[str, Any],  # noqa: N803 - Django's name
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> None:
        self.activated = content_length <= MAX_UPLOAD_BYTES


def _import_areas(request: AuthedRequest) -> list[tuple[int, str]]:
    areas = selectors.import_areas(request.user)
    if not areas:
        raise Http404
    top = min(area.depth for area in areas)
    return [
        (area.pk, "\u3000" * (area.depth - top) + f"{area.name} · {area.get_kind_display()}")
        for area in areas
    ]


@csrf_exempt  # checked below, once the upload handlers are in place
@login_required
def import_upload(request: AuthedRequest) -> HttpResponse:
    """Upload a register: the page, and the check of the file (nothing is imported yet)."""
    request.upload_handlers = [_InMemoryUpload(request)]
    return _import_upload(request)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _import_upload(request: AuthedRequest) -> HttpResponse:
    chosen = params.posted_id(request.POST, "area") or params.object_id(request.GET, "area")
    area = None
    if chosen is not None:
        area = get_visible_or_404(Area.objects.all(), request.user, Perm.IMPORT_REGISTRY, pk=chosen)
    choices = _import_areas(request)
    if area is not None and all(pk != area.pk for pk, _label in choices):
        choices.insert(0, (area.pk, area.name))
    form = ImportUploadForm(
        request.POST or None,
        request.FILES or None,
        areas=choices,
        initial={"area": area.pk if area else None},
    )
    if request.method == "POST":
        upload = request.FILES.get("file")
        if area is None:
            form.add_error("area", _("Choose the area to import into."))
        elif upload is None:
            form.add_error("file", RegistryError("file_too_large").message)
        else:
            data = upload.read()
            try:
                if len(data) > settings.WANGGE_IMPORT_BACKGROUND_BYTES:
                    batch = actions.begin_import(
                        data, upload.name or "", area, acting_user=request.user
                    )
                else:
                    batch = actions.stage_import(
                        data, upload.name or "", area, acting_user=request.user
                    )
            except RegistryError as exc:
                form.add_error("file", exc.message)
            else:
                return redirect("residents:import_batch", batch.pk)
    return render(
        request,
        "residents/import_upload.html",
        {
            "form": form,
            "area": area,
            "recent": selectors.recent_imports(request.user),
            "max_mb": MAX_UPLOAD_BYTES // (1024 * 1024),
        },
    )


def _batch(request: AuthedRequest, pk: int) -> ImportBatch:
    return selectors.visible_import(request.user, pk)


@login_required
@require_GET
def import_batch(request: AuthedRequest, pk: int) -> HttpResponse:
    """The report of a checked register, and the choice: import the valid rows or nothing."""
    batch = _batch(request, pk)
    shown = [RowError.from_json(item) for item in batch.first_errors[:ERRORS_SHOWN]]
    notices = [errors.render(code, params) for code, params in batch.notices]
    if batch.failure:
        notices.insert(0, errors.render(batch.failure[0], batch.failure[1]))
    columns = [
        (FIELD_LABELS.get(key, key), name) for key, name in batch.columns.items() if key != "seq"
    ]
    return render(
        request,
        "residents/import_batch.html",
        {
            "batch": batch,
            "errors": shown,
            "notices": notices,
            "more_errors": max(batch.rows_error - len(shown), 0),
            "columns": columns,
            "breadcrumbs": batch.area.ancestors_and_self(),
            "stages": STAGE_LIST,
        },
    )


@login_required
@require_GET
def import_progress(request: AuthedRequest, pk: int) -> HttpResponse:
    """The progress of a register being checked (the page polls it); once the check is
    over, the page reloads itself to show the report."""
    batch = _batch(request, pk)
    response = render(
        request, "residents/_import_progress.html", {"batch": batch, "stages": STAGE_LIST}
    )
    if not batch.is_checking:
        response.headers["HX-Refresh"] = "true"
    return response


@login_required
@require_GET
def import_report(request: AuthedRequest, pk: int) -> HttpResponseBase:
    """The uploaded rows with an added problem column, as Excel (while the batch waits)."""
    batch = _batch(request, pk)
    if not batch.is_pending:
        raise Http404
    try:
        data = exports.import_report_xlsx(batch, acting_user=actor_for(request))
    except RegistryError as exc:
        messages.warning(request, exc.message)
        return redirect("residents:import_batch", batch.pk)
    stem = (batch.file_name.rsplit(".", 1)[0] or "register")[:80]
    # Outside the f-string: makemessages does not read inside one.
    word = _("report")
    return _attachment(data, f"{stem}-{word}.xlsx", XLSX_CONTENT_TYPE)


@login_required
@require_POST
def import_apply(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        done = actions.apply_import(
            batch,
            acting_user=actor_for(request),
            grid_confirmed=params.choice(request.POST, "grid_confirmed", ["yes"], "") == "yes",
        )
    except RegistryError as exc:
        if exc.code == "import_stale":
            actions.recheck_import(batch)
        elif exc.code == "import_expired":
            actions.discard_import(batch)
        messages.warning(request, exc.message)
    else:
        messages.success(
            request,
            _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "new": done.rows_new,
                "updated": done.rows_updated,
                "unchanged": done.rows_unchanged,
            },
        )
    return redirect("residents:import_batch", batch.pk)


@login_required
@require_POST
def import_discard(request: AuthedRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        actions.discard_import(batch)
    except RegistryError as exc:
        messages.warning(request, exc.message)
    else:
        messages.success(request, _("Nothing was imported; the uploaded file was deleted."))
    return redirect("residents:import_batch", batch.pk)


# --- exports of a grid ------------------------------------------------------------------


def _attachment(data: bytes | BinaryIO, filename: str, content_type: str) -> HttpResponseBase:
    """A download; a file (a large export) is streamed from disk, in blocks, and closed."""
    response: HttpResponseBase
    if isinstance(data, bytes):
        response = HttpResponse(data, content_type=content_type)
    else:
        response = FileResponse(data, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _register_file_name(grid: Area, extension: str) -> str:
    # Outside the f-string: makemessages does not read inside one.
    word = _("register")
    return f"{grid.name}-{word}-{timezone.localdate():%Y%m%d}.{extension}"


def _export_grid(request: AuthedRequest, pk: int) -> Area:
    grid: Area = get_visible_or_404(
        Area.objects.get_queryset().grids(), request.user, Perm.EXPORT_REGISTRY, pk=pk
    )
    return grid


@login_required
@require_GET
def export_grid_xlsx(request: AuthedRequest, pk: int) -> HttpResponseBase:
    grid = _export_grid(request, pk)
    data = exports.grid_register_xlsx(grid, request.user, acting_user=actor_for(request))
    return _attachment(data, _register_file_name(grid, "xlsx"), XLSX_CONTENT_TYPE)


@login_required
@require_GET
def export_grid_pdf(request: AuthedRequest, pk: int) -> HttpResponseBase:
    grid = _export_grid(request, pk)
    data = exports.grid_register_pdf(grid, request.user, acting_user=actor_for(request))
    return _attachment(data, _register_file_name(grid, "pdf"), "application/pdf")
