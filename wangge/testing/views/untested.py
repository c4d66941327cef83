"""The untested list of a grid, its exports, and exemptions (its follow-up: followups)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.residents.models import Resident
from wangge.testing import exports
from wangge.testing.actions import rounds as round_actions
from wangge.testing.choices import RoundStatus
from wangge.testing.errors import RoundError
from wangge.testing.forms import ExemptionForm
from wangge.testing.models import Exemption, Round
from wangge.testing.selectors import (
    area_in_scope,
    coverage,
    followup_progress,
    round_entry_areas,
    untested_residents,
    untested_rows,
)
from wangge.testing.views.base import (
    ROWS_PER_PAGE,
    area_breadcrumbs,
    download,
    get_grid,
    get_round,
    get_round_area,
    next_url,
)
from wangge.testing.views.followups import row_context


def _untested(request: AuthedRequest, round_: Round, grid: Area) -> QuerySet[Resident]:
    if round_.status == RoundStatus.OPEN:
        round_actions.refresh_stale_grids(round_)
    return untested_residents(
        round_, grid, Resident.objects.visible_to(request.user, Perm.VIEW_REGISTRY)
    )


@login_required
@require_GET
def untested(request: AuthedRequest, pk: int, grid_pk: int) -> HttpResponse:
    """A grid's expected residents without a sample in the round: the door-knocking list,
    what needs doing first, each with their follow-ups and a call button."""
    round_ = get_round(request, pk)
    grid = get_grid(request, round_, grid_pk)
    residents = _untested(request, round_, grid)
    page = Paginator(residents, ROWS_PER_PAGE).get_page(params.page(request.GET))
    user = request.user
    context = row_context(request, round_, grid)
    context.update(
        grid=grid,
        page=page,
        rows=untested_rows(round_, page.object_list),
        figures=coverage(round_, grid).total,
        progress=followup_progress(round_, grid).total,
        can_export=user.has_area_permission(Perm.EXPORT_REGISTRY, grid),
        breadcrumbs=area_breadcrumbs(grid, round_entry_areas(round_, user, Perm.VIEW_TESTING)),
    )
    return render(request, "testing/untested.html", context)


def _export_untested(request: AuthedRequest, pk: int, grid_pk: int, fmt: str) -> HttpResponseBase:
    round_ = get_round(request, pk)
    grid = get_grid(request, round_, grid_pk)
    if not request.user.has_area_permission(Perm.EXPORT_REGISTRY, grid):
        raise Http404
    residents = _untested(request, round_, grid)
    data = exports.export_untested(round_, grid, residents, fmt=fmt, acting_user=actor_for(request))
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    content_type = exports.XLSX if fmt == "xlsx" else exports.PDF
    # Outside the f-string: makemessages does not read inside one.
    title = _("Untested list")
    return download(data, content_type, f"{grid.name}-{title}-{stamp}.{fmt}")


@login_required
@require_GET
def untested_xlsx(request: AuthedRequest, pk: int, grid_pk: int) -> HttpResponseBase:
    return _export_untested(request, pk, grid_pk, "xlsx")


@login_required
@require_GET
def untested_pdf(request: AuthedRequest, pk: int, grid_pk: int) -> HttpResponseBase:
    return _export_untested(request, pk, grid_pk, "pdf")


@login_required
@require_GET
def exemption_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """Who is excused from the round in the user's areas, why, and who recorded it.

    A list of people (and why they are excused): it needs the registry permission.
    """
    round_ = get_round(request, pk)
    area = get_round_area(request, round_, params.object_id(request.GET, "area"))
    exemptions = (
        Exemption.objects.visible_to(request.user, Perm.VIEW_REGISTRY)
        .filter(round=round_)
        .select_related("resident__household", "resident__grid", "recorded_by")
        .order_by(
            "resident__grid__path",
            "resident__household__sort_key",
            "resident__household_id",
            "resident__name",
            "pk",
        )
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
    round_ = get_round(request, pk)
    form = ExemptionForm(request.POST)
    if not form.is_valid():
        if "resident" in form.errors:
            raise Http404
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return HttpResponseRedirect(next_url(request, reverse("testing:round", args=[pk])))
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
    return HttpResponseRedirect(next_url(request, fallback))


@login_required
@require_POST
def exemption_remove(request: AuthedRequest, pk: int, exemption_pk: int) -> HttpResponse:
    """Take an exemption back: the person is expected again."""
    round_ = get_round(request, pk)
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
    return HttpResponseRedirect(next_url(request, reverse("testing:exemptions", args=[round_.pk])))
