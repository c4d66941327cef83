"""The dashboard's link in the top navigation (registered in DashboardConfig.ready)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm


def dashboard_links(request: Any) -> list[NavItem]:
    """指挥大屏 for those who read the daily analysis of an area."""
    user = request.user
    if isinstance(user, User) and user.has_any_area_permission(Perm.VIEW_ANALYSIS):
        return [NavItem(reverse("dashboard:home"), _("Command dashboard"), group=NavGroup.COMMAND)]
    return []
