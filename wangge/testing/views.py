"""Pages of testing rounds: plan and run a round, live coverage, untested lists, recall,
tubes and shipments, laboratory files, the capacity planner.

Every object is fetched through the scoping choke point with the permission the page
needs (`get_visible_or_404`, `visible_to`): a round, area, tube or person outside the
user's scope does not exist for them. Views parse, call one action or selector, render.
"""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, QuerySet, Sum
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import (
    content_disposition_header,
    url_has_allowed_host_and_scheme,
    urlencode,
)
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts.audit import actor_for
from wangge.accounts.http import AuthedRequest
from wangge.accounts.models import User
from wangge.accounts.roles import Perm
from wangge.areas.extensions import AreaAction
from wangge.areas.models import Area
from wangge.core import params
from wangge.core.nav import Alert, NavItem
from wangge.core.scoping import get_visible_or_404
from wangge.lib.spreadsheets import SpreadsheetError
from wangge.residents.models import Resident
from wangge.testing import exports, lab_import, planner
from wangge.testing.actions import alarms as alarm_actions
from wangge.testing.actions import results as result_actions
from wangge.testing.actions import rounds as round_actions
from wangge.testing.actions import shipments as shipment_actions
from wangge.testing.actions.results import RECALL_RESULTS
from wangge.testing.choices import (
    ExemptionReason,
    RecallStatus,
    ResultSource,
    RoundStatus,
    TubeStatus,
)
from wangge.testing.errors import RoundError
from wangge.testing.forms import (
    ExemptionForm,
    LabUploadForm,
    PlannerForm,
    PointForm,
    RoundForm,
    ShipmentForm,
    TeamForm,
)
from wangge.testing.models import (
    DoorToDoorTeam,
    Exemption,
    PositiveCase,
    Recall,
    Round,
    SamplingPoint,
    Shipment,
    Tube,
    UnknownResult,
)
from wangge.testing.selectors import (
    Coverage,
    Figures,
    area_in_scope,
    can_manage_round,
    coverage,
    grid_leaders,
    homes_to_visit,
    open_unknown_results,
    overview,
    recall_list,
    recall_progress,
    recall_rows,
    results_area,
    round_entry_areas,
    tube_counts,
    untested_residents,
    visible_any,
)

ROUNDS_PER_PAGE = 30
ROWS_PER_PAGE = 100
# A page to come back to after a form: a path on this site and its query.
NEXT_MAX = 500
# Who may see tubes and boxes, and who packs and ships them: those who register samples
# (the laboratory receives them: LOAD_RESULTS).
TUBE_READERS = (Perm.VIEW_TESTING, Perm.REGISTER_SAMPLES, Perm.LOAD_RESULTS)
PACKERS = (Perm.REGISTER_SAMPLES,)


# --- lookups through the scoping choke point -------------------------------------------


def _round(request: AuthedRequest, pk: int, *permissions: str) -> Round:
    """A round the user may see with one of these permissions (default: view testing)."""
    for permission in permissions or (Perm.VIEW_TESTING,):
        try:
            round_: Round = get_visible_or_404(Round.objects.all(), request.user, permission, pk=pk)
        except Http404:
            continue
        return round_
    raise Http404


def _managed_round(request: AuthedRequest, pk: int) -> Round:
    """A round the user manages as a whole (edit, open, close); 404 otherwise."""
    round_ = _round(request, pk, Perm.MANAGE_ROUNDS)
    if not can_manage_round(request.user, round_):
        raise Http404
    return round_


def _round_area(request: AuthedRequest, round_: Round, area_id: int | None) -> Area | None:
    """The area of the round a page is about (`?area=`), in scope and visible; None if not
    asked for."""
    if area_id is None:
        return None
    area: Area = get_visible_or_404(Area.objects.all(), request.user, Perm.VIEW_TESTING, pk=area_id)
    if not area_in_scope(round_, area):
        raise Http404
    return area


def _grid(request: AuthedRequest, round_: Round, pk: int) -> Area:
    """A grid of the round whose registry the user may read."""
    grid = _round_area(request, round_, pk)
    if grid is None or not grid.is_grid:
        raise Http404
    if not request.user.has_area_permission(Perm.VIEW_REGISTRY, grid):
        raise Http404
    return grid


