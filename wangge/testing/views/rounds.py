"""Round pages: list, create, edit, open, close, detail and live coverage."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import overlap
from wangge.risk.selectors import settings_with_consequences
from wangge.testing.actions import rounds as round_actions
from wangge.testing.choices import RoundStatus
from wangge.testing.errors import RoundError
from wangge.testing.forms import RoundForm
from wangge.testing.models import Recall, Round, Tube
from wangge.testing.selectors import (
    Coverage,
    Figures,
    can_manage_round,
    coverage,
    overview,
    recall_progress,
    round_entry_areas,
    tube_counts,
    visible_any,
)
from wangge.testing.views.base import area_breadcrumbs, get_managed_round, get_round, get_round_area
from wangge.testing.views.navigation import unknown_result_alerts

ROUNDS_PER_PAGE = 30


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
    round_ = get_managed_round(request, pk)
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
    round_ = get_managed_round(request, pk)
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
    round_ = get_managed_round(request, pk)
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
    area = get_round_area(request, round_, params.object_id(request.GET, "area"))
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
    round_ = get_round(request, pk)
    context = _coverage_context(request, round_)
    user = request.user
    scope = [scope.area for scope in round_.scope.select_related("area").order_by("area__path")]
    context.update(
        breadcrumbs=area_breadcrumbs(context["area"], context["entry"]),
        scope=scope,
        can_manage=can_manage_round(user, round_),
        can_plan_points=user.has_any_area_permission(Perm.MANAGE_ROUNDS),
        can_load_results=user.has_any_area_permission(Perm.LOAD_RESULTS),
        alerts=unknown_result_alerts(request),
        # The risk levels in the round's scope (as far as the viewer sees it): the pool
        # size their stations use and the homes sampled door to door.
        risk_areas=settings_with_consequences(
            overlap([area.path for area in scope], user.scope_paths(Perm.VIEW_TESTING)),
            round_.pool_size,
        ),
    )
    return render(request, "testing/round_detail.html", context)


@login_required
@require_GET
def round_coverage(request: AuthedRequest, pk: int) -> HttpResponse:
    """The live part of the round's page, polled by HTMX every few seconds."""
    round_ = get_round(request, pk)
    response = render(request, "testing/_coverage.html", _coverage_context(request, round_))
    response.headers["Cache-Control"] = "no-store"
    return response
