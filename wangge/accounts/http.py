"""The request type of views behind login_required: its user is a Wangge user."""

from django.http import HttpRequest

from wangge.accounts.models import User


class AuthedRequest(HttpRequest):
    user: User  # type: ignore[assignment]
