"""Shared lookups of the testing pages: rounds, areas and grids through the scoping choke
point, the page to come back to, downloads, breadcrumbs."""

from typing import BinaryIO

from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme

from wangge.areas.models import Area
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.testing.models import Round
from wangge.testing.selectors import area_in_scope, can_manage_round

ROWS_PER_PAGE = 100
# A page to come back to after a form: a path on this site and its query.
NEXT_MAX = 500


def get_round(request: AuthedRequest, pk: int, *permissions: str) -> Round:
    """A round the user may see with one of these permissions (default: view testing)."""
    for permission in permissions or (Perm.VIEW_TESTING,):
        try:
            round_: Round = get_visible_or_404(Round.objects.all(), request.user, permission, pk=pk)
        except Http404:
            continue
        return round_
    raise Http404


def get_managed_round(request: AuthedRequest, pk: int) -> Round:
    """A round the user manages as a whole (edit, open, close); 404 otherwise."""
    round_ = get_round(request, pk, Perm.MANAGE_ROUNDS)
    if not can_manage_round(request.user, round_):
        raise Http404
    return round_


def get_round_area(request: AuthedRequest, round_: Round, area_id: int | None) -> Area | None:
    """The area of the round a page is about (`?area=`), in scope and visible; None if not
    asked for."""
    if area_id is None:
        return None
    area: Area = get_visible_or_404(Area.objects.all(), request.user, Perm.VIEW_TESTING, pk=area_id)
    if not area_in_scope(round_, area):
        raise Http404
    return area


def get_grid(request: AuthedRequest, round_: Round, pk: int) -> Area:
    """A grid of the round whose registry the user may read."""
    grid = get_round_area(request, round_, pk)
    if grid is None or not grid.is_grid:
        raise Http404
    if not request.user.has_area_permission(Perm.VIEW_REGISTRY, grid):
        raise Http404
    return grid


def next_url(request: AuthedRequest, fallback: str) -> str:
    target = params.text(request.POST, "next", max_length=NEXT_MAX) or params.text(
        request.GET, "next", max_length=NEXT_MAX
    )
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback


def download(data: bytes | BinaryIO, content_type: str, filename: str) -> HttpResponseBase:
    """A file to download; an open file (a long list) is streamed from disk and closed."""
    response: HttpResponseBase
    if isinstance(data, bytes):
        response = HttpResponse(data, content_type=content_type)
    else:
        response = FileResponse(data, content_type=content_type)
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def area_breadcrumbs(area: Area | None, entry: list[Area]) -> list[Area]:
    """The path from the user's entry area of the round down to `area`."""
    if area is None:
        return []
    tops = [a for a in entry if area.path.startswith(a.path)]
    if not tops:
        return [area]
    return [node for node in area.ancestors_and_self() if node.depth >= tops[0].depth]
