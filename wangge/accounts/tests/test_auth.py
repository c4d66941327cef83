from django.conf import settings
from django.test import Client

from wangge.audit.models import AuditEntry

RIGHT = "correct horse battery"


def _login(client, password, username="alice"):
    return client.post("/accounts/login/", {"username": username, "password": password})


def test_wrong_passwords_lock_the_account_even_for_the_right_one(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        response = _login(client, "not the password")
        assert response.status_code in (200, 429)
    response = _login(client, RIGHT)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert "locked" in response.content.decode().lower() or "锁" in response.content.decode()
    assert AuditEntry.objects.filter(action="auth.lockout").exists()
    assert not AuditEntry.objects.filter(action="auth.login").exists()


def test_the_right_password_works_before_the_limit(client, alice):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        _login(client, "not the password")
    response = _login(client, RIGHT)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(alice.pk)


def test_lockout_is_per_account_and_address(client, alice, bob):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(client, "not the password")
    assert _login(Client(), RIGHT, username="bob").status_code == 302


def test_admin_is_for_superusers_only(client, alice, admin_user):
    alice.is_staff = True  # even a staff flag does not open it
    alice.save()
    client.force_login(alice)
    for url in ["/admin/", "/admin/accounts/user/", "/admin/audit/auditentry/", "/admin/x/"]:
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/audit/auditentry/").status_code == 200


def test_admin_changes_are_audited(client, admin_user, bob):
    client.force_login(admin_user)
    response = client.post(
        f"/admin/accounts/user/{bob.pk}/change/",
        {
            "username": "bob",
            "display_name": "Bob B",
            "is_active": "on",
            "date_joined_0": "2026-01-01",
            "date_joined_1": "00:00:00",
            "role_assignments-TOTAL_FORMS": "1",
            "role_assignments-INITIAL_FORMS": "1",
            "role_assignments-MIN_NUM_FORMS": "0",
            "role_assignments-MAX_NUM_FORMS": "1000",
            "role_assignments-0-id": str(bob.role_assignments.get().pk),
            "role_assignments-0-user": str(bob.pk),
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    entry = AuditEntry.objects.get(action="admin.change")
    assert entry.actor == admin_user and entry.object_id == str(bob.pk)


def test_session_settings():
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_AGE <= 8 * 3600
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_SAMESITE == "Lax"


def test_post_without_csrf_token_is_refused(alice):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.post("/accounts/password/", {}).status_code == 403
    assert client.post("/accounts/logout/").status_code == 403
