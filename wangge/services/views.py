"""Pages of the door-to-door service, phone first: the requests of an area, one request
with its timeline and buttons, a new request (find the household by its address), my
requests, a household's service history, the supplies handed out and their export."""

import datetime as dt
import uuid
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import F, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, in_scope
from wangge.incidents.models import Incident
from wangge.incidents.photos import clean_photo
from wangge.incidents.selectors import visibility_q as incident_visibility_q
from wangge.lib.excel import XLSX_CONTENT_TYPE
from wangge.residents.models import Household
from wangge.services import actions, exports, selectors
from wangge.services.choices import (
    OPEN_STATUSES,
    ServiceKind,
    ServiceStatus,
    Urgency,
)
from wangge.services.errors import ServiceError
from wangge.services.forms import HandoutForm, RequestForm
from wangge.services.models import ServiceRequest, ServiceStep, SupplyHandout
from wangge.workforce.models import Team, Worker

ROWS_PER_PAGE = 50
SEARCH_MAX = 40
MATCHES = 20
NOTE_MAX = actions.NOTE_LENGTH
# The supplies page covers at most this many days at once.
SUPPLY_DAYS = 31


def _entry_area(request: AuthedRequest, permission: str) -> Area | None:
    """The area a page is about: `?area=` (visible), else the user's topmost."""
    area_id = params.object_id(request.GET, "area")
    if area_id is not None:
        area: Area = get_visible_or_404(Area.objects.all(), request.user, permission, pk=area_id)
        return area
    paths = request.user.scope_paths(permission)
    top: Area | None
    if paths is None:
        top = Area.objects.filter(depth=1).order_by("path").first()
        return top
    top = Area.objects.filter(path__in=paths).order_by("depth", "path").first()
    return top


def _require_any(request: AuthedRequest, permission: str) -> None:
    if not request.user.has_any_area_permission(permission):
        raise PermissionDenied


STATUS_FILTERS = ["open", *ServiceStatus.values, "all"]


@login_required
@require_GET
def request_list(request: AuthedRequest) -> HttpResponse:
    """The requests of an area and below (open ones by default), by status, urgency, kind
    and late, the first limit first."""
    _require_any(request, Perm.VIEW_CONTROL)
    area = _entry_area(request, Perm.VIEW_CONTROL)
    status = params.choice(request.GET, "status", STATUS_FILTERS, "open")
    urgency = params.choice(request.GET, "urgency", Urgency.values, "")
    kind = params.choice(request.GET, "kind", ServiceKind.values, "")
    late = params.flag(request.GET, "late")
    now = timezone.now()
    base = ServiceRequest.objects.visible_to(request.user, Perm.VIEW_CONTROL)
    if area is not None:
        base = base.filter(area__path__startswith=area.path)
    rows = base
    if status == "open":
        rows = rows.filter(status__in=sorted(OPEN_STATUSES))
    elif status != "all":
        rows = rows.filter(status=status)
    if urgency:
        rows = rows.filter(urgency=urgency)
    if kind:
        rows = rows.filter(kind=kind)
    if late:
        rows = rows.filter(
            Q(status__in=sorted(OPEN_STATUSES), due_at__lt=now) | Q(delivered_at__gt=F("due_at"))
        )
    rows = rows.select_related("household", "area", "assigned_worker", "assigned_team").order_by(
        "due_at", "pk"
    )
    page = Paginator(rows, ROWS_PER_PAGE).get_page(params.page(request.GET))
    query: dict[str, str] = {"status": status, "urgency": urgency, "kind": kind}
    if late:
        query["late"] = "1"
    if area is not None:
        query["area"] = str(area.pk)
    figures = selectors.open_figures(base, now)
    return render(
        request,
        "services/list.html",
        {
            "area": area,
            "page": page,
            "rows": page.object_list,
            "status": status,
            "urgency": urgency,
            "kind": kind,
            "late": late,
            "statuses": [
                ("open", _("Open")),
                *ServiceStatus.choices,
                ("all", _("All")),
            ],
            "urgencies": Urgency.choices,
            "kinds": ServiceKind.choices,
            "query": urlencode({k: v for k, v in query.items() if v}),
            "now": now,
            "figures": figures,
            "can_record": request.user.has_any_area_permission(Perm.FOLLOW_UP),
        },
    )


@login_required
@require_GET
def mine(request: AuthedRequest) -> HttpResponse:
    """The open requests assigned to me (or my team), the first limit first."""
    rows = list(selectors.my_requests(request.user)[:200])
    return render(request, "services/mine.html", {"rows": rows, "now": timezone.now()})


