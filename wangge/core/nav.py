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
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Menu(StrEnum):
    MAIN = "main"
    USER = "user"


class NavGroup(StrEnum):
    """A drop-down of the main menu gathering the links of one kind of work, so that the
    staff's dozen and more links fit one row of a PC's screen."""

    TESTING = "testing"
    PEOPLE = "people"
    CONTROL = "control"
    COMMAND = "command"

    @property
    def label(self) -> Promise:
        return _GROUP_LABELS[self]


_GROUP_LABELS = {
    NavGroup.TESTING: pgettext_lazy("menu", "Testing"),
    NavGroup.PEOPLE: pgettext_lazy("menu", "People"),
    NavGroup.CONTROL: _("Closed-loop control"),
    NavGroup.COMMAND: pgettext_lazy("menu", "Command"),
}


@dataclass(frozen=True)
class NavItem:
    """A link; a `prominent` one of the main menu is shown beside the inbox, outside the
    phone's folded menu (reporting an incident). Links of a `group` share a drop-down
    when the user has more than one of them."""

    url: str
    label: "str | Promise"
    menu: Menu = Menu.MAIN
    prominent: bool = False
    group: NavGroup | None = None


@dataclass(frozen=True)
class NavEntry:
    """One place of the main menu: a link, or a drop-down of a group's links."""

    label: "str | Promise"
    url: str = ""
    items: tuple[NavItem, ...] = ()


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
        return {"nav_extra": [], "nav_main": [], "nav_user": []}
    links = _links.collect(request)
    main = [link for link in links if link.menu == Menu.MAIN]
    return {
        "nav_extra": main,
        "nav_main": main_entries([link for link in main if not link.prominent]),
        "nav_user": [link for link in links if link.menu == Menu.USER],
    }


def main_entries(links: list[NavItem]) -> list[NavEntry]:
    """The main menu's places in the order the links came: a group's links gathered in one
    drop-down where its first link was, a group of one link shown as that link."""
    grouped: dict[NavGroup, list[NavItem]] = {}
    for link in links:
        if link.group is not None:
            grouped.setdefault(link.group, []).append(link)
    entries: list[NavEntry] = []
    placed: set[NavGroup] = set()
    for link in links:
        group = link.group
        members = grouped.get(group, []) if group is not None else []
        if len(members) < 2:
            entries.append(NavEntry(label=link.label, url=link.url))
        elif group is not None and group not in placed:
            placed.add(group)
            entries.append(NavEntry(label=group.label, items=tuple(members)))
    return entries
