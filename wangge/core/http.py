"""The request of a signed-in user, and where a request comes from (for the audit log and
the login lockout)."""

from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    # A name only: core imports no app at run time (docs/architecture.md, "Layers").
    from wangge.accounts.models import User


class AuthedRequest(HttpRequest):
    """The request of views behind login_required: its user is a Wangge user."""

    user: "User"  # type: ignore[assignment]


def client_ip(request: HttpRequest) -> str:
    """The client's address.

    Behind a TLS proxy (settings.BEHIND_TLS_PROXY) the proxy appends the address it saw to
    X-Forwarded-For; only that last entry is trustworthy, anything before it is whatever
    the client chose to send. Without a proxy the header is ignored altogether.
    """
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            return hops[-1][:100]
    return str(request.META.get("REMOTE_ADDR", ""))[:100]
