"""The inbox (each person's own) and the outbound deliveries page (administrators)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.notifications import actions, selectors

PER_PAGE = 50


@login_required
@require_GET
def inbox(request: AuthedRequest) -> HttpResponse:
    page = Paginator(selectors.inbox(request.user), PER_PAGE).get_page(params.page(request.GET))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page": page,
            "can_see_deliveries": request.user.has_any_area_permission(Perm.VIEW_AUDIT),
        },
    )


@login_required
@require_POST
def mark_read(request: AuthedRequest, pk: int) -> HttpResponse:
    note = get_object_or_404(selectors.inbox(request.user), pk=pk)
    actions.mark_read(note, acting_user=request.user, at=timezone.now())
    return redirect("notifications:inbox")


@login_required
@require_POST
def mark_all_read(request: AuthedRequest) -> HttpResponse:
    actions.mark_all_read(acting_user=request.user, at=timezone.now())
    return redirect("notifications:inbox")


@login_required
@require_GET
def deliveries(request: AuthedRequest) -> HttpResponse:
    if not request.user.has_any_area_permission(Perm.VIEW_AUDIT):
        raise PermissionDenied
    page = Paginator(selectors.outbound(request.user), PER_PAGE).get_page(params.page(request.GET))
    return render(
        request,
        "notifications/deliveries.html",
        {"page": page, "counts": selectors.outbound_counts(request.user)},
    )
