"""Recall of a round and its positive cases."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.testing.choices import RecallStatus
from wangge.testing.models import PositiveCase, Recall
from wangge.testing.selectors import RecallListing, grid_leaders, recall_progress
from wangge.testing.views.base import ROWS_PER_PAGE, get_round, get_round_area


@login_required
@require_GET
def recall_page(request: AuthedRequest, pk: int) -> HttpResponse:
    """The people to retest alone, with household, grid and grid leader; printable.

    A list of people: it needs the registry permission on their areas.
    """
    round_ = get_round(request, pk)
    area = get_round_area(request, round_, params.object_id(request.GET, "area"))
    status = params.choice(request.GET, "status", [*RecallStatus.values, "all"], RecallStatus.OPEN)
    recalls = Recall.objects.visible_to(request.user, Perm.VIEW_REGISTRY).filter(round=round_)
    if area is not None:
        recalls = recalls.filter(area__path__startswith=area.path)
    progress = recall_progress(recalls)
    listing = RecallListing(
        request.user,
        round_,
        area=area,
        status=status if status in RecallStatus.values else None,
        progress=progress,
    )
    page = Paginator(listing, ROWS_PER_PAGE).get_page(params.page(request.GET))
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
            "rows": page.object_list,
            "query": query,
            "printed_at": timezone.now(),
        },
    )


@login_required
@require_GET
def case_list(request: AuthedRequest, pk: int) -> HttpResponse:
    """Positive individual results of the round: the hand-over to closed-loop control."""
    round_ = get_round(request, pk)
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
