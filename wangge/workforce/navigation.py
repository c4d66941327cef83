"""The workforce's link in the top navigation and its buttons on an area's page
(registered in WorkforceConfig.ready), each shown only to those who may use it."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.choices import AreaKind
from wangge.areas.extensions import AreaAction
from wangge.areas.models import Area
from wangge.core.http import AuthedRequest
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm


def workforce_links(request: Any) -> list[NavItem]:
    user = request.user
    if not isinstance(user, User) or not user.has_any_area_permission(Perm.VIEW_WORKFORCE):
        return []
    return [NavItem(reverse("workforce:workers"), _("Workforce"), group=NavGroup.PEOPLE)]


def area_buttons(request: AuthedRequest, area: Area) -> list[AreaAction]:
    """On an area's page: its workers and its printable roster."""
    if area.kind == AreaKind.BUILDING or not request.user.has_area_permission(
        Perm.VIEW_WORKFORCE, area
    ):
        return []
    return [
        AreaAction(f"{reverse('workforce:workers')}?area={area.pk}", _("Workforce")),
        AreaAction(reverse("workforce:roster_pdf", args=[area.pk]), _("Workforce roster (PDF)")),
    ]
