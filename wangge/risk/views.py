"""The risk pages: the areas not at normal, an area's level with its history and the form
that changes it, the policies of the levels. Every area is fetched through
`get_visible_or_404` with the permission the page needs (VIEW_AREAS to see a level,
SET_RISK_LEVELS to change one); out of scope is 404."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import ancestor_paths, get_visible_or_404, in_scope
from wangge.risk import actions, downgrade, selectors
from wangge.risk.choices import RiskLevel
from wangge.risk.forms import InheritForm, PolicyForm, SetLevelForm
from wangge.risk.models import RiskPolicy

MAX_ROWS = 500


def _trails(areas: list[Area]) -> dict[int, list[str]]:
    """The names of the areas above each of these, top first (one query)."""
    above = {p for area in areas for p in ancestor_paths(area.path)[:-1]}
    names = dict(Area.objects.filter(path__in=above).values_list("path", "name"))
    return {
        area.pk: [names[p] for p in ancestor_paths(area.path)[:-1] if p in names] for area in areas
    }


@login_required
@require_GET
def level_list(request: AuthedRequest) -> HttpResponse:
    """The areas not at normal in my areas and above them, strictest first (filter by level)."""
    user = request.user
    if not user.has_any_area_permission(Perm.VIEW_AREAS):
        raise PermissionDenied
    level = params.choice(request.GET, "level", RiskLevel.values, "")
    paths = user.scope_paths(Perm.VIEW_AREAS)
    settings = selectors.current_settings(paths, level)
    shown = settings[:MAX_ROWS]
    trails = _trails([s.area for s in shown])
    set_paths = user.scope_paths(Perm.SET_RISK_LEVELS)
    may_set = [s for s in shown if in_scope(set_paths, s.area.path)]
    suggested = {s.setting.pk: s for s in downgrade.suggestions(may_set)}
    rows = [
        {
            "setting": s,
            "trail": trails.get(s.area_id, []),
            "mine": in_scope(paths, s.area.path),
            "suggestion": suggested.get(s.pk),
        }
        for s in shown
    ]
    counts = selectors.counts_by_level(paths)
    context = {
        "rows": rows,
        "level": level,
        "levels": [
            (value, label, counts.get(value, 0))
            for value, label in reversed(RiskLevel.choices)
            if value != RiskLevel.NORMAL
        ],
        "not_listed": max(0, len(settings) - MAX_ROWS),
    }
    return render(request, "risk/list.html", context)


def _with_from(history: list[Any]) -> list[tuple[Any, Any]]:
    """Each setting (newest first) with the level it replaced: the setting before it when
    that one ended then, else the level of the areas above ("inherited")."""
    rows = []
    for index, setting in enumerate(history):
        older = history[index + 1] if index + 1 < len(history) else None
        if older is not None and older.ended_at == setting.set_at:
            rows.append((setting, older.get_level_display()))
        else:
            rows.append((setting, _("as the areas above")))
    return rows


def area_context(request: AuthedRequest, area: Area) -> dict[str, Any]:
    user = request.user
    view = selectors.area_level_view(area)
    effective = view.effective
    own = effective.setting if effective.setting and effective.setting.area_id == area.pk else None
    can_set = user.has_area_permission(Perm.SET_RISK_LEVELS, area)
    found = downgrade.suggestions([own]) if own and can_set else []
    return {
        "area": area,
        "effective": effective,
        "level_label": RiskLevel(effective.level).label,
        "own": own,
        "history": _with_from(view.history),
        "above": view.above,
        "can_set": can_set,
        "suggestion": found[0] if found else None,
        "tone": TONES[effective.level],
    }


TONES: dict[str, str] = {
    RiskLevel.LOCKDOWN: "alarm",
    RiskLevel.CONTROL: "warn",
    RiskLevel.PREVENTION: "notice",
    RiskLevel.NORMAL: "calm",
}


def _render_area(
    request: AuthedRequest,
    area: Area,
    set_form: SetLevelForm | None = None,
    inherit_form: InheritForm | None = None,
    status: int = 200,
) -> HttpResponse:
    context = area_context(request, area)
    # The page draws the same pieces as the area page's section, which reads `section`.
    context["self_section"] = dict(context)
    if context["can_set"]:
        initial_level = None
        if context["suggestion"] is not None:
            initial_level = context["suggestion"].to_level
        context["set_form"] = set_form or SetLevelForm(
            initial={"level": initial_level} if initial_level else None
        )
        context["inherit_form"] = inherit_form or InheritForm()
    return render(request, "risk/area.html", context, status=status)


@login_required
@require_GET
def area_level(request: AuthedRequest, pk: int) -> HttpResponse:
    """An area's level: where it comes from, since when, its history, and the form."""
    area = get_visible_or_404(Area.objects.all(), request.user, Perm.VIEW_AREAS, pk=pk)
    return _render_area(request, area)


