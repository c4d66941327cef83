"""The duty link in the top navigation (registered in DutyConfig.ready)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.extensions import AreaAction
from wangge.areas.models import Area
from wangge.core.http import AuthedRequest
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm


def duty_links(request: Any) -> list[NavItem]:
    """The link "Duty", for who views control (workers reach their shifts from the card)."""
    user = request.user
    if isinstance(user, User) and user.has_any_area_permission(Perm.VIEW_CONTROL):
        return [NavItem(reverse("duty:posts"), _("Duty"), group=NavGroup.CONTROL)]
    return []


def area_duty_actions(request: AuthedRequest, area: Area) -> list[AreaAction]:
    """On an area's page: its duty posts and scheduled tasks, for who views control there."""
    if not request.user.has_area_permission(Perm.VIEW_CONTROL, area):
        return []
    return [
        AreaAction(f"{reverse('duty:posts')}?area={area.pk}", _("Duty posts")),
        AreaAction(f"{reverse('duty:tasks')}?area={area.pk}", _("Scheduled tasks")),
    ]
