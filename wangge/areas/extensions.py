"""What other apps add to an area's page: buttons, and sections below the areas.

The areas app imports none of them (dependencies point the other way), so an app
registers a provider in its AppConfig.ready() (`area_actions.register(...)`); the area
page shows what the providers return for this user and this area. A provider shows a
button or a section only to people who may use what is behind it.
"""

from dataclasses import dataclass, replace
from typing import Any

from django.utils.functional import Promise

from wangge.areas.models import Area
from wangge.core.http import AuthedRequest
from wangge.core.nav import Providers


@dataclass(frozen=True)
class AreaAction:
    url: str
    label: "str | Promise"


@dataclass(frozen=True)
class AreaSection:
    """A block of the page below the areas: the template that draws it, and its context."""

    template: str
    context: dict[str, Any]


area_actions = Providers[[AuthedRequest, Area], AreaAction]()
area_sections = Providers[[AuthedRequest, Area], AreaSection]()


@dataclass(frozen=True)
class AreaBadge:
    """A short mark beside an area's name in the tree and in the list of areas below (its
    risk level). `tone` colours it (alarm, warn, notice, calm); an `outline` badge is a
    quieter one (a level inherited from above)."""

    area_id: int
    label: "str | Promise"
    tone: str = "notice"
    title: "str | Promise" = ""
    outline: bool = False


area_badges = Providers[[AuthedRequest, list[Area]], AreaBadge]()


def with_badges(request: AuthedRequest, rows: list[Any]) -> list[Any]:
    """Rows of areas (`AreaWithTotals`) with the badges the providers give their areas: one
    call per provider for the whole list, so a branch of 1,000 grids costs what one does."""
    if not rows:
        return rows
    found: dict[int, list[AreaBadge]] = {}
    for badge in area_badges.collect(request, [row.area for row in rows]):
        found.setdefault(badge.area_id, []).append(badge)
    if not found:
        return rows
    return [replace(row, badges=tuple(found.get(row.area.pk, ()))) for row in rows]
