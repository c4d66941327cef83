"""Pages of the responsibility chains (包联): an area's chain and the gaps below it, a
household's chain with its phones, assigning, ending and handing over, an area's history,
and the duties' configuration. Every object comes through the scoping choke point."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.accounts.models import User
from wangge.areas.extensions import AreaSection
from wangge.areas.models import Area
from wangge.audit.events import AuditEvent
from wangge.audit.log import actor_for
from wangge.audit.models import AuditEntry
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, in_scope, topmost
from wangge.residents.models import Household
from wangge.workforce.actions import responsibilities as actions
from wangge.workforce.chain_forms import (
    SEARCH_MAX,
    AssignForm,
    DutyForm,
    HandOverForm,
    NewDutyForm,
    find_workers,
)
from wangge.workforce.choices import DutyLevel
from wangge.workforce.models import Duty, Responsibility, Worker
from wangge.workforce.selectors import (
    ChainCoverage,
    chain_gaps,
    chain_steps,
)

# Gaps listed per level on a page: the rest are counted, and the areas below list theirs.
GAPS_SHOWN = 100
HISTORY_PER_PAGE = 100
HOUSEHOLD_MATCHES = 30
# The worker pages offer the audited reveal of a worker's phone (a POST answering the
# number, like residents:reveal): when a URL of this name exists, the area's chain page
# offers it beside each masked phone; until then its phones stay masked.
WORKER_REVEAL_URL = "workforce:worker_reveal"


def chain_links(request: Any) -> list[NavItem]:
    """The 包联 pages in the top navigation, for those who see the workforce."""
    user = request.user
    if isinstance(user, User) and user.has_any_area_permission(Perm.VIEW_WORKFORCE):
        return [NavItem(reverse("workforce:chains"), _("Responsibilities"), group=NavGroup.PEOPLE)]
    return []


def _area(request: AuthedRequest, pk: int, permission: str = Perm.VIEW_WORKFORCE) -> Area:
    area: Area = get_visible_or_404(Area.objects.all(), request.user, permission, pk=pk)
    return area


def _breadcrumbs(request: AuthedRequest, area: Area) -> list[Area]:
    visible = request.user.scope_paths(Perm.VIEW_WORKFORCE)
    return [node for node in area.ancestors_and_self() if in_scope(visible, node.path)]


def _reveal_url(worker_pk: object) -> str:
    try:
        return reverse(WORKER_REVEAL_URL, args=[worker_pk])
    except NoReverseMatch:
        return ""


def _managed_paths(user: User) -> list[str] | None:
    return user.scope_paths(Perm.MANAGE_WORKFORCE)


@login_required
@require_GET
def chains(request: AuthedRequest) -> HttpResponse:
    """The user's own areas with the coverage of their chains; one area goes straight to it."""
    if not request.user.has_any_area_permission(Perm.VIEW_WORKFORCE):
        raise PermissionDenied
    paths = request.user.scope_paths(Perm.VIEW_WORKFORCE)
    roots = Area.objects.filter(depth=1) if paths is None else Area.objects.filter(path__in=paths)
    areas = list(roots.filter(path__in=topmost(area.path for area in roots)).order_by("path"))
    if len(areas) == 1:
        return redirect("workforce:chain_area", pk=areas[0].pk)
    coverage = chain_gaps([area.path for area in areas], timezone.now(), list_gaps=False)
    return render(request, "workforce/chains.html", {"areas": areas, "coverage": coverage})


def _gap_rows(coverage: ChainCoverage) -> list[dict[str, Any]]:
    return [
        {"level": level, "shown": level.gaps[:GAPS_SHOWN], "more": len(level.gaps) - GAPS_SHOWN}
        for level in coverage.levels
    ]


