"""The incident links of the top navigation: a prominent "Report an incident" for everyone
who may report one, and the lists for those who see or handle incidents."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.nav import NavItem
from wangge.core.permissions import Perm


def incident_links(request: Any) -> list[NavItem]:
    user = request.user
    if not isinstance(user, User):
        return []
    items: list[NavItem] = []
    if user.has_any_area_permission(Perm.REPORT_INCIDENTS):
        items.append(NavItem(reverse("incidents:report"), _("Report an incident"), prominent=True))
    if user.has_any_area_permission(Perm.VIEW_INCIDENTS):
        items.append(NavItem(reverse("incidents:list"), _("Incidents")))
    return items
