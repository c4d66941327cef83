"""The duty link in the top navigation (registered in DutyConfig.ready)."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.nav import NavItem
from wangge.core.permissions import Perm


def duty_links(request: Any) -> list[NavItem]:
    """The link "Duty", for who views control (workers reach their shifts from the card)."""
    user = request.user
    if isinstance(user, User) and user.has_any_area_permission(Perm.VIEW_CONTROL):
        return [NavItem(reverse("duty:posts"), _("Duty"))]
    return []
