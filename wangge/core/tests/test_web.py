from django.test import override_settings

from wangge.core.http import client_ip


def test_client_ip_ignores_forwarded_headers_without_a_proxy(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.5")
    assert client_ip(request) == "10.0.0.5"


@override_settings(BEHIND_TLS_PROXY=True)
def test_client_ip_behind_a_proxy_trusts_only_the_hop_it_added(rf):
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9", REMOTE_ADDR="10.0.0.1")
    assert client_ip(request) == "203.0.113.9"


def test_signed_in_pages_are_not_cached(client, alice):
    public = client.get("/healthz")
    assert "Cache-Control" not in public
    assert "default-src 'self'" in public["Content-Security-Policy"]
    client.force_login(alice)
    private = client.get("/")
    assert private["Cache-Control"] == "private, no-store"
    assert "Cookie" in private["Vary"]
    assert private["Cross-Origin-Opener-Policy"] == "same-origin"


def test_admin_pages_get_the_admin_policy(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert "style-src 'self' 'unsafe-inline'" in response["Content-Security-Policy"]
    assert "script-src 'self'" in response["Content-Security-Policy"]
