"""Cards of the workbench (the home page), contributed by the apps.

Core imports no app, so each app registers, in its AppConfig.ready(), one function per kind
of work that returns the cards the signed-in user gets: `cards.register(my_cards)`. A
provider returns no card when there is nothing to show, reads only the user's areas
(`visible_to`) and costs a fixed number of queries whatever the size of the data, since the
home page of every person pays for every provider.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum

from django.http import HttpRequest
from django.utils.functional import Promise

from wangge.core.nav import Contributions, NavItem


class Severity(IntEnum):
    """How urgently a card asks for the user: alarms come first, then work waiting, then
    overviews. Only alarms and work count as "something waiting"."""

    ALARM = 0
    WAITING = 1
    INFO = 2


@dataclass(frozen=True)
class Figure:
    """One number on a card, with what it counts ("1,204 untested")."""

    value: int | str
    label: "str | Promise"


@dataclass(frozen=True)
class Card:
    """A piece of the user's work: a title, its figures, where to act on it.

    `key` names the kind of work ("testing.recalls", "testing.round.12"): the page marks the
    card with it. `links` are further places to go from the card (each grid's untested
    list); `order` places cards of the same severity (lower first).
    """

    key: str
    title: "str | Promise"
    url: str
    figures: tuple[Figure, ...] = ()
    severity: Severity = Severity.INFO
    order: int = 100
    note: "str | Promise" = ""
    links: tuple[NavItem, ...] = field(default=())

    @property
    def waiting(self) -> bool:
        return self.severity < Severity.INFO


_cards = Contributions[Card]()


def register(provider: Callable[[HttpRequest], list[Card]]) -> Callable[[HttpRequest], list[Card]]:
    """Add a card provider (a function of the request returning the user's cards)."""
    return _cards.register(provider)


def collect(request: HttpRequest) -> list[Card]:
    """Every app's cards for this user, most urgent first."""
    return sorted(_cards.collect(request), key=lambda card: (card.severity, card.order))
