"""The unread count of the signed-in user's inbox, for the header's bell."""

from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from wangge.accounts.models import User
from wangge.notifications.selectors import unread_count


def inbox(request: HttpRequest) -> dict[str, Any]:
    """`inbox_unread`: counted only when a template shows it (one query)."""
    user = getattr(request, "user", None)
    if not isinstance(user, User):
        return {}
    return {"inbox_unread": SimpleLazyObject(lambda: unread_count(user))}
