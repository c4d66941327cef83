"""The dashboard's card on the workbench, for those who make the day's figures (the
leaders): their top area's last day made, its coverage, untested and open incidents, with
the change since the day before. One query, whatever the number of days or areas."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.cards import Card, Figure
from wangge.core.permissions import Perm
from wangge.core.scoping import topmost
from wangge.dashboard.selectors import coverage
from wangge.snapshots.models import DaySnapshot


def dashboard_cards(request: HttpRequest) -> list[Card]:
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return []
    if not user.has_any_area_permission(Perm.MAKE_SNAPSHOTS):
        return []
    paths = user.scope_paths(Perm.VIEW_ANALYSIS)
    made = DaySnapshot.objects.filter(current=True).select_related("area")
    if paths is None:
        made = made.filter(area__depth=1)
    else:
        made = made.filter(area__path__in=topmost(paths))
    snapshot = made.order_by("-day", "area__path").first()
    if snapshot is None:
        return []
    figures = snapshot.figures
    shown = coverage(figures)
    return [
        Card(
            key="dashboard.day",
            title=_("Command dashboard"),
            url=f"{reverse('dashboard:home')}?area={snapshot.area_id}&day={snapshot.day.isoformat()}",
            figures=(
                Figure("—" if shown is None else f"{shown:.1f}%", _("coverage")),
                Figure(figures.get("testing.untested") or 0, _("untested")),
                Figure(figures.get("incidents.open") or 0, _("incidents open")),
            ),
            note=_("%(area)s, figures of %(day)s")
            % {"area": snapshot.area.name, "day": snapshot.day.isoformat()},
            order=90,
        )
    ]
