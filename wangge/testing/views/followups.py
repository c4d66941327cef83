"""Following up the untested (催检): record how an attempt went, and the progress of a grid
and of each area below a community."""

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.residents.models import Resident
from wangge.testing.actions import followups as followup_actions
from wangge.testing.choices import ExemptionReason, FollowUpOutcome, RoundStatus
from wangge.testing.errors import RoundError
from wangge.testing.forms import FollowUpForm
from wangge.testing.models import Round
from wangge.testing.selectors import (
    area_in_scope,
    followup_progress,
    round_entry_areas,
    untested_rows,
)
from wangge.testing.views.base import area_breadcrumbs, get_round, get_round_area, next_url


def row_context(request: AuthedRequest, round_: Round, grid: Area) -> dict[str, Any]:
    """What each row of a grid's untested list offers the user (call, record, exempt)."""
    user = request.user
    open_round = round_.status != RoundStatus.CLOSED
    return {
        "round": round_,
        "can_call": user.has_area_permission(Perm.CONTACT_RESIDENTS, grid),
        "can_record": open_round and user.has_area_permission(Perm.CONTACT_RESIDENTS, grid),
        "can_exempt": open_round and user.has_area_permission(Perm.RECORD_EXEMPTIONS, grid),
        "outcomes": FollowUpOutcome.choices,
        "reasons": ExemptionReason.choices,
        "list_url": reverse("testing:untested", args=[round_.pk, grid.pk]),
    }


@login_required
@require_POST
def followup_record(request: AuthedRequest, pk: int, resident_pk: int) -> HttpResponse:
    """Record how an attempt to reach an untested person went. From the list's inline form
    (HTMX) the answer is the person's row again and the grid's progress; without
    JavaScript, back to the list."""
    round_ = get_round(request, pk)
    resident: Resident = get_visible_or_404(
        Resident.objects.select_related("grid", "household"),
        request.user,
        Perm.CONTACT_RESIDENTS,
        pk=resident_pk,
    )
    grid = resident.grid
    if not area_in_scope(round_, grid):
        raise Http404
    form = FollowUpForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            followup_actions.record_followup(
                round_,
                resident,
                outcome=form.cleaned_data["outcome"],
                come_at=form.come_at_moment(),
                note=form.cleaned_data["note"],
                acting_user=actor_for(request),
            )
        except RoundError as exc:
            error = str(exc)
    else:
        error = " ".join(str(e) for errors in form.errors.values() for e in errors)
    if request.headers.get("HX-Request") != "true":
        if error:
            messages.error(request, error)
        return HttpResponseRedirect(
            next_url(request, reverse("testing:untested", args=[round_.pk, grid.pk]))
        )
    context = row_context(request, round_, grid)
    context.update(
        row=untested_rows(round_, [resident])[0],
        error=error,
        progress=followup_progress(round_, grid).total,
        oob=True,
    )
    return render(request, "testing/_followup_answer.html", context)


@login_required
@require_GET
def followup_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """How far the follow-up of the untested has come in an area, and in each area below
    it, worst first: a community sees its grids, a grid leader their grid."""
    round_ = get_round(request, pk)
    entry = round_entry_areas(round_, request.user, Perm.VIEW_TESTING)
    if not entry:
        raise Http404
    area = get_round_area(request, round_, params.object_id(request.GET, "area"))
    if area is None:
        area = entry[0]
    progress = followup_progress(round_, area)
    user = request.user
    return render(
        request,
        "testing/followups.html",
        {
            "round": round_,
            "area": area,
            "entry": entry,
            "total": progress.total,
            "rows": progress.children,
            "breadcrumbs": area_breadcrumbs(area, entry),
            "can_list": area.is_grid and user.has_area_permission(Perm.VIEW_REGISTRY, area),
            "listable": {
                row.area.pk
                for row in progress.children
                if row.area.is_grid and user.has_area_permission(Perm.VIEW_REGISTRY, row.area)
            },
        },
    )
