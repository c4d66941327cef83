"""Buttons on an area's page, contributed by the apps that build on the tree.

The areas app imports none of them (dependencies point the other way), so an app
registers a provider in its AppConfig.ready(); the area page shows, in `area_actions`,
every button the providers return for this user and this area. A provider shows a
button only to people who may use the page behind it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.functional import Promise

if TYPE_CHECKING:
    from wangge.areas.models import Area
    from wangge.core.http import AuthedRequest


@dataclass(frozen=True)
class AreaAction:
    url: str
    label: "str | Promise"


AreaActionProvider = Callable[["AuthedRequest", "Area"], list[AreaAction]]
_providers: list[AreaActionProvider] = []


def register_area_actions(provider: AreaActionProvider) -> AreaActionProvider:
    """Add a provider of buttons (idempotent, so a reloaded app does not double them)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def contributed_actions(request: "AuthedRequest", area: "Area") -> list[AreaAction]:
    actions: list[AreaAction] = []
    for provider in _providers:
        actions.extend(provider(request, area))
    return actions