@login_required
@require_GET
def chain_area(request: AuthedRequest, pk: int) -> HttpResponse:
    """Who answers for this area and each area above it, and the gaps below it by level.
    On a grid, its households can be looked up by address to see their own chain."""
    area = _area(request, pk)
    now = timezone.now()
    finds_households = area.is_grid and request.user.has_area_permission(Perm.VIEW_REGISTRY, area)
    found = _household_matches(request, area) if finds_households else {}
    if request.headers.get("HX-Request") == "true" and "q" in request.GET:
        if not finds_households:
            raise Http404
        return render(request, "workforce/_household_matches.html", found)
    view = chain_steps(area, now)
    coverage = chain_gaps([area.path], now)
    manages = _managed_paths(request.user)
    if request.user.has_any_area_permission(Perm.REVEAL_PERSONAL):
        for step in view.steps:
            for held in step.holders:
                held.reveal_url = _reveal_url(held.worker_id)  # type: ignore[attr-defined]
    return render(
        request,
        "workforce/chain_area.html",
        {
            "area": area,
            "breadcrumbs": _breadcrumbs(request, area),
            "steps": view.steps,
            "coverage": coverage,
            "gap_rows": _gap_rows(coverage),
            "manages": {step.area.pk for step in view.steps if in_scope(manages, step.area.path)},
            "can_assign": in_scope(manages, area.path),
            "finds_households": finds_households,
            "household_level": DutyLevel.HOUSEHOLD,
            **found,
        },
    )


def _household_matches(request: AuthedRequest, area: Area) -> dict[str, Any]:
    """The households of a grid whose address, building or room matches `?q=`."""
    query = params.text(request.GET, "q", max_length=SEARCH_MAX)
    matches: list[Household] = []
    if query:
        found = Household.objects.filter(grid=area)
        found = (
            found.filter(address__icontains=query)
            | found.filter(building=query)
            | found.filter(room__startswith=query)
        )
        matches = list(found.order_by("sort_key", "pk")[:HOUSEHOLD_MATCHES])
    return {"query": query, "matches": matches}


@login_required
@require_GET
def chain_household(request: AuthedRequest, pk: int) -> HttpResponse:
    """A household's chain: its representative, then its grid up to the district."""
    household = get_visible_or_404(
        Household.objects.select_related("grid"), request.user, Perm.VIEW_REGISTRY, pk=pk
    )
    if not request.user.has_area_permission(Perm.VIEW_WORKFORCE, household.grid):
        raise Http404
    view = chain_steps(household.grid, timezone.now(), household)
    return render(
        request,
        "workforce/chain_household.html",
        {
            "household": household,
            "area": household.grid,
            "breadcrumbs": _breadcrumbs(request, household.grid),
            "view": view,
            "can_reveal": request.user.has_area_permission(Perm.REVEAL_PERSONAL, household.grid),
            "can_assign": request.user.has_area_permission(Perm.MANAGE_WORKFORCE, household.grid),
        },
    )


