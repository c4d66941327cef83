"""Extra links in the top navigation, contributed by the apps.

Core imports no app, so each app registers a function in its AppConfig.ready() that returns
the links the signed-in user may follow; base.html renders them as `nav_extra`. A link is
shown only to people who can use the page behind it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.functional import Promise


@dataclass(frozen=True)
class NavItem:
    url: str
    label: "str | Promise"


NavProvider = Callable[[HttpRequest], list[NavItem]]
_providers: list[NavProvider] = []


def register(provider: NavProvider) -> NavProvider:
    """Add a provider of links (idempotent, so a reloaded app does not double its links)."""
    if provider not in _providers:
        _providers.append(provider)
    return provider


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `nav_extra`, the links of every app for this user."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_extra": []}
    items: list[NavItem] = []
    for provider in _providers:
        items.extend(provider(request))
    return {"nav_extra": items}


@dataclass(frozen=True)
class Alert:
    """Something the user must act on, shown at the top of their start page."""

    url: str
    text: "str | Promise"


AlertProvider = Callable[[HttpRequest], list[Alert]]
_alert_providers: list[AlertProvider] = []


def register_alerts(provider: AlertProvider) -> AlertProvider:
    """Add a provider of alerts for the start page (idempotent, like `register`)."""
    if provider not in _alert_providers:
        _alert_providers.append(provider)
    return provider


def alerts(request: HttpRequest) -> list[Alert]:
    """The alerts of every app for this user (only the start page asks: each costs a
    query, and no list page should pay for it)."""
    found: list[Alert] = []
    for provider in _alert_providers:
        found.extend(provider(request))
    return found
