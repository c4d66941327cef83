"""The command dashboard (指挥大屏): an area's day, from the district (or the city) down to a
grid, read from the frozen snapshots (wangge/dashboard/selectors.py).

`/dashboard/?area=<id>&day=<yyyy-mm-dd>&sort=<column>`: the area defaults to the user's top
area, the day to the last one made for it. The area is fetched through
`get_visible_or_404` with VIEW_ANALYSIS (out of scope is 404); someone who holds VIEW_ANALYSIS
nowhere gets 403.
"""

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from wangge.areas.models import Area
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, in_scope, topmost
from wangge.dashboard import selectors
from wangge.docking.selectors import docking_summary

SORTS = [key.value for key in selectors.SortKey]


def _url(name: str, *, kwargs: dict[str, Any] | None = None, query: str = "") -> str:
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{query}" if query else url


def top_areas(user: Any) -> list[Area]:
    """The topmost areas where the user reads the analysis (the roots for a superuser)."""
    paths = user.scope_paths(Perm.VIEW_ANALYSIS)
    if paths is None:
        return list(Area.objects.filter(depth=1))
    return list(Area.objects.filter(path__in=topmost(paths)))


def _links(area: Area, day: dt.date) -> dict[str, str]:
    query = f"area={area.pk}&day={day.isoformat()}"
    bulletin = {"area": area.pk, "day": day.isoformat()}
    return {
        "docking": _url("docking:day", query=query),
        "map": _url("dashboard:map", query=query),
        "pdf": _url("bulletins:pdf", kwargs=bulletin),
        "xlsx": _url("bulletins:xlsx", kwargs=bulletin),
        "make": _url("snapshots:make"),
        "versions": _url("snapshots:versions", kwargs=bulletin),
    }


@login_required
@require_GET
def home(request: AuthedRequest) -> HttpResponse:
    """An area's day: headline figures and their change, trends, children, what to act on."""
    user = request.user
    if not user.has_any_area_permission(Perm.VIEW_ANALYSIS):
        raise PermissionDenied
    area_id = params.object_id(request.GET, "area")
    day = params.date(request.GET, "day")
    sort = selectors.SortKey(params.choice(request.GET, "sort", SORTS, selectors.DEFAULT_SORT))
    mine: list[Area] = []
    if area_id is None:
        mine = top_areas(user)
        if not mine:
            raise Http404
        area = mine[0]
    else:
        area = get_visible_or_404(Area.objects.all(), user, Perm.VIEW_ANALYSIS, pk=area_id)
    today = timezone.localdate()
    shown = selectors.read_day(area, day, sort, default=today)
    day = shown.day
    paths = user.scope_paths(Perm.VIEW_ANALYSIS)
    trail = [(above, in_scope(paths, above.path)) for above in area.ancestors_and_self()]
    context: dict[str, Any] = {
        "area": area,
        "day": day,
        "today": today,
        "shown": shown,
        "trail": trail,
        "mine": mine if len(mine) > 1 else [],
        "sort": sort,
        "columns": selectors.COLUMNS,
        "links": _links(area, day),
        "can_make": user.has_area_permission(Perm.MAKE_SNAPSHOTS, area) and day <= today,
        "docking": docking_summary(area, day) if shown.made and not area.is_grid else None,
        "trend_table": selectors.trend_table(shown.trends) if shown.made else None,
    }
    return render(request, "dashboard/home.html", context)