@login_required
@require_POST
def chain_household_phones(request: AuthedRequest, pk: int) -> HttpResponse:
    """The full phones of a household's chain (audited), swapped into its page."""
    household = get_visible_or_404(
        Household.objects.select_related("grid"), request.user, Perm.REVEAL_PERSONAL, pk=pk
    )
    if not request.user.has_area_permission(Perm.VIEW_WORKFORCE, household.grid):
        raise Http404
    now = timezone.now()
    phones = actions.reveal_chain_phones(household, at=now, acting_user=actor_for(request))
    view = chain_steps(household.grid, now, household)
    for held in [*view.own, *(held for step in view.steps for held in step.holders)]:
        held.revealed_phone = phones.get(held.pk, "")  # type: ignore[attr-defined]
    response = render(
        request,
        "workforce/chain_household.html",
        {
            "household": household,
            "area": household.grid,
            "breadcrumbs": _breadcrumbs(request, household.grid),
            "view": view,
            "phones": bool(phones),
            "can_assign": request.user.has_area_permission(Perm.MANAGE_WORKFORCE, household.grid),
        },
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _worker_options(request: AuthedRequest, area: Area) -> dict[str, Any]:
    query = params.text(request.GET, "q", max_length=SEARCH_MAX)
    return {"query": query, "workers": find_workers(request.user, query, area)}


def _chosen_worker(request: AuthedRequest, worker_id: object) -> Worker:
    worker: Worker = get_visible_or_404(
        Worker.objects.select_related("area"), request.user, Perm.VIEW_WORKFORCE, pk=worker_id
    )
    return worker


@login_required
@require_http_methods(["GET", "POST"])
def assign(request: AuthedRequest, pk: int) -> HttpResponse:
    """Give a worker, found by a search, a duty of this area's level from a day."""
    area = _area(request, pk, Perm.MANAGE_WORKFORCE)
    if request.method == "GET" and request.headers.get("HX-Request") == "true":
        return render(request, "workforce/_worker_options.html", _worker_options(request, area))
    initial: dict[str, Any] = {}
    duty_id = params.object_id(request.GET, "duty")
    household_id = params.object_id(request.GET, "household")
    if duty_id:
        initial["duty"] = duty_id
    if household_id:
        initial["household"] = household_id
    form = AssignForm(request.POST or None, area=area, initial=initial)
    if request.method == "POST" and form.is_valid():
        worker = _chosen_worker(request, form.cleaned_data["worker"])
        try:
            actions.assign_responsibility(
                worker,
                form.cleaned_data["duty"],
                area,
                household=form.cleaned_data.get("household"),
                started_at=form.started_at(),
                acting_user=actor_for(request),
            )
        except actions.ResponsibilityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(worker)s now answers for %(area)s.") % {"worker": worker, "area": area},
            )
            return redirect("workforce:chain_area", pk=area.pk)
    return render(
        request,
        "workforce/chain_assign.html",
        {
            "area": area,
            "breadcrumbs": _breadcrumbs(request, area),
            "form": form,
            **_worker_options(request, area),
        },
    )


def _held(request: AuthedRequest, pk: int) -> Responsibility:
    held: Responsibility = get_visible_or_404(
        Responsibility.objects.select_related("worker", "duty", "area", "household"),
        request.user,
        Perm.MANAGE_WORKFORCE,
        pk=pk,
    )
    return held


@login_required
@require_POST
def end(request: AuthedRequest, pk: int) -> HttpResponse:
    """End a responsibility now; it stays in the area's history."""
    held = _held(request, pk)
    try:
        actions.end_responsibility(held, acting_user=actor_for(request))
    except actions.ResponsibilityError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("%(worker)s no longer answers for %(area)s.")
            % {"worker": held.worker, "area": held.area},
        )
    return redirect("workforce:chain_area", pk=held.area_id)


@login_required
@require_http_methods(["GET", "POST"])
def hand_over(request: AuthedRequest, pk: int) -> HttpResponse:
    """Hand a responsibility to someone else: one ends as the other starts."""
    held = _held(request, pk)
    if held.ended_at is not None:
        raise Http404
    if request.method == "GET" and request.headers.get("HX-Request") == "true":
        return render(
            request, "workforce/_worker_options.html", _worker_options(request, held.area)
        )
    form = HandOverForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        successor = _chosen_worker(request, form.cleaned_data["worker"])
        try:
            actions.hand_over_responsibility(held, successor, acting_user=actor_for(request))
        except actions.ResponsibilityError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(worker)s now answers for %(area)s.")
                % {"worker": successor, "area": held.area},
            )
            return redirect("workforce:chain_area", pk=held.area_id)
    return render(
        request,
        "workforce/chain_hand_over.html",
        {
            "held": held,
            "area": held.area,
            "breadcrumbs": _breadcrumbs(request, held.area),
            "form": form,
            **_worker_options(request, held.area),
        },
    )


