"""Device tokens: issue, authenticate, revoke. Tokens are stored only as SHA-256 hashes.

Who may issue for themselves: anyone who registers samples sets up a sampling station for
an area of their scope (the station's setup page, `issue_own_station`). A volunteer or a
sampler who may not issue devices there gets a *limited* device, because no one above them
vouched for it: it lives one working day, its roster carries no masked phones, and it may
look ID numbers up on the server only at a desk's pace (`VOLUNTEER_LOOKUPS_PER_HOUR`).
"""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from wangge.accounts.models import DeviceToken, User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm

TOKEN_PREFIX = "wgd_"  # noqa: S105 - a public marker, not a secret
# A volunteer's own station lasts a sampling day; setting it up again takes a minute and
# keeps the records still queued in the browser.
VOLUNTEER_DEVICE_HOURS = 12
# A busy desk confirms one person every 10 to 20 seconds. Twice that pace still takes a
# volunteer's device some 150 hours of audited lookups to find one person's number among
# the 182,500 its birth year and sex leave (docs/security.md).
VOLUNTEER_LOOKUPS_PER_HOUR = 600


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@sensitive_variables("token")
@transaction.atomic
def issue_device_token(
    user: User,
    area: Area,
    label: str,
    *,
    acting_user: "User | Actor",
    hours: int | None = None,
    limited: bool = False,
) -> tuple[str, DeviceToken]:
    """A new token for a device used by `user` within `area`; the plain token is returned once.

    This is the low-level step (for commands and the demo); pages go through
    `wangge.accounts.actions.issue_device`, which checks the issuer's authority first.
    """
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    device = DeviceToken.objects.create(
        user=user,
        area=area,
        label=label[:60],
        token_hash=_hash(token),
        prefix=token[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        expires_at=timezone.now() + dt.timedelta(hours=hours or settings.WANGGE_DEVICE_TOKEN_HOURS),
        limited=limited,
    )
    log.record(
        acting_user,
        AuditEvent.DEVICE_ISSUE,
        obj=device,
        area_path=area.path,
        details={"user": user.get_username(), "label": device.label, "limited": limited},
    )
    return token, device


def own_station_hours(user: User, area: Area | None = None) -> int:
    """How long a station `user` sets up for themselves lasts (on `area`, or anywhere)."""
    if own_station_is_limited(user, area):
        return min(VOLUNTEER_DEVICE_HOURS, settings.WANGGE_DEVICE_TOKEN_HOURS)
    return int(settings.WANGGE_DEVICE_TOKEN_HOURS)


def own_station_is_limited(user: User, area: Area | None = None) -> bool:
    """A station set up by `user` for themselves on `area` (without one: on any area) is
    limited when they may not issue devices there."""
    if area is None:
        return not user.has_any_area_permission(Perm.ISSUE_DEVICES)
    return Perm.ISSUE_DEVICES not in user.permissions_at(area)


@sensitive_variables("token")
def issue_own_station(
    user: User, area: Area, label: str, *, acting_user: "User | Actor"
) -> tuple[str, DeviceToken]:
    """A sampling station `user` sets up for themselves on an area of their sampling scope
    (checked by the caller); limited unless they may issue devices there."""
    limited = own_station_is_limited(user, area)
    return issue_device_token(
        user,
        area,
        label,
        acting_user=acting_user,
        hours=own_station_hours(user, area),
        limited=limited,
    )


@sensitive_variables("token")
def authenticate_device(token: str) -> DeviceToken | None:
    """The live device a bearer token belongs to, or None (unknown, expired or revoked)."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    device: DeviceToken | None = (
        DeviceToken.objects.select_related("user", "area")
        .filter(token_hash=_hash(token), revoked_at__isnull=True, expires_at__gt=timezone.now())
        .first()
    )
    if device is None or not device.user.is_active:
        return None
    now = timezone.now()
    if device.last_used_at is None or now - device.last_used_at > dt.timedelta(minutes=1):
        DeviceToken.objects.filter(pk=device.pk).update(last_used_at=now)
    return device


@transaction.atomic
def revoke_device_token(device: DeviceToken, *, acting_user: "User | Actor") -> None:
    """Stop a device at once (a lost or stolen phone); the token never works again."""
    DeviceToken.objects.filter(pk=device.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )
    log.record(acting_user, AuditEvent.DEVICE_REVOKE, obj=device, area_path=device.area.path)
