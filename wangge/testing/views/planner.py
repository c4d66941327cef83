"""The capacity planner page."""

from typing import Any

from django.contrib.auth.decorators import login_required
from django.db.models import Sum
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from wangge.areas.models import Area
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.testing import planner
from wangge.testing.choices import RoundStatus
from wangge.testing.forms import PlannerForm
from wangge.testing.models import Round, SamplingPoint
from wangge.testing.selectors import overview, round_entry_areas
from wangge.testing.views.base import get_round


@login_required
@require_GET
def planner_page(request: AuthedRequest) -> HttpResponse:
    """How long a round takes, what it needs, and which pool size to choose."""
    user = request.user
    if not user.has_any_area_permission(Perm.VIEW_TESTING):
        raise Http404
    initial: dict[str, Any] = {}
    in_progress = False
    source: Round | Area | None = None
    source_param = ""
    round_id = params.object_id(request.GET, "round")
    area_id = params.object_id(request.GET, "area")
    if round_id is not None:
        round_ = get_round(request, round_id)
        total, _rows = overview(round_, round_entry_areas(round_, user, Perm.VIEW_TESTING))
        desks = (
            SamplingPoint.objects.visible_to(user, Perm.VIEW_TESTING)
            .filter(round=round_)
            .aggregate(n=Sum("desks"))["n"]
        )
        initial.update(population=total.expected, desks=desks or None)
        if round_.status == RoundStatus.OPEN:
            # A round in progress plans what is left: the untested, in the hours left.
            remaining = planner.hours_left(round_.ends_at, timezone.now())
            initial.update(population=total.untested, window_hours=remaining)
            in_progress = True
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
    context: dict[str, Any] = {
        "form": form,
        "source": source,
        "source_param": source_param,
        "in_progress": in_progress,
    }
    if form.is_bound and form.is_valid() and form.cleaned_data["population"]:
        population = form.cleaned_data["population"]
        prevalence = form.cleaned_data["prevalence_percent"] / 100
        pace = {
            "seconds_per_person": form.cleaned_data["seconds_per_person"],
            "window_hours": form.cleaned_data["window_hours"],
        }
        # No desks given: plan with the desks the plan itself advises.
        desks = form.cleaned_data["desks"] or max(
            planner.plan(population, desks=1, **pace).desks_needed, 1
        )
        options = planner.pool_options(population, prevalence)
        context.update(
            plan=planner.plan(population, desks=desks, **pace),
            options=options,
            best=planner.best_pool(options),
            prevalence=prevalence,
        )
    elif not form.is_bound:
        form = PlannerForm(initial=initial)
        context["form"] = form
    return render(request, "testing/planner.html", context)