@login_required
@require_GET
def history(request: AuthedRequest, pk: int) -> HttpResponse:
    """Every responsibility the area has had, ended ones included, with who assigned and
    who ended each (from the audit log: one query for the page)."""
    area = _area(request, pk)
    rows = (
        Responsibility.objects.filter(area=area)
        .select_related("worker", "duty", "household")
        .order_by("-started_at", "-pk")
    )
    page = Paginator(rows, HISTORY_PER_PAGE).get_page(params.page(request.GET))
    ids = [str(held.pk) for held in page.object_list]
    who: dict[tuple[str, str], str] = {}
    for object_id, action, actor in (
        AuditEntry.objects.filter(
            object_type=Responsibility._meta.label_lower,
            object_id__in=ids,
            action__in=[AuditEvent.RESPONSIBILITY_ASSIGN, AuditEvent.RESPONSIBILITY_END],
        )
        .order_by("id")
        .values_list("object_id", "action", "actor_name")
    ):
        who[(object_id, action)] = actor
    for held in page.object_list:
        held.assigned_by = who.get((str(held.pk), AuditEvent.RESPONSIBILITY_ASSIGN), "")  # type: ignore[attr-defined]
        held.ended_by = who.get((str(held.pk), AuditEvent.RESPONSIBILITY_END), "")  # type: ignore[attr-defined]
    return render(
        request,
        "workforce/chain_history.html",
        {"area": area, "breadcrumbs": _breadcrumbs(request, area), "page": page},
    )


@login_required
@require_http_methods(["GET", "POST"])
def duties(request: AuthedRequest) -> HttpResponse:
    """The duties ("六包") each level must cover: names, required or not, order; add one.
    A POST naming `duty` edits it, one without adds a duty."""
    if not request.user.has_any_area_permission(Perm.MANAGE_AREAS):
        raise PermissionDenied
    all_duties = list(Duty.objects.order_by("level", "order", "code"))
    new_form = NewDutyForm(prefix="new")
    edited: Duty | None = None
    edit_form: DutyForm | None = None
    if request.method == "POST":
        if "duty" in request.POST:
            duty_id = params.posted_id(request.POST, "duty")
            edited = next((duty for duty in all_duties if duty.pk == duty_id), None)
            if edited is None:
                raise Http404
            edit_form = DutyForm(request.POST)
            if edit_form.is_valid():
                data = actions.DutyData(**edit_form.cleaned_data)
                try:
                    actions.update_duty(edited, data, acting_user=actor_for(request))
                except actions.ResponsibilityError as exc:
                    edit_form.add_error(None, str(exc))
                else:
                    messages.success(request, _("The duty was saved."))
                    return redirect("workforce:duties")
        else:
            new_form = NewDutyForm(request.POST, prefix="new")
            if new_form.is_valid():
                cleaned = dict(new_form.cleaned_data)
                code, level = cleaned.pop("code"), cleaned.pop("level")
                try:
                    actions.add_duty(
                        code, level, actions.DutyData(**cleaned), acting_user=actor_for(request)
                    )
                except actions.ResponsibilityError as exc:
                    new_form.add_error(None, str(exc))
                else:
                    messages.success(request, _("The duty was added."))
                    return redirect("workforce:duties")
    rows = []
    for duty in all_duties:
        form = (
            edit_form
            if edited is not None and duty.pk == edited.pk and edit_form is not None
            else DutyForm(
                initial={
                    "name": duty.name,
                    "name_en": duty.name_en,
                    "required": duty.required,
                    "order": duty.order,
                }
            )
        )
        rows.append({"duty": duty, "form": form})
    return render(request, "workforce/duties.html", {"rows": rows, "new_form": new_form})


# On an area's page (areas/extensions.py)


def area_chain_section(request: AuthedRequest, area: Area) -> list[AreaSection]:
    """The area's own holders and the gaps below it, with a link to its chain page."""
    if not request.user.has_area_permission(Perm.VIEW_WORKFORCE, area):
        return []
    now = timezone.now()
    holders = list(
        Responsibility.objects.active_at(now)
        .filter(area=area, household__isnull=True)
        .select_related("worker", "duty")
        .order_by("duty__order", "duty__code", "started_at")
    )
    coverage = chain_gaps([area.path], now, list_gaps=False)
    return [
        AreaSection(
            "workforce/_area_chain_section.html",
            {"area": area, "holders": holders, "coverage": coverage},
        )
    ]
