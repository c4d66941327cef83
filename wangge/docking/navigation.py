"""The docking's link in the top navigation (registered in DockingConfig.ready)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm


def docking_links(request: Any) -> list[NavItem]:
    """每日对接, for those who answer for a unit or see the daily analysis."""
    user = request.user
    if not isinstance(user, User):
        return []
    if user.has_any_area_permission(Perm.DOCK_FIGURES) or user.has_any_area_permission(
        Perm.VIEW_ANALYSIS
    ):
        return [NavItem(reverse("docking:day"), _("Daily docking"), group=NavGroup.COMMAND)]
    return []
