"""The map page and its data: the areas below one area, coloured by a figure of a day.

`/dashboard/map/?area=<id>&day=<yyyy-mm-dd>&colour=risk|coverage|incidents`. Without an
area, the user's topmost area; without a day, the last day made there. An area outside
the user's scope is 404, as everywhere; someone who may read the analysis nowhere gets
403. The page draws with Leaflet from var/vendor (no CDN); with no tile server configured
the outlines lie on a blank ground, so it works on a network with no internet.
"""

import datetime as dt
from urllib.parse import urlsplit

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from wangge.areas.models import Area
from wangge.areas.selectors import entry_points
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.middleware import CONTENT_SECURITY_POLICY
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, in_scope
from wangge.dashboard.map import DEFAULT_MEASURE, MEASURES, map_payload, map_url, tiles
from wangge.snapshots.selectors import days_made


def _area(request: AuthedRequest) -> Area:
    pk = params.object_id(request.GET, "area")
    if pk is not None:
        area: Area = get_visible_or_404(Area.objects.all(), request.user, Perm.VIEW_ANALYSIS, pk=pk)
        return area
    roots = entry_points(request.user.scope_paths(Perm.VIEW_ANALYSIS))
    if not roots:
        raise PermissionDenied
    return roots[0]


def _day(request: AuthedRequest, made: list[dt.date]) -> dt.date:
    day = params.date(request.GET, "day")
    if day is not None:
        return day
    return made[0] if made else timezone.localdate()


def _tile_policy() -> str:
    """The CSP with the tile server's origin allowed for images (a `{s}` subdomain
    placeholder becomes a wildcard)."""
    found = tiles()
    if found is None:
        return CONTENT_SECURITY_POLICY
    parts = urlsplit(found["url"])
    host = parts.netloc.replace("{s}", "*")
    if not parts.scheme or not host:
        return CONTENT_SECURITY_POLICY
    return CONTENT_SECURITY_POLICY.replace(
        "img-src 'self' data: blob:", f"img-src 'self' data: blob: {parts.scheme}://{host}"
    )


@login_required
@require_GET
def map_page(request: AuthedRequest) -> HttpResponse:
    """The map of an area's children for a day, coloured by the chosen measure."""
    area = _area(request)
    made = days_made(area)
    day = _day(request, made)
    measure = params.choice(request.GET, "colour", MEASURES, DEFAULT_MEASURE)
    payload = map_payload(area, day, measure)
    visible = request.user.scope_paths(Perm.VIEW_ANALYSIS)
    breadcrumbs = [
        (node, map_url(node, day, measure))
        for node in area.ancestors_and_self()
        if in_scope(visible, node.path)
    ]
    if day not in made:
        made = sorted({*made, day}, reverse=True)
    context = {
        "area": area,
        "day": day,
        "days": made,
        "measure": MEASURES[measure],
        "measures": [(m, map_url(area, day, m.key)) for m in MEASURES.values()],
        "payload": payload,
        "breadcrumbs": breadcrumbs,
        "can_import": request.user.has_any_area_permission(Perm.MANAGE_AREAS),
    }
    response = render(request, "dashboard/map.html", context)
    response.headers["Content-Security-Policy"] = _tile_policy()
    return response


@login_required
@require_GET
def map_data(request: AuthedRequest) -> JsonResponse:
    """The same map as JSON (a GeoJSON FeatureCollection with the figures as properties)."""
    area = _area(request)
    made = days_made(area, limit=1)
    day = _day(request, made)
    measure = params.choice(request.GET, "colour", MEASURES, DEFAULT_MEASURE)
    return JsonResponse(map_payload(area, day, measure))
