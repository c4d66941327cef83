"""Extra links in the top navigation, contributed by the apps.

Core imports no app, so each app registers a function in its AppConfig.ready() that returns
the links the signed-in user may follow; base.html renders them as `nav_extra`. A link is
shown only to people who can use the page behind it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Generic, ParamSpec, TypeVar

from django.http import HttpRequest
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    url: str
    label: "str | Promise"


T = TypeVar("T")
P = ParamSpec("P")


class Providers(Generic[P, T]):
    """Providers registered by the apps, each returning its share of what a page shows.

    A lower app's page asks for what the apps above it add (an area's page for its buttons
    and sections) without importing them: they register here in AppConfig.ready().
    """

    def __init__(self) -> None:
        self._providers: list[Callable[P, list[T]]] = []

    def register(self, provider: Callable[P, list[T]]) -> Callable[P, list[T]]:
        """Add a provider (idempotent, so a reloaded app does not double what it adds)."""
        if provider not in self._providers:
            self._providers.append(provider)
        return provider

    def collect(self, *args: P.args, **kwargs: P.kwargs) -> list[T]:
        found: list[T] = []
        for provider in self._providers:
            found.extend(provider(*args, **kwargs))
        return found


class Contributions(Providers[[HttpRequest], T]):
    """Providers of what one user gets of a kind, on any page (links, alerts, cards)."""


@dataclass(frozen=True)
class Alert:
    """Something the user must act on, shown at the top of their start page."""

    url: str
    text: "str | Promise"


_links = Contributions[NavItem]()
_alerts = Contributions[Alert]()
register = _links.register
register_alerts = _alerts.register


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `nav_extra`, the links of every app for this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_extra": []}
    return {"nav_extra": _links.collect(request)}


def alerts(request: HttpRequest) -> list[Alert]:
    """The alerts of every app for this user (only the start page asks: each costs a
    query, and no list page should pay for it)."""
    return _alerts.collect(request)
