"""Links in the top navigation and the user menu, contributed by the apps.

Core imports no app, so each app registers a function in its AppConfig.ready() that returns
the links the signed-in user may follow; base.html renders the work pages as `nav_extra`
and the settings-like ones (password, devices, audit) in the user menu as `nav_user`, so
that a phone's menu holds only the day's work. A link is shown only to people who can use
the page behind it.
"""

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, Generic, ParamSpec, TypeVar

from django.http import HttpRequest
from django.utils.functional import Promise


class Menu(StrEnum):
    MAIN = "main"
    USER = "user"


@dataclass(frozen=True)
class NavItem:
    """A link; a `prominent` one of the main menu is shown beside the inbox, outside the
    phone's folded menu (reporting an incident)."""

    url: str
    label: "str | Promise"
    menu: Menu = Menu.MAIN
    prominent: bool = False


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
    """Something the user must act on, shown at the top of a page."""

    url: str
    text: "str | Promise"


_links = Contributions[NavItem]()
register = _links.register


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: `nav_extra` and `nav_user`, the links of every app for this user
    in the main menu and in the user menu."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_extra": [], "nav_user": []}
    links = _links.collect(request)
    return {
        "nav_extra": [link for link in links if link.menu == Menu.MAIN],
        "nav_user": [link for link in links if link.menu == Menu.USER],
    }
