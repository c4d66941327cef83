"""The workforce summary page: an area's people at work in the seeds' own sentence, with
the figures of each area below it."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from wangge.areas.extensions import AreaAction
from wangge.areas.models import Area
from wangge.areas.selectors import entry_points
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, in_scope
from wangge.workforce.summary import workforce_summary


@login_required
@require_GET
def summary(request: AuthedRequest) -> HttpResponse:
    """`?area=<id>`: that area (404 if not the user's); without it, the user's first area."""
    user = request.user
    paths = user.scope_paths(Perm.VIEW_WORKFORCE)
    area_id = params.object_id(request.GET, "area")
    entry = entry_points(paths)
    if area_id is not None:
        area: Area = get_visible_or_404(Area.objects.all(), user, Perm.VIEW_WORKFORCE, pk=area_id)
    elif entry:
        area = entry[0]
    else:
        raise PermissionDenied
    breadcrumbs = [node for node in area.ancestors_and_self() if in_scope(paths, node.path)]
    return render(
        request,
        "workforce/summary.html",
        {
            "area": area,
            "summary": workforce_summary(area),
            "breadcrumbs": breadcrumbs,
            "others": [node for node in entry if node.pk != area.pk] if area_id is None else [],
        },
    )


def area_summary_action(request: AuthedRequest, area: Area) -> list[AreaAction]:
    """On an area's page: its workforce summary, for those who may see it (no query)."""
    if not request.user.has_area_permission(Perm.VIEW_WORKFORCE, area):
        return []
    url = reverse("workforce:summary") + f"?area={area.pk}"
    return [AreaAction(url, _("Workforce summary"))]
