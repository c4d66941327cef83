"""Reads of the inbox and of the outbound queue."""

from django.db.models import Count, QuerySet

from wangge.accounts.models import User
from wangge.core.permissions import Perm
from wangge.notifications.models import Notification, OutboundMessage


def inbox(user: User) -> "QuerySet[Notification]":
    """The user's own notifications, newest first: nobody reads another's inbox."""
    return Notification.objects.filter(user=user).order_by("-created_at", "-pk")


def unread_count(user: User) -> int:
    return Notification.objects.filter(user=user, read_at=None).count()


def outbound(user: User) -> "QuerySet[OutboundMessage]":
    """Outbound messages about areas in the user's audit scope, given-up ones first."""
    return (
        OutboundMessage.objects.visible_to(user, Perm.VIEW_AUDIT)
        .select_related("notification__user", "area")
        .order_by("status", "-created_at")
    )


def outbound_counts(user: User) -> dict[str, int]:
    rows = (
        OutboundMessage.objects.visible_to(user, Perm.VIEW_AUDIT)
        .values("status")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["status"]: row["n"] for row in rows}
