"""Production settings: no start without keys, secure cookies; the demo's own secrets."""

import base64
import os
import runpy
import stat

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

import wangge
from wangge.core.checks import check_personal_data_keys
from wangge.lib import secrets as local_secrets

SECRETS = ("SECRET_KEY", "WANGGE_DATA_KEYS", "WANGGE_INDEX_KEYS")
SETTINGS_FILE = os.path.join(os.path.dirname(wangge.__file__), "settings.py")


def _key(key_id):
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


def _load_settings(monkeypatch, tmp_path, **env):
    for name in (*SECRETS, "WANGGE_DEMO", "DEBUG", "SECURE_COOKIES", "SECURE_HSTS_SECONDS"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("WANGGE_VAR_DIR", str(tmp_path))
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    # Run the settings file afresh (the imported module is the test settings' base).
    return runpy.run_path(SETTINGS_FILE, run_name="wangge_settings_probe")


@pytest.mark.parametrize("missing", SECRETS)
def test_production_refuses_to_start_without_each_secret(monkeypatch, tmp_path, missing):
    env = {"SECRET_KEY": "k" * 50, "WANGGE_DATA_KEYS": _key("d1"), "WANGGE_INDEX_KEYS": _key("i1")}
    del env[missing]
    with pytest.raises(ImproperlyConfigured, match=missing):
        _load_settings(monkeypatch, tmp_path, **env)
    assert not (tmp_path / "secrets.json").exists()


def test_production_cookies_are_secure(monkeypatch, tmp_path):
    loaded = _load_settings(
        monkeypatch,
        tmp_path,
        SECRET_KEY="k" * 50,
        WANGGE_DATA_KEYS=_key("d1"),
        WANGGE_INDEX_KEYS=_key("i1"),
    )
    assert loaded["SESSION_COOKIE_SECURE"] and loaded["CSRF_COOKIE_SECURE"]
    assert loaded["SESSION_COOKIE_HTTPONLY"]
    assert loaded["SECURE_HSTS_SECONDS"] >= 365 * 24 * 3600
    assert not loaded["DEBUG"]


def test_the_demo_generates_its_secrets_readable_by_its_owner_only(monkeypatch, tmp_path):
    old_umask = os.umask(0)  # even with a permissive umask
    try:
        loaded = _load_settings(monkeypatch, tmp_path, WANGGE_DEMO="true")
    finally:
        os.umask(old_umask)
    path = tmp_path / "secrets.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert loaded["WANGGE_DATA_KEYS"].startswith("d1:")
    assert not loaded["SESSION_COOKIE_SECURE"]  # the demo runs on plain http://127.0.0.1
    # A second start reuses them (the data stays readable).
    again = local_secrets.load_or_create(path)
    assert again["WANGGE_DATA_KEYS"] == loaded["WANGGE_DATA_KEYS"]


def test_malformed_or_shared_keys_fail_the_system_check():
    same = _key("k1")
    # The same key material under another id (not str.replace: the random base64 may
    # itself contain "k1").
    renamed = "k2:" + same.partition(":")[2]
    with override_settings(WANGGE_DATA_KEYS="nonsense", WANGGE_INDEX_KEYS=_key("i1")):
        assert [e.id for e in check_personal_data_keys()] == ["wangge.E001"]
    with override_settings(WANGGE_DATA_KEYS=same, WANGGE_INDEX_KEYS=renamed):
        assert [e.id for e in check_personal_data_keys()] == ["wangge.E002"]
    with override_settings(WANGGE_DATA_KEYS=_key("d1"), WANGGE_INDEX_KEYS=_key("i1")):
        assert check_personal_data_keys() == []
