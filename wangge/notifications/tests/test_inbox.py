"""The inbox is each person's own; the deliveries page is for those who read the audit."""

import pytest
from django.urls import reverse

from tests.factories import UserFactory, grant
from wangge.core.permissions import Role
from wangge.notifications import actions
from wangge.notifications.actions import Message
from wangge.notifications.models import Notification, OutboundMessage


def _tell(user, title, clock, area=None):
    (note,) = actions.notify([user], Message(title, "", ""), area=area, at=clock.now)
    return note


def test_the_inbox_shows_only_ones_own_notifications(client, alice, bob, clock):
    _tell(alice, "给社区的消息", clock)
    _tell(bob, "给网格员的消息", clock)
    client.force_login(alice)
    page = client.get(reverse("notifications:inbox")).content.decode()
    assert "给社区的消息" in page and "给网格员的消息" not in page


def test_nobody_marks_another_persons_notification_read(client, alice, bob, clock):
    note = _tell(bob, "给网格员的消息", clock)
    client.force_login(alice)
    assert client.post(reverse("notifications:read", args=[note.pk])).status_code == 404
    note.refresh_from_db()
    assert note.read_at is None


def test_marking_read_lowers_the_unread_count_in_the_header(client, alice, clock):
    first = _tell(alice, "一", clock)
    _tell(alice, "二", clock)
    client.force_login(alice)
    assert client.get(reverse("home")).context["inbox_unread"] == 2
    client.post(reverse("notifications:read", args=[first.pk]))
    assert client.get(reverse("home")).context["inbox_unread"] == 1
    client.post(reverse("notifications:read_all"))
    assert client.get(reverse("home")).context["inbox_unread"] == 0
    assert not Notification.objects.filter(user=alice, read_at=None).exists()


def test_the_deliveries_page_shows_given_up_messages_in_scope_to_administrators(
    client, tree, other_tree, alice, clock
):
    admin = grant(UserFactory(username="district_admin"), Role.ADMINISTRATOR, tree["district"])
    _tell(alice, "本区的消息", clock, area=tree["grid_a"])
    _tell(alice, "外区的消息", clock, area=other_tree["grid_a"])
    OutboundMessage.objects.update(status="failed", attempts=8, last_error="HTTP 502")
    client.force_login(alice)
    assert client.get(reverse("notifications:deliveries")).status_code == 403
    client.force_login(admin)
    page = client.get(reverse("notifications:deliveries")).content.decode()
    assert "本区的消息" in page and "HTTP 502" in page
    assert "外区的消息" not in page


@pytest.mark.parametrize("count", [1, 30])
def test_the_inbox_reads_in_a_fixed_number_of_queries(
    client, alice, clock, count, django_assert_max_num_queries
):
    for n in range(count):
        _tell(alice, f"消息{n}", clock)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("notifications:inbox")).status_code == 200
