"""Putting notifications in inboxes, reading them, and sending them out.

`notify` is called by subscribers of events (inside the delivery's transaction, so a
notification exists exactly once per event and recipient). Notifications are not audited:
they report changes that their own actions audited, and reading one changes nothing else.
"""

import datetime as dt
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.notifications.channels import SendFailed, configured_channel
from wangge.notifications.choices import SendStatus
from wangge.notifications.models import Notification, OutboundMessage

logger = logging.getLogger(__name__)

# Messages sent per turn of the worker's loop.
BATCH = 50
# The longest wait between two attempts at a message.
MAX_BACKOFF = dt.timedelta(days=1)


@dataclass(frozen=True)
class Message:
    """What a person is told: already in the words of the site's language."""

    title: str
    body: str
    link: str


@transaction.atomic
def notify(
    recipients: Iterable[User], message: Message, *, area: Area | None, at: dt.datetime
) -> list[Notification]:
    """Put `message` in each recipient's inbox and queue it on the outbound channel."""
    notes = Notification.objects.bulk_create(
        Notification(
            user=user, title=message.title, body=message.body, link=message.link, created_at=at
        )
        for user in {user.pk: user for user in recipients}.values()
    )
    channel = settings.WANGGE_NOTIFY_CHANNEL
    OutboundMessage.objects.bulk_create(
        OutboundMessage(
            notification=note,
            area=area,
            channel=channel,
            next_attempt_at=at,
            created_at=at,
        )
        for note in notes
    )
    return notes


@transaction.atomic
def notify_each(
    deliveries: Iterable[tuple[Iterable[User], Message, Area | int | None]], *, at: dt.datetime
) -> int:
    """`notify` for many messages at once (a worker pass telling thousands of people each
    their own message): a few batched inserts, whatever the number; how many notifications.
    The area may be given by its id."""
    pending = [
        (user, message, area)
        for recipients, message, area in deliveries
        for user in {user.pk: user for user in recipients}.values()
    ]
    notes = Notification.objects.bulk_create(
        (
            Notification(
                user=user, title=message.title, body=message.body, link=message.link, created_at=at
            )
            for user, message, _area in pending
        ),
        batch_size=1000,
    )
    channel = settings.WANGGE_NOTIFY_CHANNEL
    OutboundMessage.objects.bulk_create(
        (
            OutboundMessage(
                notification=note,
                area_id=area.pk if isinstance(area, Area) else area,
                channel=channel,
                next_attempt_at=at,
                created_at=at,
            )
            for note, (_user, _message, area) in zip(notes, pending, strict=True)
        ),
        batch_size=1000,
    )
    return len(notes)


def mark_read(notification: Notification, *, acting_user: User, at: dt.datetime) -> None:
    """Mark one of the user's own notifications read (the view found it in their inbox)."""
    Notification.objects.filter(pk=notification.pk, user=acting_user, read_at=None).update(
        read_at=at
    )


def mark_all_read(*, acting_user: User, at: dt.datetime) -> int:
    """Mark every unread notification of the user read; how many."""
    return Notification.objects.filter(user=acting_user, read_at=None).update(read_at=at)


def backoff(attempts: int) -> dt.timedelta:
    """How long to wait after the `attempts`-th failed attempt: doubling, capped."""
    base = dt.timedelta(seconds=settings.WANGGE_NOTIFY_BACKOFF_SECONDS)
    wait: dt.timedelta = base * 2 ** max(attempts - 1, 0)
    return min(wait, MAX_BACKOFF)


def _claimable(now: dt.datetime) -> Q:
    return Q(status=SendStatus.PENDING, next_attempt_at__lte=now) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def send_due(now: dt.datetime) -> int:
    """Send every message due at `now` through its channel; how many were tried.

    Each is claimed with a conditional update (one row changed, or another worker has
    it) for a lease, which also counts the attempt. A failure waits `backoff(attempts)`;
    after WANGGE_NOTIFY_MAX_ATTEMPTS attempts the message is given up (the deliveries page
    shows it). A worker killed while sending leaves the claim to run out; the next attempt
    carries the same idempotency key.
    """
    lease = dt.timedelta(seconds=settings.WANGGE_WORKER_LEASE_SECONDS)
    due = list(
        OutboundMessage.objects.filter(_claimable(now))
        .order_by("next_attempt_at")
        .values_list("pk", flat=True)[:BATCH]
    )
    if not due:
        return 0
    channel = configured_channel()
    tried = 0
    for pk in due:
        claimed = OutboundMessage.objects.filter(_claimable(now), pk=pk).update(
            claimed_until=now + lease, attempts=F("attempts") + 1
        )
        if claimed != 1:
            continue
        tried += 1
        message = OutboundMessage.objects.select_related("notification__user").get(pk=pk)
        try:
            channel.send(message)
        except SendFailed as exc:
            _failed(message, str(exc), now)
        else:
            OutboundMessage.objects.filter(pk=pk).update(
                status=SendStatus.SENT, sent_at=now, claimed_until=None, last_error=""
            )
    return tried


def _failed(message: OutboundMessage, error: str, now: dt.datetime) -> None:
    if message.attempts >= settings.WANGGE_NOTIFY_MAX_ATTEMPTS:
        logger.warning(
            "outbound message %s given up after %d attempts", message.pk, message.attempts
        )
        changes: dict[str, object] = {"status": SendStatus.FAILED}
    else:
        changes = {"next_attempt_at": now + backoff(message.attempts)}
    OutboundMessage.objects.filter(pk=message.pk).update(
        claimed_until=None, last_error=error[:200], **changes
    )
