"""The bulletins' pages: an area's days with their bulletins, and the downloads.

Every area is fetched through `get_visible_or_404` with VIEW_ANALYSIS (out of scope is
404); a download makes the bulletin on the spot when the day's current version has none
yet, and is audited as an export (actions.download_bulletin).
"""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from wangge.areas.models import Area
from wangge.audit.log import actor_for
from wangge.bulletins import actions, selectors
from wangge.bulletins.errors import DayNotMade
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.pdf import PDF_CONTENT_TYPE
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404
from wangge.lib.excel import XLSX_CONTENT_TYPE


def _area(request: AuthedRequest, pk: int) -> Area:
    area: Area = get_visible_or_404(Area.objects.all(), request.user, Perm.VIEW_ANALYSIS, pk=pk)
    return area


def _make_url() -> str:
    """The snapshots' "make the day again" (POST area, day)."""
    return reverse("snapshots:make")


@login_required
@require_GET
def bulletin_list(request: AuthedRequest) -> HttpResponse:
    """The days of an area (default: the top of the user's areas), newest first, each with
    its current version's PDF and workbook and the bulletins of earlier versions."""
    area_id = params.object_id(request.GET, "area")
    if area_id is not None:
        area = _area(request, area_id)
    else:
        found = selectors.default_area(request.user)
        if found is None:
            raise PermissionDenied
        area = found
    language = actions.bulletin_language(translation.get_language())
    return render(
        request,
        "bulletins/list.html",
        {
            "area": area,
            "trail": selectors.trail(area),
            "children": selectors.children(area),
            "days": selectors.days_of(area, language),
            "may_make": request.user.has_area_permission(Perm.MAKE_SNAPSHOTS, area),
            "make_url": _make_url(),
            "today": timezone.localdate().isoformat(),
        },
    )


def _download(
    request: AuthedRequest, area_id: int, day_text: str, kind: actions.Kind
) -> HttpResponse:
    area = _area(request, area_id)
    day = params.read_date(day_text)
    version = params.object_id(request.GET, "version")
    if day is None:
        return _not_made(request, area, None)
    try:
        bulletin, data = actions.download_bulletin(
            area,
            day,
            kind,
            acting_user=actor_for(request),
            language=translation.get_language(),
            version=version,
        )
    except DayNotMade:
        return _not_made(request, area, day)
    word = _("daily-bulletin")
    filename = f"{area.name}-{word}-{day.isoformat()}-v{bulletin.version}.{kind}"
    response = HttpResponse(
        data, content_type=PDF_CONTENT_TYPE if kind == "pdf" else XLSX_CONTENT_TYPE
    )
    response.headers["Content-Disposition"] = content_disposition_header(
        as_attachment=True, filename=filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


def _not_made(request: AuthedRequest, area: Area, day: dt.date | None) -> HttpResponse:
    return render(request, "bulletins/not_made.html", {"area": area, "day": day}, status=404)


@login_required
@require_GET
def bulletin_pdf(request: AuthedRequest, area: int, day: str) -> HttpResponse:
    """The day's bulletin as a PDF (`?version=` for an earlier version)."""
    return _download(request, area, day, "pdf")


@login_required
@require_GET
def bulletin_xlsx(request: AuthedRequest, area: int, day: str) -> HttpResponse:
    """The day's figures as a workbook (`?version=` for an earlier version)."""
    return _download(request, area, day, "xlsx")
