"""What other apps add to an area's page: buttons, and sections below the areas.

The areas app imports none of them (dependencies point the other way), so an app
registers a provider in its AppConfig.ready() (`area_actions.register(...)`); the area
page shows what the providers return for this user and this area. A provider shows a
button or a section only to people who may use what is behind it.
"""

from dataclasses import dataclass
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
