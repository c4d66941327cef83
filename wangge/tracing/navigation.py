from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm


def tracing_links(request: Any) -> list[NavItem]:
    user = request.user
    if not isinstance(user, User) or not user.has_any_area_permission(Perm.VIEW_CONTROL):
        return []
    return [NavItem(reverse("tracing:index"), _("Lists to trace"), group=NavGroup.CONTROL)]
