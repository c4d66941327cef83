import re

from tests.factories import UserFactory, grant
from wangge.accounts.devices import authenticate_device, issue_device_token
from wangge.accounts.models import DeviceToken
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role


def _issue(client, user, area, label="desk 1", hours=24):
    return client.post(
        "/accounts/devices/new/",
        {"user": user.pk, "area": area.pk, "label": label, "hours": hours},
    )


def test_issue_shows_the_token_once_with_a_qr_code(client, tree, alice):
    client.force_login(alice)
    response = _issue(client, alice, tree["grid_a"])
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    body = response.content.decode()
    token = re.search(r'<code class="token">(wgd_[\w-]+)</code>', body).group(1)
    assert '<svg width="' in body and 'class="segno"' in body
    device = authenticate_device(token)
    assert device is not None and device.user == alice and device.area == tree["grid_a"]
    # Stored only as a hash; the list shows a prefix.
    assert token not in DeviceToken.objects.values_list("token_hash", flat=True)
    listing = client.get("/accounts/devices/").content.decode()
    assert token not in listing and device.prefix in listing
    assert AuditEntry.objects.filter(action="device.issue", object_id=str(device.pk)).exists()


def test_issue_for_a_user_below(client, tree, alice, bob):
    client.force_login(alice)
    response = _issue(client, bob, tree["grid_a"])
    assert response.status_code == 200
    assert DeviceToken.objects.get().user == bob


def test_no_device_for_an_area_out_of_scope(client, tree, other_tree, alice):
    client.force_login(alice)
    response = _issue(client, alice, other_tree["grid_a"])
    assert response.status_code == 200  # the form again, with its error
    assert not DeviceToken.objects.exists()


def test_no_device_for_someone_above(client, tree, alice):
    boss = grant(UserFactory(username="boss"), Role.STREET_STAFF, tree["street"])
    client.force_login(alice)
    response = _issue(client, boss, tree["grid_a"])
    assert response.status_code == 200
    assert not DeviceToken.objects.exists()


def test_no_device_for_someone_of_another_district(client, tree, alice, charlie):
    client.force_login(alice)
    _issue(client, charlie, tree["grid_a"])
    assert not DeviceToken.objects.exists()


def test_no_device_for_an_area_outside_the_users_own_scope(client, tree, alice, bob):
    """bob works in grid A: a device for grid B would be an empty shell, and is refused."""
    client.force_login(alice)
    _issue(client, bob, tree["grid_b"])
    assert not DeviceToken.objects.exists()


def test_grid_members_cannot_issue(client, tree, bob):
    client.force_login(bob)
    assert client.get("/accounts/devices/new/").status_code == 403
    assert _issue(client, bob, tree["grid_a"]).status_code == 403


def test_charlie_cannot_see_or_revoke_alices_devices(client, tree, alice, charlie):
    _token, device = issue_device_token(alice, tree["grid_a"], "desk A", acting_user=alice)
    client.force_login(charlie)
    assert "desk A" not in client.get("/accounts/devices/").content.decode()
    assert client.post(f"/accounts/devices/{device.pk}/revoke/").status_code == 404
    device.refresh_from_db()
    assert device.revoked_at is None


def test_anyone_revokes_their_own_lost_phone(client, tree, alice, bob):
    token, device = issue_device_token(bob, tree["grid_a"], "bob's phone", acting_user=alice)
    client.force_login(bob)
    assert "bob&#x27;s phone" in client.get("/accounts/devices/").content.decode()
    assert client.post(f"/accounts/devices/{device.pk}/revoke/").status_code == 302
    assert authenticate_device(token) is None
    assert AuditEntry.objects.filter(action="device.revoke", actor=bob).exists()


def test_device_list_takes_a_fixed_number_of_queries(
    client, tree, alice, django_assert_max_num_queries
):
    for index in range(20):
        issue_device_token(alice, tree["grid_a"], f"desk {index}", acting_user=alice)
    client.force_login(alice)
    with django_assert_max_num_queries(7):
        response = client.get("/accounts/devices/")
    assert response.content.decode().count("/revoke/") == 20
