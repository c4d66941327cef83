"""What the duty pages share: the area a page is about, and the objects a URL names,
each through the scoped lookups (missing and not yours are the same 404)."""

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from wangge.areas.models import Area
from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.core.scoping import get_visible_or_404, in_scope, topmost
from wangge.duty.access import is_assignee, may_check
from wangge.duty.models import Post, ScheduledTask, Shift

NEXT_MAX = 500


def entry_areas(request: AuthedRequest, perm: str = Perm.VIEW_CONTROL) -> list[Area]:
    """The topmost areas where the user holds `perm`."""
    paths = request.user.scope_paths(perm)
    if paths is None:
        return list(Area.objects.filter(depth=1).order_by("path"))
    return list(Area.objects.filter(path__in=topmost(paths)).order_by("path"))


def page_area(request: AuthedRequest, entry: list[Area]) -> Area:
    """The area of ?area= (404 unless the user views control there), else the first of
    the user's topmost areas."""
    area_id = params.object_id(request.GET, "area")
    if area_id is None:
        return entry[0]
    area: Area = get_visible_or_404(Area.objects.all(), request.user, Perm.VIEW_CONTROL, pk=area_id)
    return area


def parent_in_scope(request: AuthedRequest, area: Area) -> Area | None:
    if area.depth <= 1:
        return None
    parent_path = area.path[: -Area.steplen]
    if in_scope(request.user.scope_paths(Perm.VIEW_CONTROL), parent_path):
        parent: Area | None = Area.objects.filter(path=parent_path).first()
        return parent
    return None


def page_day(request: HttpRequest) -> dt.date:
    query = request.POST if request.method == "POST" else request.GET
    return params.date(query, "day") or timezone.localdate()


def get_post(request: AuthedRequest, pk: int) -> Post:
    post: Post = get_visible_or_404(
        Post.objects.select_related("area", "checkpoint", "sampling_point"),
        request.user,
        Perm.VIEW_CONTROL,
        pk=pk,
    )
    return post


def get_shift(request: AuthedRequest, pk: Any) -> Shift:
    """A shift the user may check in or out (their own, or a post they manage)."""
    shift: Shift | None = Shift.objects.select_related("post__area", "worker").filter(pk=pk).first()
    if shift is None or not may_check(request.user, shift):
        raise Http404
    return shift


def get_task(request: AuthedRequest, pk: int) -> ScheduledTask:
    """A scheduled task the user sees: VIEW_CONTROL on its area, or it is theirs."""
    task: ScheduledTask | None = (
        ScheduledTask.objects.select_related("area", "team", "worker").filter(pk=pk).first()
    )
    if task is None:
        raise Http404
    user = request.user
    if not (user.has_area_permission(Perm.VIEW_CONTROL, task.area) or is_assignee(user, task)):
        raise Http404
    return task


def next_url(request: HttpRequest, fallback: str) -> str:
    target = params.text(request.POST, "next", max_length=NEXT_MAX)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
