"""Who reacts to which kind of event. Apps register their handlers in AppConfig.ready().

A handler runs inside the transaction that records its delivery, so whatever it writes in
the database happens exactly once per event. It must not reach outside the database
(send a message, call a URL): it writes an outbox row for that instead (notifications'
`OutboundMessage`), which the worker sends with its own retries.
"""

import datetime as dt
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wangge.events.models import Event

Handler = Callable[["Event", dt.datetime], None]

_handlers: dict[str, dict[str, Handler]] = {}


def subscribe(kind: str, name: str, handler: Handler) -> None:
    """Deliver every event of `kind` to `handler`, known as `name` (which must stay the same
    across releases: deliveries are recorded under it)."""
    _handlers.setdefault(kind, {})[name] = handler


def subscribers_of(kind: str) -> list[tuple[str, Handler]]:
    return sorted(_handlers.get(kind, {}).items())
