"""The daily analysis's own pages (the dashboard is elsewhere): make a day's figures on
demand, and every version of an area's day with what changed between them. Areas are
fetched through `get_visible_or_404` with the permission the page needs; out of scope is
404."""

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.snapshots import actions
from wangge.snapshots.models import RunTrigger
from wangge.snapshots.versions import version_rows

NEXT_MAX = 500


def _next_url(request: AuthedRequest, fallback: str) -> str:
    target = params.text(request.POST, "next", max_length=NEXT_MAX)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


@login_required
@require_POST
def make(request: AuthedRequest) -> HttpResponse:
    """Make an area's figures of a day again (a new version), on demand."""
    area = get_visible_or_404(
        Area.objects.exclude(kind=AreaKind.BUILDING),
        request.user,
        Perm.MAKE_SNAPSHOTS,
        pk=params.posted_id(request.POST, "area"),
    )
    day = params.date(request.POST, "day") or timezone.localdate()
    fallback = reverse("snapshots:versions", kwargs={"area": area.pk, "day": day})
    try:
        run = actions.make_day(
            area, day, trigger=RunTrigger.ON_DEMAND, acting_user=actor_for(request)
        )
    except actions.SnapshotError as exc:
        messages.error(request, str(exc))
        return HttpResponseRedirect(_next_url(request, fallback))
    messages.success(
        request,
        _("The figures of %(area)s for %(day)s are made: %(areas)d areas.")
        % {"area": area.name, "day": day.isoformat(), "areas": run.areas},
    )
    return HttpResponseRedirect(_next_url(request, fallback))


@login_required
@require_GET
def versions(request: AuthedRequest, area: int, day: dt.date) -> HttpResponse:
    """Every version of an area's day, newest first: who made it, when and how, and which
    figures differ from the version before."""
    found = get_visible_or_404(
        Area.objects.exclude(kind=AreaKind.BUILDING), request.user, Perm.VIEW_ANALYSIS, pk=area
    )
    return render(
        request,
        "snapshots/versions.html",
        {
            "area": found,
            "day": day,
            "rows": version_rows(found, day),
            "can_make": request.user.has_area_permission(Perm.MAKE_SNAPSHOTS, found)
            and day <= timezone.localdate(),
            "previous_day": day - dt.timedelta(days=1),
            "next_day": day + dt.timedelta(days=1) if day < timezone.localdate() else None,
        },
    )
