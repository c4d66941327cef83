"""The areas' card on the workbench: the user's areas with their registry totals."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.areas.selectors import entry_points, with_totals
from wangge.core.cards import Card, Figure
from wangge.core.nav import NavItem
from wangge.core.permissions import Perm

# A city administrator's entry points are a handful; a card names at most this many.
MAX_LINKS = 6


def my_areas(request: HttpRequest) -> list[Card]:
    """Where the user works, with the households and residents below: three queries."""
    user = request.user
    if not hasattr(user, "scope_paths"):
        return []
    rows = with_totals(entry_points(user.scope_paths(Perm.VIEW_AREAS)))
    if not rows:
        return []
    url = (
        reverse("areas:detail", args=[rows[0].area.pk]) if len(rows) == 1 else reverse("areas:tree")
    )
    return [
        Card(
            key="areas.mine",
            title=_("My areas"),
            url=url,
            figures=(
                Figure(sum(row.grids for row in rows), _("grids")),
                Figure(sum(row.households for row in rows), _("households")),
                Figure(sum(row.residents for row in rows), _("residents")),
            ),
            order=900,
            links=tuple(
                NavItem(reverse("areas:detail", args=[row.area.pk]), row.area.name)
                for row in rows[:MAX_LINKS]
            ),
        )
    ]