def _get_request(request: AuthedRequest, pk: Any) -> ServiceRequest:
    found: ServiceRequest | None = (
        selectors.visible_requests(request.user)
        .select_related(
            "household__grid",
            "area",
            "key_person",
            "assigned_worker",
            "assigned_team",
            "requested_by",
        )
        .filter(pk=pk)
        .first()
    )
    if found is None:
        raise Http404
    return found


NEXT_STEPS = {
    ServiceStatus.ASSIGNED: [ServiceStatus.ACCEPTED, ServiceStatus.DELIVERED],
    ServiceStatus.ACCEPTED: [ServiceStatus.ON_THE_WAY, ServiceStatus.DELIVERED],
    ServiceStatus.ON_THE_WAY: [ServiceStatus.DELIVERED],
}


def _detail_context(request: AuthedRequest, service: ServiceRequest) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    can_assign = service.status in (
        ServiceStatus.REQUESTED,
        ServiceStatus.ASSIGNED,
        ServiceStatus.ACCEPTED,
    ) and selectors.may_assign(user, service)
    can_act = service.status in NEXT_STEPS and actions.may_deliver(user, service)
    return {
        "service": service,
        "steps": list(
            ServiceStep.objects.filter(request=service)
            .select_related("user", "worker", "team")
            .order_by("at", "pk")
        ),
        "handouts": list(SupplyHandout.objects.filter(request=service).order_by("handed_at")),
        "late": service.is_late(now),
        # The incident its missed limit raised, for those who may see it.
        "incident": (
            Incident.objects.filter(
                incident_visibility_q(user), source_key=f"services:{service.pk}"
            ).first()
            if service.escalated_at
            else None
        ),
        "now": now,
        "can_assign": can_assign,
        "workers": (
            list(actions.assignable_workers(service).order_by("name", "pk")[:200])
            if can_assign
            else []
        ),
        "teams": (
            list(actions.assignable_teams(service).order_by("name", "pk")[:50])
            if can_assign
            else []
        ),
        "next_steps": NEXT_STEPS.get(ServiceStatus(service.status), []) if can_act else [],
        "handout_form": HandoutForm() if can_act else None,
        "can_cancel": service.is_open
        and in_scope(user.scope_paths(Perm.FOLLOW_UP), service.area.path),
        "can_see_household": in_scope(user.scope_paths(Perm.VIEW_CONTROL), service.area.path),
    }


@login_required
@require_GET
def detail(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    """A request: the household, what is needed, its limit, its timeline and the buttons
    of whoever may act on it."""
    service = _get_request(request, pk)
    return render(request, "services/detail.html", _detail_context(request, service))


def _back(service: ServiceRequest) -> HttpResponse:
    return redirect("services:detail", pk=service.pk)


@login_required
@require_POST
def assign(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    """Send a worker or a team (`assignee` = "worker:<uuid>" or "team:<id>")."""
    service = _get_request(request, pk)
    if not selectors.may_assign(request.user, service):
        raise Http404
    chosen = params.text(request.POST, "assignee", max_length=60)
    worker: Worker | None = None
    team: Team | None = None
    kind, _sep, value = chosen.partition(":")
    try:
        if kind == "worker":
            worker = Worker.objects.filter(pk=uuid.UUID(value)).first()
        elif kind == "team":
            team = Team.objects.filter(pk=int(value)).first()
    except ValueError:
        worker = team = None
    try:
        if worker is None and team is None:
            raise ServiceError(_("choose one worker or one team"))
        actions.assign(service, worker=worker, team=team, acting_user=actor_for(request))
        messages.success(request, _("Assigned: %(name)s") % {"name": (worker or team)})
    except ServiceError as exc:
        messages.error(request, str(exc))
    return _back(service)


@login_required
@require_POST
def step(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    """Accepted, on the way, delivered (with a note and the supplies handed out)."""
    service = _get_request(request, pk)
    if not actions.may_deliver(request.user, service):
        raise Http404
    status = params.choice(
        request.POST,
        "status",
        [ServiceStatus.ACCEPTED, ServiceStatus.ON_THE_WAY, ServiceStatus.DELIVERED],
        "",
    )
    note = params.text(request.POST, "note", max_length=NOTE_MAX)
    lines: list[actions.HandoutLine] = []
    if status == ServiceStatus.DELIVERED:
        form = HandoutForm(request.POST)
        if not form.is_valid():
            context = _detail_context(request, service)
            context["handout_form"] = form
            return render(request, "services/detail.html", context, status=400)
        lines = form.lines()
    photo = None
    upload = request.FILES.get("photo")
    if status == ServiceStatus.DELIVERED and upload is not None:
        try:
            photo = clean_photo(upload)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return _back(service)
    try:
        actions.advance(
            service,
            status,
            note=note,
            handouts=lines,
            photo=photo,
            acting_user=actor_for(request),
        )
    except ServiceError as exc:
        messages.error(request, str(exc))
    return _back(service)


@login_required
@require_GET
def photo(request: AuthedRequest, pk: uuid.UUID) -> FileResponse:
    """The delivery's photo, to those who may see the request; never cached by others."""
    service = _get_request(request, pk)
    if not service.delivery_photo:
        raise Http404
    try:
        handle = service.delivery_photo.open("rb")
    except OSError as exc:
        raise Http404 from exc
    response = FileResponse(handle, content_type="image/jpeg")
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Disposition"] = "inline"
    return response


@login_required
@require_POST
def cancel(request: AuthedRequest, pk: uuid.UUID) -> HttpResponse:
    service = _get_request(request, pk)
    if not in_scope(request.user.scope_paths(Perm.FOLLOW_UP), service.area.path):
        raise Http404
    reason = params.text(request.POST, "reason", max_length=actions.REASON_LENGTH)
    try:
        actions.cancel(service, reason=reason, acting_user=actor_for(request))
    except ServiceError as exc:
        messages.error(request, str(exc))
    return _back(service)


# --- a new request ---------------------------------------------------------------------


def household_matches(request: AuthedRequest, query: str) -> list[Household]:
    """Households of the user's grids (FOLLOW_UP) whose address, building-unit-room,
    building or room matches."""
    if not query:
        return []
    found = Household.objects.visible_to(request.user, Perm.FOLLOW_UP)
    parts = query.replace("－", "-").split("-")
    condition = Q(address__icontains=query) | Q(building=query) | Q(room__startswith=query)
    if len(parts) == 3 and all(parts):
        condition |= Q(building=parts[0], unit=parts[1], room__startswith=parts[2])
    elif len(parts) == 2 and all(parts):
        # Building and unit (every room of it), or building and room.
        condition |= Q(building=parts[0], unit=parts[1]) | Q(
            building=parts[0], room__startswith=parts[1]
        )
    return list(
        found.filter(condition)
        .select_related("grid")
        .order_by("grid__path", "sort_key", "pk")[:MATCHES]
    )


@login_required
@require_http_methods(["GET", "POST"])
def new(request: AuthedRequest) -> HttpResponse:
    """Find the household by its address (`?q=`, answered over HTMX as you type), then
    the request's form (`?household=`), refused with the reason for a household that
    may not ask."""
    _require_any(request, Perm.FOLLOW_UP)
    query_source = request.POST if request.method == "POST" else request.GET
    household_id = params.object_id(query_source, "household")
    if household_id is None:
        query = params.text(request.GET, "q", max_length=SEARCH_MAX)
        context = {"query": query, "matches": household_matches(request, query)}
        if request.headers.get("HX-Request") == "true":
            return render(request, "services/_matches.html", context)
        return render(request, "services/new_find.html", context)
    household: Household = get_visible_or_404(
        Household.objects.select_related("grid"), request.user, Perm.FOLLOW_UP, pk=household_id
    )
    found = selectors.eligibility(household)
    form = RequestForm(
        request.POST if request.method == "POST" else None,
        key_persons=found.key_persons,
        initial={"request_id": uuid.uuid4()},
    )
    if request.method == "POST" and form.is_valid():
        try:
            service = actions.record_request(
                household, form.new_request(), at=timezone.now(), acting_user=actor_for(request)
            )
        except ServiceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Request recorded."))
            return redirect("services:detail", pk=service.pk)
    return render(
        request,
        "services/new.html",
        {
            "household": household,
            "eligibility": found,
            "form": form,
            "may_override": actions.may_override(request.user, household.grid),
            "limits": selectors.time_limits(),
        },
        status=400 if request.method == "POST" else 200,
    )


# --- households and supplies -----------------------------------------------------------


@login_required
@require_GET
def household(request: AuthedRequest, pk: int) -> HttpResponse:
    """A household's service history: its requests and the supplies handed to it."""
    found: Household = get_visible_or_404(
        Household.objects.select_related("grid"), request.user, Perm.VIEW_CONTROL, pk=pk
    )
    return _household_page(request, found, HandoutForm())


def _household_page(
    request: AuthedRequest, found: Household, form: HandoutForm, status: int = 200
) -> HttpResponse:
    user = request.user
    return render(
        request,
        "services/household.html",
        {
            "household": found,
            "eligibility": selectors.eligibility(found),
            "requests": list(
                ServiceRequest.objects.filter(household=found)
                .select_related("assigned_worker", "assigned_team")
                .order_by("-requested_at")[:100]
            ),
            "handouts": list(
                SupplyHandout.objects.filter(household=found)
                .select_related("handed_by")
                .order_by("-handed_at")[:200]
            ),
            "form": form
            if in_scope(user.scope_paths(Perm.DELIVER_SERVICES), found.grid.path)
            else None,
            "can_record": in_scope(user.scope_paths(Perm.FOLLOW_UP), found.grid.path),
            "now": timezone.now(),
        },
        status=status,
    )


@login_required
@require_POST
def handout(request: AuthedRequest, pk: int) -> HttpResponse:
    """Supplies handed to a household on their own (DELIVER_SERVICES on its grid)."""
    found: Household = get_visible_or_404(
        Household.objects.select_related("grid"), request.user, Perm.DELIVER_SERVICES, pk=pk
    )
    form = HandoutForm(request.POST)
    if form.is_valid():
        try:
            actions.record_handout(
                found, form.lines(), at=timezone.now(), acting_user=actor_for(request)
            )
        except ServiceError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Handout recorded."))
            return redirect("services:household", pk=found.pk)
    if not request.user.has_area_permission(Perm.VIEW_CONTROL, found.grid):
        # A volunteer (no household pages): the refusal, back where they came from.
        errors = [str(error) for errors in form.errors.values() for error in errors]
        messages.error(request, " ".join(errors))
        return redirect("services:mine")
    return _household_page(request, found, form, status=400)


def _supply_window(request: AuthedRequest) -> tuple[dt.date, dt.date]:
    today = timezone.localdate()
    until = params.date(request.GET, "until") or today
    since = params.date(request.GET, "since") or until - dt.timedelta(days=6)
    if since > until:
        since, until = until, since
    since = max(since, until - dt.timedelta(days=SUPPLY_DAYS - 1))
    return since, until


def _handouts(request: AuthedRequest, area: Area | None, since: dt.date, until: dt.date) -> Any:
    start = timezone.make_aware(dt.datetime.combine(since, dt.time.min))
    end = timezone.make_aware(dt.datetime.combine(until + dt.timedelta(days=1), dt.time.min))
    rows = SupplyHandout.objects.visible_to(request.user, Perm.VIEW_CONTROL).filter(
        handed_at__gte=start, handed_at__lt=end
    )
    if area is not None:
        rows = rows.filter(area__path__startswith=area.path)
    return rows


@login_required
@require_GET
def supplies(request: AuthedRequest) -> HttpResponse:
    """Supplies handed out in an area: totals per grid, day, item and unit."""
    _require_any(request, Perm.VIEW_CONTROL)
    area = _entry_area(request, Perm.VIEW_CONTROL)
    since, until = _supply_window(request)
    rows = _handouts(request, area, since, until)
    query = {"since": since.isoformat(), "until": until.isoformat()}
    if area is not None:
        query["area"] = str(area.pk)
    return render(
        request,
        "services/supplies.html",
        {
            "area": area,
            "since": since,
            "until": until,
            "totals": selectors.supply_totals(rows),
            "query": urlencode(query),
        },
    )


@login_required
@require_GET
def supplies_export(request: AuthedRequest) -> HttpResponse:
    """Every handout line of the supplies page, as Excel (audited)."""
    _require_any(request, Perm.VIEW_CONTROL)
    area = _entry_area(request, Perm.VIEW_CONTROL)
    since, until = _supply_window(request)
    rows = _handouts(request, area, since, until)
    data = exports.handouts_xlsx(
        rows, area=area, since=since, until=until, acting_user=actor_for(request)
    )
    response = HttpResponse(data, content_type=XLSX_CONTENT_TYPE)
    word = _("supplies")
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=f"{word}-{since:%Y%m%d}-{until:%Y%m%d}.xlsx"
    )
    response.headers["Cache-Control"] = "no-store"
    return response
