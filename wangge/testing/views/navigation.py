"""Navigation entries and area-page buttons of testing (registered in TestingConfig.ready),
and the alerts its pages show."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from wangge.accounts.models import User
from wangge.areas.extensions import AreaAction
from wangge.areas.models import Area
from wangge.core.http import AuthedRequest
from wangge.core.nav import Alert, NavGroup, NavItem
from wangge.core.permissions import Perm
from wangge.testing.choices import RoundStatus
from wangge.testing.models import Round
from wangge.testing.selectors import open_unknown_results


def testing_links(request: Any) -> list[NavItem]:
    """The testing pages in the top navigation, for those who can use them."""
    user = request.user
    if not isinstance(user, User):
        return []
    items: list[NavItem] = []
    if user.has_any_area_permission(Perm.VIEW_TESTING):
        items.append(NavItem(reverse("testing:rounds"), _("Testing"), group=NavGroup.TESTING))
    if user.has_any_area_permission(Perm.LOAD_RESULTS):
        items.append(
            NavItem(reverse("testing:results_import"), _("Lab results"), group=NavGroup.TESTING)
        )
    return items


def area_testing_actions(request: AuthedRequest, area: Area) -> list[AreaAction]:
    """On an area's page: the coverage of each open round covering it (and, on a grid,
    its untested list)."""
    if not request.user.has_area_permission(Perm.VIEW_TESTING, area):
        return []
    ancestors = [area.path[:i] for i in range(Area.steplen, len(area.path) + 1, Area.steplen)]
    rounds = (
        Round.objects.visible_to(request.user, Perm.VIEW_TESTING)
        .filter(status=RoundStatus.OPEN, scope__area__path__in=ancestors)
        .order_by("-starts_at")[:3]
    )
    buttons = []
    for round_ in rounds:
        if area.is_grid and request.user.has_area_permission(Perm.VIEW_REGISTRY, area):
            url = reverse("testing:untested", args=[round_.pk, area.pk])
            buttons.append(AreaAction(url, _("Untested: %(round)s") % {"round": round_.name}))
        else:
            url = reverse("testing:round", args=[round_.pk]) + f"?area={area.pk}"
            buttons.append(AreaAction(url, _("Coverage: %(round)s") % {"round": round_.name}))
    return buttons


def unknown_result_alerts(request: Any) -> list[Alert]:
    """On a round's page and the results page: the open alarms for results that reached
    no tube, if any (the workbench shows them as a card, testing/cards.py)."""
    user = request.user
    if not isinstance(user, User) or not user.has_any_area_permission(Perm.VIEW_TESTING):
        return []
    count = open_unknown_results(user).count()
    if not count:
        return []
    text = ngettext(
        "Alarm: %(count)d positive or invalid laboratory result names a barcode no tube has.",
        "Alarm: %(count)d positive or invalid laboratory results name barcodes no tube has.",
        count,
    ) % {"count": count}
    return [Alert(reverse("testing:unknown_results"), text)]
