"""The board at any level: who is deployed where on a day (by area and task kind), each
team's board, and what was left undone that day and the day before."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from wangge.areas.models import Area
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, in_scope, topmost
from wangge.dispatch.choices import TaskKind
from wangge.dispatch.selectors import deployment, my_tasks, teams_in, teams_led, undone

ROWS_PER_PAGE = 50
TEAMS_PER_PAGE = 30


def _entry_areas(request: AuthedRequest) -> list[Area]:
    """The topmost areas where the user views the workforce."""
    paths = request.user.scope_paths(Perm.VIEW_WORKFORCE)
    if paths is None:
        return list(Area.objects.filter(depth=1))
    return list(Area.objects.filter(path__in=topmost(paths)))


@login_required
@require_GET
def overview(request: AuthedRequest) -> HttpResponse:
    """/dispatch/?area=&day=: for the workforce's viewers, the board of their area; for
    every team leader and worker, their own boards and tasks on top."""
    user = request.user
    today = timezone.localdate()
    day = params.date(request.GET, "day") or today
    area_id = params.object_id(request.GET, "area")
    led = list(teams_led(user, day))
    mine = list(my_tasks(user, day))
    views_workforce = user.has_any_area_permission(Perm.VIEW_WORKFORCE)
    if not views_workforce and area_id is not None:
        raise PermissionDenied
    if not (views_workforce or led or mine):
        raise PermissionDenied
    context: dict[str, object] = {
        "day": day,
        "today": today,
        "is_today": day == today,
        "previous_day": day - dt.timedelta(days=1),
        "next_day": day + dt.timedelta(days=1),
        "led": led,
        "mine": mine,
        "kinds": TaskKind.choices,
    }
    if views_workforce:
        entry = _entry_areas(request)
        if area_id is not None:
            area: Area = get_visible_or_404(
                Area.objects.all(), user, Perm.VIEW_WORKFORCE, pk=area_id
            )
        else:
            area = entry[0]
        yesterday = day - dt.timedelta(days=1)
        page = Paginator(undone(area, user, [day, yesterday]), ROWS_PER_PAGE).get_page(
            params.page(request.GET)
        )
        teams = Paginator(teams_in(area, user, day), TEAMS_PER_PAGE).get_page(
            params.page(request.GET, "teams_page")
        )
        parent = None
        if area.depth > 1:
            parent_path = area.path[: -Area.steplen]
            if in_scope(user.scope_paths(Perm.VIEW_WORKFORCE), parent_path):
                parent = Area.objects.filter(path=parent_path).first()
        context.update(
            area=area,
            entry=[other for other in entry if other.pk != area.pk],
            parent=parent,
            deployment=deployment(area, user, day),
            page=page,
            teams=teams,
            query=f"area={area.pk}&day={day.isoformat()}",
        )
    return render(request, "dispatch/overview.html", context)
