"""The checkpoint device's pages: its shell (a DeviceShell of wangge/core/offline.py, like
the sampling station's), service worker and manifest, and the setup that issues a device
token for the area of a checkpoint in the officer's scope (and nothing outside it)."""

import json
import re
from typing import Any

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import UserFactory, grant
from wangge.accounts.devices import authenticate_device
from wangge.accounts.models import DeviceToken
from wangge.audit.models import AuditEntry
from wangge.checkpoints.device_views import SHELL_STATIC
from wangge.checkpoints.models import Checkpoint
from wangge.core.offline import OFFLINE_STATIC
from wangge.core.permissions import Role

SETUP = "/checkpoint-device/setup/"


@pytest.fixture
def officer(tree):
    """A checkpoint officer of the community (Perm.REGISTER_CHECKPOINT)."""
    return grant(UserFactory(username="kakou_officer"), Role.CHECKPOINT_OFFICER, tree["community"])


@pytest.fixture
def checkpoints(tree, other_tree):
    return {
        "grid_a": Checkpoint.objects.create(area=tree["grid_a"], name="北门卡口"),
        "grid_b": Checkpoint.objects.create(area=tree["grid_b"], name="南门卡口"),
        "closed": Checkpoint.objects.create(area=tree["grid_a"], name="旧卡口", active=False),
        "far": Checkpoint.objects.create(area=other_tree["grid_a"], name="外区卡口"),
    }


def _no_inline_code(html: str) -> None:
    """What the Content-Security-Policy would block: inline scripts, handlers, styles."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_shell_needs_no_session_and_is_the_same_for_everyone(client, officer):
    anonymous = Client().get("/checkpoint-device/")
    assert anonymous.status_code == 200
    assert anonymous["Cache-Control"] == "no-cache"
    html = anonymous.content.decode()
    _no_inline_code(html)
    assert 'data-api="/api/v1/checkpoints/"' in html
    assert 'data-sw="/checkpoint-device/sw.js"' in html
    assert 'rel="manifest" href="/checkpoint-device/manifest.webmanifest"' in html
    # The generic offline layer first, then the device's own scripts.
    scripts = re.findall(r'<script src="([^"]+)"', html)
    assert scripts[1:4] == [f"/static/{name}" for name in OFFLINE_STATIC[1:]]
    client.force_login(officer)
    assert client.get("/checkpoint-device/").content.decode() == html
    assert "kakou_officer" not in html


def _config(worker: str) -> dict[str, Any]:
    encoded = re.search(r'JSON\.parse\("(.*)"\)', worker)
    assert encoded is not None
    return json.loads(json.loads('"' + encoded.group(1) + '"'))


def test_the_service_worker_caches_the_shell_under_its_own_name(client, db):
    response = client.get("/checkpoint-device/sw.js")
    assert response.status_code == 200
    assert response["Service-Worker-Allowed"] == "/checkpoint-device/"
    body = response.content.decode()
    config = _config(body)
    assert config["app_url"] == "/checkpoint-device/"
    # Its own cache: a new station deployment never drops the checkpoint's, nor the reverse.
    assert config["cache_prefix"] == "wangge-checkpoint-"
    station = _config(client.get("/station/sw.js").content.decode())
    assert not config["cache_prefix"].startswith(station["cache_prefix"])
    assert not station["cache_prefix"].startswith(config["cache_prefix"])
    for name in OFFLINE_STATIC + SHELL_STATIC:
        assert f"/static/{name}" in config["shell"], name
        assert finders.find(name), f"{name} is missing from the static files"
    # One service worker, the station's too: only its configuration differs.
    station_body = client.get("/station/sw.js").content.decode()
    assert _without_config(body) == _without_config(station_body)


def _without_config(worker: str) -> str:
    return re.sub(r'JSON\.parse\(".*"\)', "", worker)


def test_the_manifest_makes_the_device_installable_in_the_language(client, db):
    manifest = json.loads(client.get("/checkpoint-device/manifest.webmanifest").content)
    assert (manifest["start_url"], manifest["scope"]) == ("/checkpoint-device/",) * 2
    assert manifest["lang"] == "zh-hans"
    assert manifest["name"] == "网格卡口登记"
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]
    english = client.get("/checkpoint-device/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en")
    assert json.loads(english.content)["name"] == "Wangge checkpoint"


def test_setup_needs_a_signed_in_user(client, db):
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_setup_offers_the_active_checkpoints_in_scope(
    client, officer, checkpoints, django_assert_max_num_queries
):
    client.force_login(officer)
    with django_assert_max_num_queries(8):
        response = client.get(SETUP)
    assert response.status_code == 200
    html = response.content.decode()
    _no_inline_code(html)
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', html)}
    assert offered == {checkpoints["grid_a"].pk, checkpoints["grid_b"].pk}
    assert "外区卡口" not in html and "旧卡口" not in html


def test_setup_issues_a_token_for_the_checkpoints_area(client, tree, officer, checkpoints):
    client.force_login(officer)
    north = checkpoints["grid_a"]
    response = client.post(SETUP, {"checkpoint": north.pk, "label": " 北门 1 道 "})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    _no_inline_code(html)
    token = re.search(r'data-token="(wgd_[^"]+)"', html).group(1)
    assert f'data-checkpoint="{north.pk}"' in html
    device = DeviceToken.objects.get()
    assert (device.user, device.area, device.label) == (officer, tree["grid_a"], "北门 1 道")
    assert authenticate_device(token) == device
    entry = AuditEntry.objects.get(action="device.issue")
    assert token not in json.dumps(entry.details)


def test_setup_needs_a_device_name(client, officer, checkpoints):
    client.force_login(officer)
    response = client.post(SETUP, {"checkpoint": checkpoints["grid_a"].pk, "label": "  "})
    assert response.status_code == 400
    assert not DeviceToken.objects.exists()
    assert f'value="{checkpoints["grid_a"].pk}" selected' in response.content.decode()


def test_a_checkpoint_out_of_scope_closed_or_unknown_is_not_found(
    client, tree, officer, checkpoints
):
    grid_b_officer = grant(UserFactory(username="nan"), Role.CHECKPOINT_OFFICER, tree["grid_b"])
    client.force_login(grid_b_officer)
    for checkpoint in (checkpoints["grid_a"], checkpoints["far"], checkpoints["closed"]):
        assert client.post(SETUP, {"checkpoint": checkpoint.pk, "label": "x"}).status_code == 404
    assert client.post(SETUP, {"checkpoint": "nonsense", "label": "x"}).status_code == 404
    assert client.post(SETUP, {"label": "x"}).status_code == 404
    assert not DeviceToken.objects.exists()
    ok = client.post(SETUP, {"checkpoint": checkpoints["grid_b"].pk, "label": "x"})
    assert ok.status_code == 200


def test_someone_who_registers_at_no_checkpoint_is_told_so(client, tree, bob, checkpoints):
    client.force_login(bob)
    response = client.get(SETUP)
    assert response.status_code == 403
    assert "<select" not in response.content.decode()
    response = client.post(SETUP, {"checkpoint": checkpoints["grid_a"].pk, "label": "x"})
    assert response.status_code == 404


def test_the_checkpoints_page_leads_those_who_register_to_the_device(
    client, officer, bob, checkpoints
):
    client.force_login(officer)
    assert "/checkpoint-device/setup/" in client.get("/checkpoints/").content.decode()
    client.force_login(bob)
    assert "/checkpoint-device/setup/" not in client.get("/checkpoints/").content.decode()