@login_required
@require_POST
def set_level(request: AuthedRequest, pk: int) -> HttpResponse:
    area = get_visible_or_404(Area.objects.all(), request.user, Perm.SET_RISK_LEVELS, pk=pk)
    form = SetLevelForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.set_risk_level(
                area, data["level"], data["reason"], at=data["at"], acting_user=actor_for(request)
            )
        except actions.RiskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(area)s is now: %(level)s.")
                % {"area": area.name, "level": RiskLevel(data["level"]).label},
            )
            return redirect("risk:area", pk=area.pk)
    return _render_area(request, area, set_form=form, status=400)


@login_required
@require_POST
def inherit(request: AuthedRequest, pk: int) -> HttpResponse:
    area = get_visible_or_404(Area.objects.all(), request.user, Perm.SET_RISK_LEVELS, pk=pk)
    form = InheritForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.inherit_risk_level(
                area, data["reason"], at=data["at"], acting_user=actor_for(request)
            )
        except actions.RiskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                _("%(area)s takes the level of the areas above it again.") % {"area": area.name},
            )
            return redirect("risk:area", pk=area.pk)
    return _render_area(request, area, inherit_form=form, status=400)


def _policy_forms(
    bound: RiskPolicy | None = None, form: PolicyForm | None = None, *, editable: bool = True
) -> list[Any]:
    """Each level's policy as a form; read-only (disabled fields) for those who only read."""
    rows = []
    for policy in sorted(
        RiskPolicy.objects.select_related("updated_by"),
        key=lambda p: -list(RiskLevel.values).index(p.level),
    ):
        if bound is not None and policy.pk == bound.pk and form is not None:
            shown = form
        else:
            shown = PolicyForm(
                initial={
                    "pool_size": policy.pool_size,
                    "door_to_door": policy.door_to_door,
                    "downgrade_after_days": policy.downgrade_after_days,
                    "downgrade_after_rounds": policy.downgrade_after_rounds,
                },
                prefix=policy.level,
            )
            for field in shown.fields.values():
                field.disabled = not editable
        rows.append(
            {
                "policy": policy,
                "label": RiskLevel(policy.level).label,
                "tone": TONES[policy.level],
                "form": shown,
            }
        )
    return rows


def _require_setter(request: AuthedRequest) -> None:
    if not request.user.has_any_area_permission(Perm.SET_RISK_LEVELS):
        raise PermissionDenied


@login_required
@require_GET
def policy_list(request: AuthedRequest) -> HttpResponse:
    """What each level means: pool size of new rounds, door to door, downgrade criteria.
    Everyone who sees areas may read it (those who enforce a level need its rules); those
    who set levels may change it."""
    if not request.user.has_any_area_permission(Perm.VIEW_AREAS):
        raise PermissionDenied
    editable = request.user.has_any_area_permission(Perm.SET_RISK_LEVELS)
    return render(
        request,
        "risk/policies.html",
        {"rows": _policy_forms(editable=editable), "editable": editable},
    )


@login_required
@require_POST
def policy_edit(request: AuthedRequest) -> HttpResponse:
    """Save one level's policy (the level travels in the form: the policies name no area)."""
    _require_setter(request)
    level = params.choice(request.POST, "level", RiskLevel.values, "")
    if not level:
        raise Http404
    policy = get_object_or_404(RiskPolicy, level=level)
    form = PolicyForm(request.POST, prefix=level)
    if form.is_valid():
        data = form.cleaned_data
        try:
            actions.update_policy(
                policy,
                pool_size=data["pool_size"],
                door_to_door=data["door_to_door"],
                downgrade_after_days=data["downgrade_after_days"],
                downgrade_after_rounds=data["downgrade_after_rounds"],
                acting_user=actor_for(request),
            )
        except actions.RiskError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request, _("The policy of %(level)s was saved.") % {"level": RiskLevel(level).label}
            )
            return redirect("risk:policies")
    return render(
        request,
        "risk/policies.html",
        {"rows": _policy_forms(policy, form), "editable": True},
        status=400,
    )
