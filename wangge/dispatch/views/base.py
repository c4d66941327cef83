"""What the dispatch pages share: the team a page is about, the day it is about."""

import datetime as dt

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme

from wangge.core import params
from wangge.core.http import AuthedRequest
from wangge.core.permissions import Perm
from wangge.dispatch.access import may_dispatch
from wangge.workforce.models import Team

NEXT_MAX = 500


def get_team(request: AuthedRequest, pk: int) -> Team:
    """A team whose board the user may see: who views the workforce of its area, who may
    dispatch it, or its leader. Missing and not theirs are the same 404."""
    team: Team | None = Team.objects.select_related("area", "leader").filter(pk=pk).first()
    user = request.user
    if team is None or not (
        user.has_area_permission(Perm.VIEW_WORKFORCE, team.area) or may_dispatch(user, team)
    ):
        raise Http404
    return team


def page_day(request: HttpRequest, name: str = "day") -> dt.date:
    """The day a page is about (?day=YYYY-MM-DD), today (local) when not given."""
    query = request.POST if request.method == "POST" else request.GET
    return params.date(query, name) or timezone.localdate()


def next_url(request: HttpRequest, fallback: str) -> str:
    target = params.text(request.POST, "next", max_length=NEXT_MAX)
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback
