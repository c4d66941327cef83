"""Outbound channels: signed webhooks, the SMS gateway's shape, retries with back-off."""

import datetime as dt
import hashlib
import hmac

import pytest

from tests.factories import UserFactory
from wangge.notifications import actions
from wangge.notifications.actions import Message
from wangge.notifications.choices import SendStatus
from wangge.notifications.models import OutboundMessage
from wangge.notifications.tests.doubles import start_gateway

SECRET = "webhook-test-secret"


@pytest.fixture
def gateway():
    double = start_gateway()
    yield double
    double.stop()


@pytest.fixture
def webhook(settings, gateway):
    settings.WANGGE_NOTIFY_CHANNEL = "webhook"
    settings.WANGGE_WEBHOOK_URL = gateway.url
    settings.WANGGE_WEBHOOK_SECRET = SECRET
    return gateway


def _notify(user, now):
    actions.notify(
        [user], Message("阳性混管 T001", "请复核", "/testing/1/recalls/"), area=None, at=now
    )
    return OutboundMessage.objects.get(notification__user=user)


def test_a_webhook_is_signed_and_carries_its_idempotency_key(db, clock, webhook):
    message = _notify(UserFactory(username="gl"), clock.now)
    assert actions.send_due(clock.now) == 1
    (received,) = webhook.requests
    assert received.headers["Idempotency-Key"] == str(message.pk)
    expected = hmac.new(SECRET.encode(), received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Wangge-Signature"] == f"sha256={expected}"
    assert received.document["recipient"] == "gl"
    assert received.document["title"] == "阳性混管 T001"
    message.refresh_from_db()
    assert (message.status, message.attempts) == (SendStatus.SENT, 1)


def test_failed_sends_back_off_doubling_then_give_up(db, clock, webhook, settings):
    settings.WANGGE_NOTIFY_MAX_ATTEMPTS = 3
    settings.WANGGE_NOTIFY_BACKOFF_SECONDS = 60
    webhook.answers = [500, 503, 502]
    message = _notify(UserFactory(username="gl"), clock.now)
    start = clock.now
    assert actions.send_due(clock.now) == 1
    # Not again before the back-off has passed: 1 minute, then 2.
    assert actions.send_due(clock.advance(seconds=59)) == 0
    assert actions.send_due(clock.advance(seconds=1)) == 1
    assert actions.send_due(clock.advance(seconds=119)) == 0
    assert actions.send_due(clock.advance(seconds=1)) == 1
    message.refresh_from_db()
    assert (message.status, message.attempts, message.last_error) == (
        SendStatus.FAILED,
        3,
        "HTTP 502",
    )
    assert clock.now - start == dt.timedelta(minutes=3)
    assert actions.send_due(clock.advance(days=2)) == 0
    assert len(webhook.requests) == 3 and not webhook.delivered


def test_a_send_that_fails_once_then_succeeds_is_delivered_once(db, clock, webhook):
    webhook.answers = [500]
    message = _notify(UserFactory(username="gl"), clock.now)
    actions.send_due(clock.now)
    actions.send_due(clock.advance(minutes=1))
    message.refresh_from_db()
    assert message.status == SendStatus.SENT
    assert list(webhook.delivered) == [str(message.pk)]


def test_the_sms_gateway_gets_the_account_and_a_bearer_token(db, clock, settings, gateway):
    """A user whom no app knows a phone for: the gateway resolves the account."""
    settings.WANGGE_NOTIFY_CHANNEL = "sms"
    settings.WANGGE_SMS_GATEWAY_URL = gateway.url
    settings.WANGGE_SMS_GATEWAY_TOKEN = "sms-token"
    _notify(UserFactory(username="gl", phone_masked="139****1111"), clock.now)
    actions.send_due(clock.now)
    (received,) = gateway.requests
    assert received.headers["Authorization"] == "Bearer sms-token"
    assert received.document["to"] == ""
    assert received.document["account"] == "gl"
    assert received.document["text"] == "阳性混管 T001"
    assert "1111" not in received.body.decode()


def test_the_log_channel_is_the_default_and_sends_at_once(db, clock, caplog):
    message = _notify(UserFactory(username="gl"), clock.now)
    with caplog.at_level("INFO", logger="wangge.notifications.channels"):
        actions.send_due(clock.now)
    message.refresh_from_db()
    assert message.channel == "log" and message.status == SendStatus.SENT
    assert "阳性混管 T001" in caplog.text


def test_backoff_doubles_and_is_capped(settings):
    settings.WANGGE_NOTIFY_BACKOFF_SECONDS = 60
    assert [actions.backoff(n).total_seconds() for n in (1, 2, 3)] == [60, 120, 240]
    assert actions.backoff(30) == dt.timedelta(days=1)


def test_a_misconfigured_channel_fails_the_system_check(settings):
    from wangge.notifications.checks import check_outbound_channel

    assert check_outbound_channel() == []
    settings.WANGGE_NOTIFY_CHANNEL = "webhook"
    settings.WANGGE_WEBHOOK_URL = "ftp://gateway"
    settings.WANGGE_WEBHOOK_SECRET = SECRET
    (error,) = check_outbound_channel()
    assert "WANGGE_WEBHOOK_URL" in error.msg
    settings.WANGGE_NOTIFY_CHANNEL = "pigeon"
    assert check_outbound_channel()[0].id == "wangge.E101"
