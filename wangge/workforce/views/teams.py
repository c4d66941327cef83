"""Pages of the teams: the list, a team with its members, setting one up, changing it,
and choosing its members and leader among the workers the user manages.

Members are never chosen from a flat list of thousands: the team page offers the workers
based in the team's area (a page of them) and a search by name among all the workers the
user manages (HTMX, `team_candidates`).
"""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, subtree_q
from wangge.workforce.actions import teams as actions
from wangge.workforce.choices import TeamKind
from wangge.workforce.errors import WorkforceError
from wangge.workforce.forms import TeamForm
from wangge.workforce.models import Team, TeamMembership, Worker

PER_PAGE = 50
CANDIDATES = 20
SEARCH_MAX = 50


def _team(request: AuthedRequest, pk: int, permission: str) -> Team:
    team: Team = get_visible_or_404(
        Team.objects.select_related("area", "leader"), request.user, permission, pk=pk
    )
    return team


@login_required
@require_GET
def team_list(request: AuthedRequest) -> HttpResponse:
    """The teams in the user's areas, with their size and leader, a page at a time."""
    if not request.user.has_any_area_permission(Perm.VIEW_WORKFORCE):
        raise Http404
    teams = (
        Team.objects.visible_to(request.user, Perm.VIEW_WORKFORCE)
        .select_related("area", "leader")
        .annotate(size=Count("memberships"))
        .order_by("area__path", "name")
    )
    kind = params.choice(request.GET, "kind", TeamKind.values, "")
    if kind:
        teams = teams.filter(kind=kind)
    page = Paginator(teams, PER_PAGE).get_page(params.page(request.GET))
    return render(
        request,
        "workforce/team_list.html",
        {
            "page": page,
            "kind": kind,
            "kinds": TeamKind.choices,
            "query": f"kind={kind}" if kind else "",
            "can_manage": request.user.has_any_area_permission(Perm.MANAGE_WORKFORCE),
        },
    )


def _members(request: AuthedRequest, team: Team) -> list[TeamMembership]:
    return list(
        team.memberships.filter(
            worker__in=Worker.objects.visible_to(request.user, Perm.VIEW_WORKFORCE)
        )
        .select_related("worker", "worker__area")
        .order_by("worker__name", "worker_id")
    )


@login_required
@require_GET
def team_detail(request: AuthedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, Perm.VIEW_WORKFORCE)
    can_manage = request.user.has_area_permission(Perm.MANAGE_WORKFORCE, team.area)
    members = _members(request, team)
    nearby = None
    if can_manage:
        member_ids = [m.worker_id for m in members]
        workers = (
            Worker.objects.visible_to(request.user, Perm.MANAGE_WORKFORCE)
            .filter(subtree_q([team.area.path], "area__path"), active=True)
            .exclude(pk__in=member_ids)
            .select_related("area")
            .order_by("area__path", "name", "id")
        )
        nearby = Paginator(workers, PER_PAGE).get_page(params.page(request.GET))
    return render(
        request,
        "workforce/team_detail.html",
        {
            "team": team,
            "members": members,
            "nearby": nearby,
            "can_manage": can_manage,
            "breadcrumbs": team.area.ancestors_and_self(),
        },
    )


@login_required
@require_GET
def team_candidates(request: AuthedRequest, pk: int) -> HttpResponse:
    """Workers the user manages whose name starts with or contains the query, to add."""
    team = _team(request, pk, Perm.MANAGE_WORKFORCE)
    query = params.text(request.GET, "q", max_length=SEARCH_MAX)
    found: list[Worker] = []
    if query:
        found = list(
            Worker.objects.visible_to(request.user, Perm.MANAGE_WORKFORCE)
            .filter(name__contains=query, active=True)
            .exclude(memberships__team=team)
            .select_related("area")
            .order_by("name", "id")[:CANDIDATES]
        )
    return render(
        request, "workforce/_team_candidates.html", {"team": team, "found": found, "query": query}
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_any_area_permission(Perm.MANAGE_WORKFORCE):
        raise Http404
    data = request.POST if request.method == "POST" else None
    form = TeamForm(data, user=request.user)
    initial_area = params.object_id(request.GET, "area")
    if data is None and initial_area is not None:
        form.initial["area"] = [initial_area]
    if request.method == "POST" and form.is_valid() and form.team_data is not None:
        try:
            team = actions.create_team(form.team_data, acting_user=actor_for(request))
        except WorkforceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("%(name)s is set up.") % {"name": team.name})
            return redirect("workforce:team", pk=team.pk)
    return render(
        request,
        "workforce/team_form.html",
        {"form": form, "title": _("Set up a team"), "cancel_url": reverse("workforce:teams")},
    )


@login_required
@require_http_methods(["GET", "POST"])
def team_edit(request: AuthedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, Perm.MANAGE_WORKFORCE)
    form = TeamForm(request.POST or None, user=request.user, team=team)
    if request.method == "POST" and form.is_valid() and form.team_data is not None:
        try:
            actions.update_team(team, form.team_data, acting_user=actor_for(request))
        except WorkforceError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("The team was saved."))
            return redirect("workforce:team", pk=team.pk)
    return render(
        request,
        "workforce/team_form.html",
        {
            "form": form,
            "team": team,
            "title": team.name,
            "breadcrumbs": team.area.ancestors_and_self(),
            "cancel_url": reverse("workforce:team", args=[team.pk]),
        },
    )


def _posted_worker(request: AuthedRequest) -> Worker | None:
    """The worker a form names, among those the user manages (None when none is named)."""
    raw = params.raw(request.POST, "worker")
    if not raw:
        return None
    try:
        worker_id = uuid.UUID(raw)
    except ValueError as exc:
        raise Http404 from exc
    worker: Worker = get_visible_or_404(
        Worker.objects.select_related("area"), request.user, Perm.MANAGE_WORKFORCE, pk=worker_id
    )
    return worker


def _back(team: Team) -> HttpResponse:
    return redirect("workforce:team", pk=team.pk)


@login_required
@require_POST
def team_member_add(request: AuthedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, Perm.MANAGE_WORKFORCE)
    worker = _posted_worker(request)
    if worker is None:
        raise Http404
    try:
        added = actions.add_member(team, worker, acting_user=actor_for(request))
    except WorkforceError as exc:
        messages.error(request, exc.message)
    else:
        if added:
            messages.success(request, _("%(name)s joined the team.") % {"name": worker.name})
    return _back(team)


@login_required
@require_POST
def team_member_remove(request: AuthedRequest, pk: int) -> HttpResponse:
    team = _team(request, pk, Perm.MANAGE_WORKFORCE)
    worker = _posted_worker(request)
    if worker is None:
        raise Http404
    if actions.remove_member(team, worker, acting_user=actor_for(request)):
        messages.success(request, _("%(name)s left the team.") % {"name": worker.name})
    return _back(team)


@login_required
@require_POST
def team_leader(request: AuthedRequest, pk: int) -> HttpResponse:
    """Make a member (or a worker who then joins) the leader, or leave the team without."""
    team = _team(request, pk, Perm.MANAGE_WORKFORCE)
    worker = _posted_worker(request)
    try:
        actions.set_leader(team, worker, acting_user=actor_for(request))
    except WorkforceError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The team's leader was saved."))
    return _back(team)
