"""Where a person can be reached outside Wangge, as the apps that know it answer.

Notifications sit below the apps that hold people's phones (a worker's phone is the
workforce's, sealed like a resident's), so those apps register a lookup in their
AppConfig.ready(); the SMS channel asks here and never reads another app's tables.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from wangge.accounts.models import User

PhoneLookup = Callable[["User"], str]

_lookups: dict[str, PhoneLookup] = {}


def register_phone_lookup(name: str, lookup: PhoneLookup) -> None:
    """`lookup(user)` answers the user's phone in full, or "" when it knows none."""
    _lookups[name] = lookup


def phone_of(user: "User") -> str:
    """The first phone a registered lookup knows for `user`, or ""."""
    for _name, lookup in sorted(_lookups.items()):
        number = lookup(user)
        if number:
            return number
    return ""
