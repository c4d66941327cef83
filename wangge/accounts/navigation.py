"""The accounts pages in the navigation, each shown only to those who can use it: the\nsettings-like ones (devices, audit log, password) in the user menu."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.nav import Menu, NavItem
from wangge.core.permissions import Perm


def account_links(request: HttpRequest) -> list[NavItem]:
    user = request.user
    if not isinstance(user, User):
        return []
    items: list[NavItem] = []
    if user.has_any_area_permission(Perm.MANAGE_USERS):
        items.append(NavItem(reverse("accounts:users"), _("Users")))
    items.append(NavItem(reverse("accounts:devices"), _("Devices"), Menu.USER))
    if user.has_any_area_permission(Perm.VIEW_AUDIT):
        items.append(NavItem(reverse("accounts:audit"), _("Audit log"), Menu.USER))
    items.append(NavItem(reverse("accounts:password_change"), _("Password"), Menu.USER))
    return items
