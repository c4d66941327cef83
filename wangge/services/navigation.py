"""The door-to-door service's link in the top navigation (registered in ServicesConfig.ready)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm


def service_links(request: Any) -> list[NavItem]:
    """The requests of one's areas for those who see closed-loop control; one's own
    requests for those who only deliver (volunteers)."""
    user = request.user
    if not isinstance(user, User):
        return []
    if user.has_any_area_permission(Perm.VIEW_CONTROL):
        return [
            NavItem(reverse("services:list"), _("Door-to-door service"), group=NavGroup.CONTROL)
        ]
    if user.has_any_area_permission(Perm.DELIVER_SERVICES):
        return [NavItem(reverse("services:mine"), _("My service requests"), group=NavGroup.CONTROL)]
    return []
