"""The dispatch link in the top navigation (registered in DispatchConfig.ready)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.extensions import AreaAction
from wangge.areas.models import Area
from wangge.core.http import AuthedRequest
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm
from wangge.workforce.models import Team


def leads_a_team(request: Any) -> bool:
    """Whether the signed-in user leads a team; asked once per request (the navigation
    and the workbench cards share the answer)."""
    cached = getattr(request, "_dispatch_leads", None)
    if cached is None:
        user = request.user
        cached = Team.objects.filter(leader__user=user, leader__user__is_active=True).exists()
        request._dispatch_leads = cached
    return bool(cached)


def dispatch_links(request: Any) -> list[NavItem]:
    """The link "Dispatch", for those who dispatch or view the workforce and team leaders."""
    user = request.user
    if not isinstance(user, User):
        return []
    if (
        user.has_any_area_permission(Perm.DISPATCH)
        or user.has_any_area_permission(Perm.VIEW_WORKFORCE)
        or leads_a_team(request)
    ):
        return [NavItem(reverse("dispatch:overview"), _("Dispatch"), group=NavGroup.PEOPLE)]
    return []


def area_dispatch_actions(request: AuthedRequest, area: Area) -> list[AreaAction]:
    """On an area's page: the area's dispatch board of today, for who views the workforce."""
    if not request.user.has_area_permission(Perm.VIEW_WORKFORCE, area):
        return []
    return [AreaAction(f"{reverse('dispatch:overview')}?area={area.pk}", _("Dispatch board"))]