def _next_url(request: AuthedRequest, fallback: str) -> str:
    target = params.text(request.POST, "next", max_length=NEXT_MAX) or params.text(
        request.GET, "next", max_length=NEXT_MAX
    )
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def _download(data: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(data, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _breadcrumbs(area: Area | None, entry: list[Area]) -> list[Area]:
    """The path from the user's entry area of the round down to `area`."""
    if area is None:
        return []
    tops = [a for a in entry if area.path.startswith(a.path)]
    if not tops:
        return [area]
    return [node for node in area.ancestors_and_self() if node.depth >= tops[0].depth]


# --- navigation and area buttons (registered by the lead in TestingConfig.ready) --------


def testing_links(request: Any) -> list[NavItem]:
    """The testing pages in the top navigation, for those who can use them."""
    user = request.user
    if not isinstance(user, User):
        return []
    items: list[NavItem] = []
    if user.has_any_area_permission(Perm.VIEW_TESTING):
        items.append(NavItem(reverse("testing:rounds"), _("Testing")))
    if user.has_any_area_permission(Perm.LOAD_RESULTS):
        items.append(NavItem(reverse("testing:results_import"), _("Lab results")))
    return items


def area_testing_actions(request: AuthedRequest, area: Area) -> list[AreaAction]:
    """On an area's page: the coverage of each open round covering it (and, on a grid,
    its untested list)."""
    if not request.user.has_area_permission(Perm.VIEW_TESTING, area):
        return []
    ancestors = [area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    rounds = (
        Round.objects.visible_to(request.user, Perm.VIEW_TESTING)
        .filter(status=RoundStatus.OPEN, scope__area__path__in=ancestors)
        .order_by("-starts_at")[:3]
    )
    buttons = []
    for round_ in rounds:
        if area.is_grid and request.user.has_area_permission(Perm.VIEW_REGISTRY, area):
            url = reverse("testing:untested", args=[round_.pk, area.pk])
            buttons.append(AreaAction(url, _("Untested: %(round)s") % {"round": round_.name}))
        else:
            url = reverse("testing:round", args=[round_.pk]) + f"?area={area.pk}"
            buttons.append(AreaAction(url, _("Coverage: %(round)s") % {"round": round_.name}))
    return buttons


def unknown_result_alerts(request: Any) -> list[Alert]:
    """On the start page: the open alarms for results that reached no tube, if any."""
    user = request.user
    if not isinstance(user, User) or not user.has_any_area_permission(Perm.VIEW_TESTING):
        return []
    count = open_unknown_results(user).count()
    if not count:
        return []
    text = ngettext(
        "Alarm: %(count)d positive or invalid laboratory result names a barcode no tube has.",
        "Alarm: %(count)d positive or invalid laboratory results name barcodes no tube has.",
        count,
    ) % {"count": count}
    return [Alert(reverse("testing:unknown_results"), text)]


# --- rounds ----------------------------------------------------------------------------


@login_required
@require_GET
def round_list(request: AuthedRequest) -> HttpResponse:
    """The rounds whose scope overlaps the user's areas, newest first."""
    if not request.user.has_any_area_permission(Perm.VIEW_TESTING):
        raise Http404
    rounds = Round.objects.visible_to(request.user, Perm.VIEW_TESTING).prefetch_related(
        "scope__area"
    )
    page = Paginator(rounds.order_by("-starts_at", "-id"), ROUNDS_PER_PAGE).get_page(
        params.page(request.GET)
    )
    return render(
        request,
        "testing/round_list.html",
        {
            "page": page,
            "can_create": request.user.has_any_area_permission(Perm.MANAGE_ROUNDS),
        },
    )


def _round_form_data(form: RoundForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "name": data["name"],
        "starts_at": data["starts_at"],
        "ends_at": data["ends_at"],
        "pool_size": data["pool_size"],
        "exempt_infants_under_years": data["exempt_infants_under_years"],
        "exempt_under_treatment": data["exempt_under_treatment"],
    }


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: AuthedRequest) -> HttpResponse:
    """Plan a round over areas the user manages; it opens with a separate step."""
    if not request.user.has_any_area_permission(Perm.MANAGE_ROUNDS):
        raise Http404
    form = RoundForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = round_actions.create_round(
                scope=list(form.cleaned_data["scope"]),
                acting_user=actor_for(request),
                **_round_form_data(form),
            )
        except RoundError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The round is planned. Open it when sampling starts."))
            return redirect("testing:round", pk=round_.pk)
    return render(request, "testing/round_form.html", {"form": form, "round": None})


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    """Change the round's name, window, pooling and rules (its scope only while planned)."""
    round_ = _managed_round(request, pk)
    if round_.status == RoundStatus.CLOSED:
        raise Http404
    planned = round_.status == RoundStatus.PLANNED
    initial = {
        "name": round_.name,
        "starts_at": timezone.localtime(round_.starts_at),
        "ends_at": timezone.localtime(round_.ends_at),
        "pool_size": round_.pool_size,
        "exempt_infants_under_years": round_.exempt_infants_under_years,
        "exempt_under_treatment": round_.exempt_under_treatment,
        "scope": [scope.area_id for scope in round_.scope.all()],
    }
    form = RoundForm(
        request.POST or None, initial=initial, user=request.user, scope_editable=planned
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_actions.update_round(
                round_,
                scope=list(form.cleaned_data["scope"]) if planned else None,
                acting_user=actor_for(request),
                **_round_form_data(form),
            )
        except RoundError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The round was saved."))
            return redirect("testing:round", pk=round_.pk)
    return render(request, "testing/round_form.html", {"form": form, "round": round_})


@login_required
@require_POST
def round_open(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _managed_round(request, pk)
    try:
        round_actions.open_round(round_, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The round is open: stations can register."))
    return redirect("testing:round", pk=round_.pk)


@login_required
@require_POST
def round_close(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _managed_round(request, pk)
    try:
        round_actions.close_round(round_, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The round is closed; its figures stay as they are."))
    return redirect("testing:round", pk=round_.pk)


def _chart(rows: list[Any]) -> dict[str, Any]:
    """The coverage chart's data (names and percentages), for json_script."""
    return {
        "names": [row.area.name for row in rows],
        "coverage": [row.figures.coverage_percent for row in rows],
        "expected": [row.figures.expected for row in rows],
        "sampled": [row.figures.sampled for row in rows],
        "label": str(_("Coverage %")),
    }


def _coverage_context(request: AuthedRequest, round_: Round) -> dict[str, Any]:
    """Everything the live part of a round's page shows, for the area asked for."""
    if round_.status == RoundStatus.OPEN:
        round_actions.refresh_stale_grids(round_)
    entry = round_entry_areas(round_, request.user, Perm.VIEW_TESTING)
    if not entry:
        raise Http404
    area = _round_area(request, round_, params.object_id(request.GET, "area"))
    if area is None and len(entry) == 1:
        area = entry[0]
    recalls = Recall.objects.visible_to(request.user, Perm.VIEW_TESTING).filter(round=round_)
    tubes = visible_any(Tube.objects.all(), request.user, Perm.VIEW_TESTING).filter(round=round_)
    total: Figures
    if area is None:
        total, rows = overview(round_, entry)
        result: Coverage | None = None
    else:
        result = coverage(round_, area)
        total, rows = result.total, result.children
        recalls = recalls.filter(area__path__startswith=area.path)
        tubes = tubes.filter(area__path__startswith=area.path)
    return {
        "round": round_,
        "area": area,
        "entry": entry,
        "total": total,
        "rows": rows,
        "chart": _chart(rows),
        "progress": recall_progress(recalls),
        "tubes": tube_counts(tubes),
        "can_read_registry": area is not None
        and request.user.has_area_permission(Perm.VIEW_REGISTRY, area),
        "live": round_.status == RoundStatus.OPEN,
        "refreshed_at": timezone.now(),
    }


@login_required
@require_GET
def round_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    """A round with its live coverage at the chosen area and each area below it."""
    round_ = _round(request, pk)
    context = _coverage_context(request, round_)
    user = request.user
    context.update(
        breadcrumbs=_breadcrumbs(context["area"], context["entry"]),
        scope=[scope.area for scope in round_.scope.select_related("area").order_by("area__path")],
        can_manage=can_manage_round(user, round_),
        can_plan_points=user.has_any_area_permission(Perm.MANAGE_ROUNDS),
        can_load_results=user.has_any_area_permission(Perm.LOAD_RESULTS),
        alerts=unknown_result_alerts(request),
    )
    return render(request, "testing/round_detail.html", context)


@login_required
@require_GET
def round_coverage(request: AuthedRequest, pk: int) -> HttpResponse:
    """The live part of the round's page, polled by HTMX every few seconds."""
    round_ = _round(request, pk)
    response = render(request, "testing/_coverage.html", _coverage_context(request, round_))
    response.headers["Cache-Control"] = "no-store"
    return response


# --- sampling points and door-to-door teams --------------------------------------------


def _scope_paths(round_: Round) -> list[str]:
    return [scope.area.path for scope in round_.scope.select_related("area")]


def _manageable_here(request: AuthedRequest, round_: Round) -> bool:
    return round_.status != RoundStatus.CLOSED and request.user.has_any_area_permission(
        Perm.MANAGE_ROUNDS
    )


@login_required
@require_http_methods(["GET", "POST"])
def point_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The round's sampling points in the user's areas, and a form to add one."""
    round_ = _round(request, pk)
    points = (
        SamplingPoint.objects.visible_to(request.user, Perm.VIEW_TESTING)
        .filter(round=round_)
        .select_related("area")
        .prefetch_related("staff")
        .annotate(tube_count=Count("tubes"), people=Sum("tubes__filled"))
        .order_by("number")
    )
    can_add = _manageable_here(request, round_)
    form = None
    if can_add:
        form = PointForm(request.POST or None, user=request.user, scope=_scope_paths(round_))
        if request.method == "POST" and form.is_valid():
            try:
                point = round_actions.add_sampling_point(
                    round_, _point_data(form), acting_user=actor_for(request)
                )
            except RoundError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(name)s is set up.") % {"name": point.name})
                return redirect("testing:points", pk=round_.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "testing/points.html",
        {"round": round_, "points": points, "form": form, "can_add": can_add},
    )


def _point_data(form: PointForm) -> round_actions.PointData:
    data = form.cleaned_data
    return round_actions.PointData(
        area=data["area"],
        name=data["name"],
        location=data["location"],
        desks=data["desks"],
        opens_at=data["opens_at"],
        closes_at=data["closes_at"],
        staff=list(data["staff"]),
    )


def _managed_point(request: AuthedRequest, round_: Round, point_pk: int) -> SamplingPoint:
    point: SamplingPoint = get_visible_or_404(
        SamplingPoint.objects.select_related("area", "round"),
        request.user,
        Perm.MANAGE_ROUNDS,
        pk=point_pk,
        round=round_,
    )
    return point


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request: AuthedRequest, pk: int, point_pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    point = _managed_point(request, round_, point_pk)
    if round_.status == RoundStatus.CLOSED:
        raise Http404
    initial = {
        "name": point.name,
        "area": point.area_id,
        "location": point.location,
        "desks": point.desks,
        "opens_at": timezone.localtime(point.opens_at) if point.opens_at else None,
        "closes_at": timezone.localtime(point.closes_at) if point.closes_at else None,
        "staff": [user.pk for user in point.staff.all()],
    }
    form = PointForm(
        request.POST or None, initial=initial, user=request.user, scope=_scope_paths(round_)
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_actions.update_sampling_point(
                point, _point_data(form), acting_user=actor_for(request)
            )
        except RoundError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The sampling point was saved."))
            return redirect("testing:points", pk=round_.pk)
    return render(
        request, "testing/point_form.html", {"round": round_, "point": point, "form": form}
    )


@login_required
@require_POST
def point_delete(request: AuthedRequest, pk: int, point_pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    point = _managed_point(request, round_, point_pk)
    try:
        round_actions.remove_sampling_point(point, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The sampling point was removed."))
    return redirect("testing:points", pk=round_.pk)


@login_required
@require_http_methods(["GET", "POST"])
def team_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The round's door-to-door teams in the user's areas, and a form to add one."""
    round_ = _round(request, pk)
    teams = (
        DoorToDoorTeam.objects.visible_to(request.user, Perm.VIEW_TESTING)
        .filter(round=round_)
        .select_related("area")
        .prefetch_related("members")
        .annotate(visit_count=Count("visits"))
        .order_by("name", "pk")
    )
    can_add = _manageable_here(request, round_)
    form = None
    if can_add:
        form = TeamForm(request.POST or None, user=request.user, scope=_scope_paths(round_))
        if request.method == "POST" and form.is_valid():
            try:
                team = round_actions.save_door_team(
                    round_,
                    name=form.cleaned_data["name"],
                    area=form.cleaned_data["area"],
                    members=list(form.cleaned_data["members"]),
                    acting_user=actor_for(request),
                )
            except RoundError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, _("%(name)s is set up.") % {"name": team.name})
                return redirect("testing:team", pk=round_.pk, team_pk=team.pk)
    elif request.method == "POST":
        raise Http404
    return render(
        request,
        "testing/teams.html",
        {"round": round_, "teams": teams, "form": form, "can_add": can_add},
    )


@login_required
@require_GET
def team_detail(request: AuthedRequest, pk: int, team_pk: int) -> HttpResponse:
    """A team's homes to visit: households of the bedridden and those of limited mobility,
    who in them is sampled, and the last visit's outcome."""
    round_ = _round(request, pk)
    team: DoorToDoorTeam = get_visible_or_404(
        DoorToDoorTeam.objects.select_related("area").prefetch_related("members"),
        request.user,
        Perm.VIEW_TESTING,
        pk=team_pk,
        round=round_,
    )
    homes = homes_to_visit(
        round_, team.area, Resident.objects.visible_to(request.user, Perm.VIEW_REGISTRY)
    )
    return render(
        request,
        "testing/team_detail.html",
        {
            "round": round_,
            "team": team,
            "homes": homes,
            "done": sum(1 for home in homes if home.done),
            "can_manage": round_.status != RoundStatus.CLOSED
            and request.user.has_area_permission(Perm.MANAGE_ROUNDS, team.area),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: AuthedRequest, pk: int, team_pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    team: DoorToDoorTeam = get_visible_or_404(
        DoorToDoorTeam.objects.select_related("area"),
        request.user,
        Perm.MANAGE_ROUNDS,
        pk=team_pk,
        round=round_,
    )
    if round_.status == RoundStatus.CLOSED:
        raise Http404
    initial = {
        "name": team.name,
        "area": team.area_id,
        "members": [user.pk for user in team.members.all()],
    }
    form = TeamForm(
        request.POST or None, initial=initial, user=request.user, scope=_scope_paths(round_)
    )
    if request.method == "POST" and form.is_valid():
        try:
            round_actions.save_door_team(
                round_,
                team=team,
                name=form.cleaned_data["name"],
                area=form.cleaned_data["area"],
                members=list(form.cleaned_data["members"]),
                acting_user=actor_for(request),
            )
        except RoundError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("The team was saved."))
            return redirect("testing:team", pk=round_.pk, team_pk=team.pk)
    return render(request, "testing/team_form.html", {"round": round_, "team": team, "form": form})


@login_required
@require_POST
def team_delete(request: AuthedRequest, pk: int, team_pk: int) -> HttpResponse:
    round_ = _round(request, pk)
    team: DoorToDoorTeam = get_visible_or_404(
        DoorToDoorTeam.objects.select_related("area", "round"),
        request.user,
        Perm.MANAGE_ROUNDS,
        pk=team_pk,
        round=round_,
    )
    try:
        round_actions.remove_door_team(team, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
        return redirect("testing:team", pk=round_.pk, team_pk=team.pk)
    messages.success(request, _("The team was removed."))
    return redirect("testing:teams", pk=round_.pk)


# --- the untested list and exemptions --------------------------------------------------


def _untested(request: AuthedRequest, round_: Round, grid: Area) -> QuerySet[Resident]:
    if round_.status == RoundStatus.OPEN:
        round_actions.refresh_stale_grids(round_)
    return untested_residents(
        round_, grid, Resident.objects.visible_to(request.user, Perm.VIEW_REGISTRY)
    )


@login_required
@require_GET
def untested(request: AuthedRequest, pk: int, grid_pk: int) -> HttpResponse:
    """A grid's expected residents without a sample in the round: the door-knocking list."""
    round_ = _round(request, pk)
    grid = _grid(request, round_, grid_pk)
    residents = _untested(request, round_, grid)
    page = Paginator(residents, ROWS_PER_PAGE).get_page(params.page(request.GET))
    user = request.user
    can_exempt = round_.status != RoundStatus.CLOSED and user.has_area_permission(
        Perm.RECORD_EXEMPTIONS, grid
    )
    return render(
        request,
        "testing/untested.html",
        {
            "round": round_,
            "grid": grid,
            "page": page,
            "figures": coverage(round_, grid).total,
            "can_export": user.has_area_permission(Perm.EXPORT_REGISTRY, grid),
            "can_exempt": can_exempt,
            "reasons": ExemptionReason.choices,
            "breadcrumbs": _breadcrumbs(grid, round_entry_areas(round_, user, Perm.VIEW_TESTING)),
        },
    )


def _export_untested(request: AuthedRequest, pk: int, grid_pk: int, fmt: str) -> HttpResponse:
    round_ = _round(request, pk)
    grid = _grid(request, round_, grid_pk)
    if not request.user.has_area_permission(Perm.EXPORT_REGISTRY, grid):
        raise Http404
    residents = list(_untested(request, round_, grid))
    data = exports.export_untested(round_, grid, residents, fmt=fmt, acting_user=actor_for(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    content_type = exports.XLSX if fmt == "xlsx" else exports.PDF
    return _download(data, content_type, f"{grid.name}-untested-{stamp}.{fmt}")


@login_required
@require_GET
def untested_xlsx(request: AuthedRequest, pk: int, grid_pk: int) -> HttpResponse:
    return _export_untested(request, pk, grid_pk, "xlsx")


@login_required
@require_GET
def untested_pdf(request: AuthedRequest, pk: int, grid_pk: int) -> HttpResponse:
    return _export_untested(request, pk, grid_pk, "pdf")


@login_required
@require_GET
def exemption_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """Who is excused from the round in the user's areas, why, and who recorded it.

    A list of people (and why they are excused): it needs the registry permission.
    """
    round_ = _round(request, pk)
    area = _round_area(request, round_, params.object_id(request.GET, "area"))
    exemptions = (
        Exemption.objects.visible_to(request.user, Perm.VIEW_REGISTRY)
        .filter(round=round_)
        .select_related("resident__household", "resident__grid", "recorded_by")
        .order_by("resident__grid__path", "resident__household__building", "resident__name", "pk")
    )
    if area is not None:
        exemptions = exemptions.filter(resident__grid__path__startswith=area.path)
    page = Paginator(exemptions, ROWS_PER_PAGE).get_page(params.page(request.GET))
    user = request.user
    removable = (
        {
            exemption.pk
            for exemption in page.object_list
            if user.has_area_permission(Perm.RECORD_EXEMPTIONS, exemption.resident.grid)
        }
        if round_.status != RoundStatus.CLOSED
        else set()
    )
    return render(
        request,
        "testing/exemptions.html",
        {
            "round": round_,
            "area": area,
            "page": page,
            "query": f"area={area.pk}" if area else "",
            "removable": removable,
        },
    )


@login_required
@require_POST
def exemption_add(request: AuthedRequest, pk: int) -> HttpResponse:
    """Excuse a resident from the untested list, with a reason (grid staff)."""
    round_ = _round(request, pk)
    form = ExemptionForm(request.POST)
    if not form.is_valid():
        if "resident" in form.errors:
            raise Http404
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(_next_url(request, reverse("testing:round", args=[pk])))
    resident: Resident = get_visible_or_404(
        Resident.objects.select_related("grid"),
        request.user,
        Perm.RECORD_EXEMPTIONS,
        pk=form.cleaned_data["resident"],
    )
    if not area_in_scope(round_, resident.grid):
        raise Http404
    fallback = reverse("testing:untested", args=[round_.pk, resident.grid_id])
    try:
        round_actions.record_exemption(
            round_,
            resident,
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
            acting_user=actor_for(request),
        )
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request, _("%(name)s is exempt from this round.") % {"name": resident.name}
        )
    return HttpResponseRedirect(_next_url(request, fallback))


@login_required
@require_POST
def exemption_remove(request: AuthedRequest, pk: int, exemption_pk: int) -> HttpResponse:
    """Take an exemption back: the person is expected again."""
    round_ = _round(request, pk)
    exemption: Exemption = get_visible_or_404(
        Exemption.objects.select_related("resident__grid", "round"),
        request.user,
        Perm.RECORD_EXEMPTIONS,
        pk=exemption_pk,
        round=round_,
    )
    try:
        round_actions.remove_exemption(exemption, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The exemption was removed."))
    return HttpResponseRedirect(_next_url(request, reverse("testing:exemptions", args=[round_.pk])))


# --- recall and positive cases ---------------------------------------------------------


@login_required
@require_GET
def recall_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The people to retest alone, with household, grid and grid leader; printable.

    A list of people: it needs the registry permission on their areas.
    """
    round_ = _round(request, pk)
    area = _round_area(request, round_, params.object_id(request.GET, "area"))
    status = params.choice(request.GET, "status", [*RecallStatus.values, "all"], RecallStatus.OPEN)
    recalls = Recall.objects.visible_to(request.user, Perm.VIEW_REGISTRY).filter(round=round_)
    if area is not None:
        recalls = recalls.filter(area__path__startswith=area.path)
    progress = recall_progress(recalls)
    if status in RecallStatus.values:
        recalls = recalls.filter(status=status)
    page = Paginator(recall_list(recalls), ROWS_PER_PAGE).get_page(params.page(request.GET))
    rows = recall_rows(page.object_list)
    query = "&".join(
        part for part in (f"area={area.pk}" if area else "", f"status={status}") if part
    )
    return render(
        request,
        "testing/recalls.html",
        {
            "round": round_,
            "area": area,
            "status": status,
            "statuses": [
                (RecallStatus.OPEN, _("Open")),
                (RecallStatus.CLOSED, _("Closed")),
                ("all", _("All")),
            ],
            "progress": progress,
            "page": page,
            "rows": rows,
            "query": query,
            "printed_at": timezone.now(),
        },
    )


@login_required
@require_GET
def case_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """Positive individual results of the round: the hand-over to closed-loop control."""
    round_ = _round(request, pk)
    cases = (
        PositiveCase.objects.visible_to(request.user, Perm.VIEW_REGISTRY)
        .filter(round=round_)
        .select_related("resident__household", "walk_in", "area", "tube")
        .order_by("-detected_at", "-pk")
    )
    page = Paginator(cases, ROWS_PER_PAGE).get_page(params.page(request.GET))
    leaders = grid_leaders({case.area_id for case in page.object_list})
    rows = [(case, leaders.get(case.area_id, [])) for case in page.object_list]
    return render(request, "testing/cases.html", {"round": round_, "page": page, "rows": rows})


# --- tubes and shipments ---------------------------------------------------------------


def _tube_readers(request: AuthedRequest) -> QuerySet[Tube]:
    return visible_any(Tube.objects.all(), request.user, *TUBE_READERS)


@login_required
@require_http_methods(["GET", "POST"])
def tube_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """The round's tubes by stage; sealed tubes not yet packed can go into a box."""
    round_ = _round(request, pk, *TUBE_READERS)
    status = params.choice(request.GET, "status", TubeStatus.values, "")
    query = params.text(request.GET, "q", max_length=40)
    tubes = (
        _tube_readers(request)
        .filter(round=round_)
        .select_related("area", "sampling_point", "shipment")
        .order_by("-opened_at", "-pk")
    )
    counts = tube_counts(tubes)
    if status in TubeStatus.values:
        tubes = tubes.filter(status=status)
    if query:
        tubes = tubes.filter(barcode__startswith=query)
    page = Paginator(tubes, ROWS_PER_PAGE).get_page(params.page(request.GET))
    packable = visible_any(Tube.objects.all(), request.user, *PACKERS).filter(
        round=round_, status=TubeStatus.SEALED, shipment__isnull=True
    )
    can_pack = round_.status != RoundStatus.PLANNED and any(
        request.user.has_any_area_permission(p) for p in PACKERS
    )
    packable_ids = set(packable.values_list("pk", flat=True)[:5000]) if can_pack else set()
    form = ShipmentForm(request.POST or None, tube_ids=sorted(packable_ids))
    if request.method == "POST":
        if not can_pack:
            raise Http404
        if form.is_valid():
            chosen = list(packable.filter(pk__in=form.cleaned_data["tubes"]).select_related("area"))
            try:
                shipment = shipment_actions.create_shipment(
                    round_,
                    chosen,
                    laboratory=form.cleaned_data["laboratory"],
                    box_code=form.cleaned_data["box_code"],
                    acting_user=actor_for(request),
                )
            except RoundError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("Box %(box)s is packed.") % {"box": shipment.box_code})
                return redirect("testing:shipment", shipment_pk=shipment.pk)
        else:
            messages.error(request, _("Choose sealed tubes that are not packed yet."))
    return render(
        request,
        "testing/tubes.html",
        {
            "round": round_,
            "page": page,
            "counts": counts,
            "status": status,
            "statuses": TubeStatus.choices,
            "q": query,
            "query": urlencode(
                {key: value for key, value in (("status", status), ("q", query)) if value}
            ),
            "packable_ids": packable_ids,
            "can_pack": can_pack,
            "form": form,
        },
    )


def _shipments(request: AuthedRequest) -> QuerySet[Shipment]:
    return visible_any(Shipment.objects.all(), request.user, *TUBE_READERS)


@login_required
@require_GET
def shipment_list(request: AuthedRequest, pk: int) -> HttpResponse:
    round_ = _round(request, pk, *TUBE_READERS)
    shipments = (
        _shipments(request)
        .filter(round=round_)
        .select_related("origin")
        .annotate(tube_count=Count("tubes"), people=Sum("tubes__filled"))
        .order_by("-pk")
    )
    page = Paginator(shipments, ROWS_PER_PAGE).get_page(params.page(request.GET))
    return render(request, "testing/shipments.html", {"round": round_, "page": page})


def _shipment(request: AuthedRequest, shipment_pk: int, *permissions: str) -> Shipment:
    shipments = visible_any(
        Shipment.objects.select_related("round", "origin"),
        request.user,
        *(permissions or TUBE_READERS),
    )
    try:
        shipment: Shipment = shipments.get(pk=shipment_pk)
    except Shipment.DoesNotExist as exc:
        raise Http404 from exc
    return shipment


@login_required
@require_GET
def shipment_detail(request: AuthedRequest, shipment_pk: int) -> HttpResponse:
    """A transport box: its manifest of tubes, and where it is on its way."""
    shipment = _shipment(request, shipment_pk)
    tubes = shipment.tubes.select_related("sampling_point").order_by("barcode")
    user = request.user
    return render(
        request,
        "testing/shipment_detail.html",
        {
            "shipment": shipment,
            "round": shipment.round,
            "tubes": tubes,
            "people": sum(tube.filled for tube in tubes),
            "can_ship": shipment.shipped_at is None
            and any(user.has_area_permission(p, shipment.origin) for p in PACKERS),
            "can_receive": shipment.shipped_at is not None
            and shipment.received_at is None
            and user.has_area_permission(Perm.LOAD_RESULTS, shipment.origin),
        },
    )


@login_required
@require_POST
def shipment_ship(request: AuthedRequest, shipment_pk: int) -> HttpResponse:
    shipment = _shipment(request, shipment_pk, *PACKERS)
    try:
        shipment_actions.ship(shipment, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The box is on its way to the laboratory."))
    return redirect("testing:shipment", shipment_pk=shipment.pk)


@login_required
@require_POST
def shipment_receive(request: AuthedRequest, shipment_pk: int) -> HttpResponse:
    shipment = _shipment(request, shipment_pk, Perm.LOAD_RESULTS)
    try:
        shipment_actions.receive(shipment, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The laboratory has the box."))
    return redirect("testing:shipment", shipment_pk=shipment.pk)


@login_required
@require_POST
def shipment_unpack(request: AuthedRequest, shipment_pk: int) -> HttpResponse:
    shipment = _shipment(request, shipment_pk, *PACKERS)
    round_id = shipment.round_id
    try:
        shipment_actions.unpack(shipment, acting_user=actor_for(request))
    except RoundError as exc:
        messages.error(request, str(exc))
        return redirect("testing:shipment", shipment_pk=shipment.pk)
    messages.success(request, _("The box was unpacked; its tubes wait to be packed again."))
    return redirect("testing:tubes", pk=round_id)


@login_required
@require_GET
def shipment_manifest(request: AuthedRequest, shipment_pk: int, fmt: str) -> HttpResponse:
    """The box's manifest as a PDF to print and sign, or as Excel for the laboratory."""
    if fmt not in ("pdf", "xlsx"):
        raise Http404
    shipment = _shipment(request, shipment_pk)
    tubes = list(shipment.tubes.select_related("sampling_point").order_by("barcode"))
    data = exports.export_manifest(shipment, tubes, fmt=fmt)
    content_type = exports.XLSX if fmt == "xlsx" else exports.PDF
    return _download(data, content_type, f"{shipment.box_code}.{fmt}")


# --- laboratory files ------------------------------------------------------------------


def _result_tubes(request: AuthedRequest) -> QuerySet[Tube]:
    tubes: QuerySet[Tube] = Tube.objects.visible_to(request.user, Perm.LOAD_RESULTS)
    return tubes


@login_required
@require_http_methods(["GET", "POST"])
def results_import(request: AuthedRequest) -> HttpResponse:
    """Upload the laboratory's export; nothing is stored until the person chooses."""
    if not request.user.has_any_area_permission(Perm.LOAD_RESULTS):
        raise Http404
    form = LabUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            lab_file = lab_import.read_lab_file(upload.read(), upload.name or "")
        except SpreadsheetError as exc:
            form.add_error("file", _spreadsheet_message(exc))
        else:
            if not lab_file.rows:
                form.add_error("file", _("The file has no rows below its header."))
            else:
                token = lab_import.save_pending(lab_file, request.user.pk)
                return redirect("testing:results_check", token=token)
    return render(
        request,
        "testing/results_import.html",
        {"form": form, "alerts": unknown_result_alerts(request)},
    )


# What a laboratory's sheet needs; every other reason is the reader's own (translated).
SPREADSHEET_ERRORS = {
    "no_header": _(
        "No header row found: the sheet needs a barcode column (条码, 样本编号 …) "
        "and a result column (结果, 检测结果 …)."
    ),
}


def _reason_text(code: str) -> str:
    text = result_actions.REASONS.get(code) or lab_import.ERRORS.get(code)
    return str(text) if text is not None else code


def _alarm_message(alarms: list[UnknownResult]) -> str:
    return str(
        _(
            "Alarm: %(count)d positive or invalid results name barcodes that no tube in your "
            "areas has (%(barcodes)s). They are kept as alarms on the command centre's pages "
            "until someone finds the tubes."
        )
        % {"count": len(alarms), "barcodes": ", ".join(alarm.barcode for alarm in alarms[:20])}
    )


def _spreadsheet_message(exc: SpreadsheetError) -> str:
    return str(SPREADSHEET_ERRORS.get(exc.code, exc))


@login_required
@require_http_methods(["GET", "POST"])
def results_check(request: AuthedRequest, token: str) -> HttpResponse:
    """The row-level report of an uploaded file; import its valid rows, or nothing."""
    if not request.user.has_any_area_permission(Perm.LOAD_RESULTS):
        raise Http404
    lab_file = lab_import.load_pending(token, request.user.pk)
    if lab_file is None:
        raise Http404
    if request.method == "POST":
        if params.choice(request.POST, "choice", ["import"], "") != "import":
            lab_import.discard_pending(token)
            messages.info(request, _("Nothing was imported."))
            return redirect("testing:results_import")
        report, alarms = alarm_actions.record_results_with_alarms(
            lab_file.items,
            tubes=_result_tubes(request),
            source=ResultSource.IMPORT,
            area=results_area(request.user),
            acting_user=actor_for(request),
        )
        lab_import.discard_pending(token)
        if alarms:
            messages.error(request, _alarm_message(alarms))
        messages.success(
            request,
            _(
                "%(accepted)d results imported, %(duplicates)d unchanged, %(rejected)d not "
                "imported; %(recalls)d people to recall, %(cases)d positive cases."
            )
            % {
                "accepted": report.accepted,
                "duplicates": report.duplicates,
                "rejected": report.rejected,
                "recalls": report.recalls_opened,
                "cases": report.cases_opened,
            },
        )
        return redirect("testing:results_import")
    checked = lab_import.check(lab_file, _result_tubes(request))
    problems = checked.problems
    return render(
        request,
        "testing/results_check.html",
        {
            "unknown_alarming": [
                row.row
                for row in problems
                if row.reason_code == "unknown_barcode"
                and row.row.item is not None
                and row.row.item.result in RECALL_RESULTS
            ],
            "token": token,
            "lab_file": lab_file,
            "report": checked,
            "problems": problems[:1000],
            "more_problems": max(len(problems) - 1000, 0),
            "reasons": sorted(
                ((_reason_text(code), n) for code, n in checked.by_reason().items()),
                key=lambda item: -item[1],
            ),
        },
    )


# --- the capacity planner --------------------------------------------------------------


@login_required
@require_GET
def planner_page(request: AuthedRequest) -> HttpResponse:
    """How long a round takes, what it needs, and which pool size to choose."""
    user = request.user
    if not user.has_any_area_permission(Perm.VIEW_TESTING):
        raise Http404
    initial: dict[str, Any] = {}
    source: Round | Area | None = None
    source_param = ""
    round_id = params.object_id(request.GET, "round")
    area_id = params.object_id(request.GET, "area")
    if round_id is not None:
        round_ = _round(request, round_id)
        total, _rows = overview(round_, round_entry_areas(round_, user, Perm.VIEW_TESTING))
        desks = (
            SamplingPoint.objects.visible_to(user, Perm.VIEW_TESTING)
            .filter(round=round_)
            .aggregate(n=Sum("desks"))["n"]
        )
        initial.update(population=total.expected, desks=desks or None)
        source, source_param = round_, "round"
    elif area_id is not None:
        area = get_visible_or_404(Area.objects.all(), user, Perm.VIEW_TESTING, pk=area_id)
        initial.update(population=area.subtree_totals()["residents"])
        source, source_param = area, "area"
    data = request.GET.copy()
    for key, value in initial.items():
        if value and not data.get(key):
            data[key] = str(value)
    bound = any(key in data for key in PlannerForm.base_fields)
    if bound:
        # Fields left empty show (and use) the guidance's defaults.
        for name in ("seconds_per_person", "window_hours", "prevalence_percent"):
            if not data.get(name):
                data[name] = str(PlannerForm.base_fields[name].initial)
    form = PlannerForm(data if bound else None)
    context: dict[str, Any] = {"form": form, "source": source, "source_param": source_param}
    if form.is_bound and form.is_valid() and form.cleaned_data["population"]:
        population = form.cleaned_data["population"]
        prevalence = form.cleaned_data["prevalence_percent"] / 100
        guidance = planner.plan(population, desks=1)
        desks = form.cleaned_data["desks"] or guidance.desks_range[1]
        context.update(
            plan=planner.plan(
                population,
                desks=desks,
                seconds_per_person=form.cleaned_data["seconds_per_person"],
                window_hours=form.cleaned_data["window_hours"],
            ),
            options=planner.pool_options(population, prevalence),
            best=planner.best_pool(prevalence),
            prevalence=prevalence,
        )
    elif not form.is_bound:
        form = PlannerForm(initial=initial)
        context["form"] = form
    return render(request, "testing/planner.html", context)


# --- alarms: results for barcodes no tube has ---------------------------------------------

ALARMS_SHOWN = 200


@login_required
@require_GET
def unknown_results(request: AuthedRequest) -> HttpResponse:
    """Open alarms for positive or invalid results that reached no tube, and the last ones
    closed, in the user's areas; those who load results or manage rounds close them."""
    user = request.user
    if not user.has_any_area_permission(Perm.VIEW_TESTING):
        raise Http404
    visible = UnknownResult.objects.visible_to(user, Perm.VIEW_TESTING).select_related(
        "area", "reported_by", "resolved_by"
    )
    open_alarms = list(visible.filter(resolved_at__isnull=True).order_by("-reported_at", "-pk"))
    closed = list(visible.filter(resolved_at__isnull=False).order_by("-resolved_at", "-pk")[:50])
    resolvable = {alarm.pk for alarm in open_alarms[:ALARMS_SHOWN] if _may_resolve(user, alarm)}
    return render(
        request,
        "testing/unknown_results.html",
        {
            "open_alarms": open_alarms[:ALARMS_SHOWN],
            "more": max(len(open_alarms) - ALARMS_SHOWN, 0),
            "closed": closed,
            "resolvable": resolvable,
        },
    )


def _may_resolve(user: User, alarm: UnknownResult) -> bool:
    if alarm.area is None:
        return user.is_superuser
    held = user.permissions_at(alarm.area)
    return Perm.LOAD_RESULTS in held or Perm.MANAGE_ROUNDS in held


@login_required
@require_POST
def unknown_result_resolve(request: AuthedRequest, alarm_pk: int) -> HttpResponse:
    alarm: UnknownResult = get_visible_or_404(
        UnknownResult.objects.select_related("area"), request.user, Perm.VIEW_TESTING, pk=alarm_pk
    )
    if not _may_resolve(request.user, alarm):
        raise Http404
    try:
        alarm_actions.resolve_unknown_result(
            alarm,
            note=params.text(request.POST, "note", max_length=alarm_actions.NOTE_MAX),
            acting_user=actor_for(request),
        )
    except RoundError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The alarm is closed."))
    return redirect("testing:unknown_results")
