"""Sampling points and door-to-door teams of a round."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from wangge.audit.log import actor_for
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.residents.models import Resident
from wangge.testing.actions import rounds as round_actions
from wangge.testing.choices import RoundStatus
from wangge.testing.errors import RoundError
from wangge.testing.forms import PointForm, TeamForm
from wangge.testing.models import DoorToDoorTeam, Round, SamplingPoint
from wangge.testing.selectors import homes_to_visit
from wangge.testing.views.base import get_round


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
    round_ = get_round(request, pk)
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
    round_ = get_round(request, pk)
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
    round_ = get_round(request, pk)
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
    round_ = get_round(request, pk)
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
    round_ = get_round(request, pk)
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
    round_ = get_round(request, pk)
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
    round_ = get_round(request, pk)
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
