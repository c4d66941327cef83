"""What the bulletins add to the pages of the apps below: a link in the menu."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm


def links(request: HttpRequest) -> list[NavItem]:
    """ "每日简报" beside the dashboard, for whoever reads the day's figures."""
    user = request.user
    if isinstance(user, User) and user.has_any_area_permission(Perm.VIEW_ANALYSIS):
        return [NavItem(reverse("bulletins:list"), _("Daily bulletins"), group=NavGroup.COMMAND)]
    return []
