"""Device tokens: issue, authenticate, revoke. Tokens are stored only as SHA-256 hashes."""

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.views.decorators.debug import sensitive_variables

from wangge.accounts import audit
from wangge.accounts.audit import Actor
from wangge.accounts.models import DeviceToken, User
from wangge.areas.models import Area

TOKEN_PREFIX = "wgd_"  # noqa: S105 - a public marker, not a secret


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
    )
    audit.record(
        acting_user,
        "device.issue",
        obj=device,
        area_path=area.path,
        details={"user": user.get_username(), "label": device.label},
    )
    return token, device


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
    audit.record(acting_user, "device.revoke", obj=device, area_path=device.area.path)
