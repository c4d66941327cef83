"""Outbound channels behind one interface, chosen by WANGGE_NOTIFY_CHANNEL.

- `log` (default): writes a line per message to the log; nothing leaves the machine.
- `webhook`: a JSON POST to WANGGE_WEBHOOK_URL (a messaging gateway), signed with
  HMAC-SHA256 of the body under WANGGE_WEBHOOK_SECRET in `X-Wangge-Signature`.
- `sms`: a JSON POST to WANGGE_SMS_GATEWAY_URL with a bearer token, the generic shape of
  HTTP SMS gateways: `to` is the person's phone when an app knows it (a worker linked to
  the account: `addresses.phone_of`), else empty, and `account` the account name, which a
  gateway with its own directory resolves. The number is decrypted only to be handed over,
  and never logged.

Every request carries `Idempotency-Key`, the message's id, the same on every attempt: a
receiver that has seen it answers 2xx and does nothing, so a send repeated after a worker
died half-way reaches the person once.
"""

import hashlib
import hmac
import http.client
import json
import logging
import urllib.error
import urllib.request
from typing import Any, Protocol

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from wangge.notifications.addresses import phone_of
from wangge.notifications.models import OutboundMessage

logger = logging.getLogger(__name__)


class SendFailed(Exception):
    """The channel did not take the message; it is tried again later."""


class Channel(Protocol):
    name: str

    def send(self, message: OutboundMessage) -> None:
        """Hand the message over, or raise SendFailed."""
        ...


class LogChannel:
    name = "log"

    def send(self, message: OutboundMessage) -> None:
        note = message.notification
        logger.info("notification %s to user %s: %s", message.pk, note.user_id, note.title)


def _json(document: dict[str, Any]) -> bytes:
    return json.dumps(document, ensure_ascii=False, sort_keys=True).encode()


def _post(url: str, data: bytes, headers: dict[str, str], timeout: int) -> bytes:
    request = urllib.request.Request(  # noqa: S310 - the scheme is checked at start-up
        url, data=data, method="POST", headers={"Content-Type": "application/json", **headers}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as answer:  # noqa: S310
            return bytes(answer.read())
    except urllib.error.HTTPError as exc:
        raise SendFailed(f"HTTP {exc.code}") from exc
    except (OSError, ValueError, http.client.HTTPException) as exc:
        raise SendFailed(type(exc).__name__) from exc


def sign(secret: str, body: bytes) -> str:
    """The signature header's value: what a receiver recomputes to trust the body."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _document(message: OutboundMessage) -> dict[str, Any]:
    note = message.notification
    return {
        "id": str(message.pk),
        "recipient": note.user.get_username(),
        "title": note.title,
        "body": note.body,
        "link": note.link,
        "created_at": note.created_at.isoformat(),
    }


class WebhookChannel:
    name = "webhook"

    def __init__(self, url: str, secret: str, timeout: int) -> None:
        self.url, self.secret, self.timeout = url, secret, timeout

    def send(self, message: OutboundMessage) -> None:
        body = _json(_document(message))
        _post(
            self.url,
            body,
            {"Idempotency-Key": str(message.pk), "X-Wangge-Signature": sign(self.secret, body)},
            self.timeout,
        )


class SmsGatewayChannel:
    name = "sms"

    def __init__(self, url: str, token: str, timeout: int) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, message: OutboundMessage) -> None:
        note = message.notification
        document = {
            "id": str(message.pk),
            "to": phone_of(note.user),
            "account": note.user.get_username(),
            "text": note.title,
        }
        _post(
            self.url,
            _json(document),
            {"Idempotency-Key": str(message.pk), "Authorization": f"Bearer {self.token}"},
            self.timeout,
        )


def _http_url(name: str, url: str) -> str:
    if not url.startswith(("http://", "https://")):
        raise ImproperlyConfigured(f"{name} must be an http:// or https:// URL")
    return url


def configured_channel() -> Channel:
    """The channel the settings name; a misconfiguration fails loudly."""
    name = settings.WANGGE_NOTIFY_CHANNEL
    timeout = settings.WANGGE_NOTIFY_TIMEOUT_SECONDS
    if name == "log":
        return LogChannel()
    if name == "webhook":
        if not settings.WANGGE_WEBHOOK_SECRET:
            raise ImproperlyConfigured("the webhook channel needs WANGGE_WEBHOOK_SECRET")
        return WebhookChannel(
            _http_url("WANGGE_WEBHOOK_URL", settings.WANGGE_WEBHOOK_URL),
            settings.WANGGE_WEBHOOK_SECRET,
            timeout,
        )
    if name == "sms":
        return SmsGatewayChannel(
            _http_url("WANGGE_SMS_GATEWAY_URL", settings.WANGGE_SMS_GATEWAY_URL),
            settings.WANGGE_SMS_GATEWAY_TOKEN,
            timeout,
        )
    raise ImproperlyConfigured(f"WANGGE_NOTIFY_CHANNEL must be log, webhook or sms, not {name!r}")
