"""The sampling station's pages: the shell, its service worker and manifest, and the setup
that issues a device token for an area of the user's scope (and nothing outside it)."""

import json
import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from tests.factories import UserFactory, grant
from wangge.accounts.devices import authenticate_device
from wangge.accounts.models import DeviceToken
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.testing.models import DoorToDoorTeam, SamplingPoint
from wangge.testing.station_views import SHELL_STATIC, station_links
from wangge.testing.tests.factories import make_round

SETUP = "/station/setup/"


@pytest.fixture
def sampler(tree):
    """A volunteer who registers samples for the community (Perm.REGISTER_SAMPLES)."""
    return grant(UserFactory(username="zhouwu_sampler"), Role.SAMPLER, tree["community"])


def _no_inline_code(html: str) -> None:
    """What the Content-Security-Policy would block: inline scripts, handlers, styles."""
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag, tag
    assert not re.search(r"<style\b", html)
    assert not re.search(r"\sstyle=", html)
    assert not re.search(r"\son[a-z]+=", html)


def test_the_shell_needs_no_session_and_holds_nothing_personal(client, db):
    response = client.get("/station/")
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-cache"
    html = response.content.decode()
    _no_inline_code(html)
    assert 'rel="manifest" href="/station/manifest.webmanifest"' in html
    assert 'data-sw="/station/sw.js"' in html
    assert 'data-api="/api/v1/testing/station/"' in html
    assert "/jsi18n/" in html
    assert "csrfmiddlewaretoken" in html and 'name="csrfmiddlewaretoken" value=""' in html


def test_the_shell_is_the_same_for_a_signed_in_user(client, sampler):
    anonymous = Client().get("/station/").content.decode()
    client.force_login(sampler)
    signed_in = client.get("/station/").content.decode()
    # Cached by the service worker and shown offline to whoever holds the device.
    assert "zhouwu_sampler" not in signed_in
    assert signed_in == anonymous


def test_service_worker_is_served_fresh_with_the_station_scope(client, db):
    response = client.get("/station/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    assert response["Service-Worker-Allowed"] == "/station/"
    body = response.content.decode()
    config = json.loads(json.loads('"' + re.search(r'JSON\.parse\("(.*)"\)', body).group(1) + '"'))
    assert config["app_url"] == "/station/"
    assert config["api_prefix"] == "/api/v1/"
    assert "/station/" in config["shell"] and "/jsi18n/" in config["shell"]
    for name in SHELL_STATIC:
        assert f"/static/{name}" in config["shell"], name
        assert finders.find(name), f"{name} is missing from the static files"
    assert re.fullmatch(r"[0-9a-f]{16}", config["version"])


def test_service_worker_version_is_stable_between_requests(client, db):
    first = client.get("/station/sw.js").content
    assert client.get("/station/sw.js").content == first


def test_manifest_makes_the_station_installable(client, db):
    response = client.get("/station/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    assert response["Cache-Control"] == "no-cache"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/station/"
    assert manifest["scope"] == "/station/"
    assert manifest["display"] == "standalone"
    sizes = {icon["sizes"] for icon in manifest["icons"]}
    assert {"192x192", "512x512"} <= sizes
    for icon in manifest["icons"]:
        assert finders.find(icon["src"].removeprefix("/static/")), icon["src"]


def test_manifest_follows_the_language(client, db):
    chinese = json.loads(client.get("/station/manifest.webmanifest").content)
    english = json.loads(
        client.get("/station/manifest.webmanifest", HTTP_ACCEPT_LANGUAGE="en").content
    )
    assert english["lang"] == "en"
    assert chinese["lang"] == "zh-hans"


def test_setup_needs_a_signed_in_user(client, db):
    response = client.get(SETUP)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    assert client.post(SETUP, {"area": 1, "label": "x"}).status_code == 302


def test_setup_offers_only_areas_in_the_users_scope(
    client, tree, other_tree, sampler, django_assert_max_num_queries
):
    client.force_login(sampler)
    with django_assert_max_num_queries(8):
        response = client.get(SETUP)
    assert response.status_code == 200
    html = response.content.decode()
    _no_inline_code(html)
    offered = {int(pk) for pk in re.findall(r'<option value="(\d+)"', html)}
    assert offered == {tree["community"].pk, tree["grid_a"].pk, tree["grid_b"].pk}
    assert other_tree["grid_a"].name not in html


def test_setup_issues_a_token_for_an_area_in_scope(client, tree, sampler):
    client.force_login(sampler)
    response = client.post(SETUP, {"area": tree["grid_a"].pk, "label": "  1号点  2号台 "})
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    html = response.content.decode()
    _no_inline_code(html)
    token = re.search(r'data-token="(wgd_[^"]+)"', html).group(1)
    device = DeviceToken.objects.get()
    assert (device.user, device.area, device.label) == (sampler, tree["grid_a"], "1号点 2号台")
    assert authenticate_device(token) == device
    assert token not in device.token_hash
    entry = AuditEntry.objects.get(action="device.issue")
    assert entry.actor == sampler
    assert token not in json.dumps(entry.details)


def test_setup_needs_a_device_name(client, tree, sampler):
    client.force_login(sampler)
    response = client.post(SETUP, {"area": tree["grid_a"].pk, "label": "   "})
    assert response.status_code == 400
    assert not DeviceToken.objects.exists()
    assert f'value="{tree["grid_a"].pk}" selected' in response.content.decode()


@pytest.fixture
def places(tree, other_tree):
    """Points and teams of open rounds here and in another district, and of a planned round."""
    round_ = make_round(tree["community"], name="第三轮")
    planned = make_round(tree["community"], name="计划中", open_it=False)
    far = make_round(other_tree["community"], name="外区")
    return {
        "community": SamplingPoint.objects.create(
            round=round_, number=1, name="社区点", area=tree["community"]
        ),
        "grid_b": SamplingPoint.objects.create(
            round=round_, number=2, name="乙格点", area=tree["grid_b"]
        ),
        "team": DoorToDoorTeam.objects.create(round=round_, name="上门队", area=tree["grid_a"]),
        "planned": SamplingPoint.objects.create(
            round=planned, number=1, name="计划点", area=tree["community"]
        ),
        "far": SamplingPoint.objects.create(
            round=far, number=1, name="外区点", area=other_tree["community"]
        ),
    }


def test_setup_offers_the_points_and_teams_of_open_rounds_in_scope(
    client, sampler, places, django_assert_max_num_queries
):
    client.force_login(sampler)
    with django_assert_max_num_queries(10):
        html = client.get(SETUP).content.decode()
    offered = set(re.findall(r'<option value="((?:point|team):\d+)"', html))
    assert offered == {
        f"point:{places['community'].pk}",
        f"point:{places['grid_b'].pk}",
        f"team:{places['team'].pk}",
    }
    assert "第三轮" in html and "计划点" not in html and "外区" not in html


def test_setup_hands_the_chosen_point_or_team_to_the_station(client, tree, sampler, places):
    client.force_login(sampler)
    point = places["community"]
    chosen = {"area": tree["grid_a"].pk, "label": "1号台", "place": f"point:{point.pk}"}
    html = client.post(SETUP, chosen).content.decode()
    assert f'data-round="{point.round_id}" data-mode="point" data-place="{point.pk}"' in html
    team = places["team"]
    html = client.post(SETUP, {**chosen, "place": f"team:{team.pk}"}).content.decode()
    assert f'data-mode="door" data-place="{team.pk}"' in html
    # Left to the station: it takes its area's point in each round.
    html = client.post(SETUP, {**chosen, "place": ""}).content.decode()
    assert "data-token=" in html and "data-place" not in html


def test_setup_refuses_a_point_that_does_not_serve_the_area(client, tree, sampler, places):
    client.force_login(sampler)
    beside = {"area": tree["grid_a"].pk, "label": "1号台", "place": f"point:{places['grid_b'].pk}"}
    response = client.post(SETUP, beside)
    assert response.status_code == 400
    assert f'value="point:{places["grid_b"].pk}" selected' in response.content.decode()
    for unknown in (places["far"], places["planned"]):
        refused = client.post(SETUP, {**beside, "place": f"point:{unknown.pk}"})
        assert refused.status_code == 404
    assert client.post(SETUP, {**beside, "place": "point:x"}).status_code == 404
    assert client.post(SETUP, {**beside, "place": "tube:1"}).status_code == 404
    assert not DeviceToken.objects.exists()


def test_charlie_gets_404_for_an_area_out_of_scope(client, tree, other_tree, charlie):
    # He registers samples at home; another district's area does not exist for him.
    grant(charlie, Role.SAMPLER, other_tree["community"])
    client.force_login(charlie)
    assert client.post(SETUP, {"area": tree["grid_a"].pk, "label": "x"}).status_code == 404
    assert client.post(SETUP, {"area": tree["community"].pk, "label": "x"}).status_code == 404
    assert client.post(SETUP, {"area": "nonsense", "label": "x"}).status_code == 404
    assert client.post(SETUP, {"label": "x"}).status_code == 404
    assert not DeviceToken.objects.exists()
    response = client.post(SETUP, {"area": other_tree["grid_a"].pk, "label": "x"})
    assert response.status_code == 200
    assert DeviceToken.objects.get().area == other_tree["grid_a"]


def test_a_sampler_of_one_grid_cannot_take_the_whole_community(client, tree):
    volunteer = grant(UserFactory(username="vic"), Role.VOLUNTEER, tree["grid_b"])
    client.force_login(volunteer)
    assert client.post(SETUP, {"area": tree["community"].pk, "label": "x"}).status_code == 404
    assert client.post(SETUP, {"area": tree["grid_a"].pk, "label": "x"}).status_code == 404
    assert client.post(SETUP, {"area": tree["grid_b"].pk, "label": "x"}).status_code == 200


def test_a_grid_member_without_the_sampling_permission_is_told_so(client, tree, bob):
    client.force_login(bob)
    response = client.get(SETUP)
    assert response.status_code == 403
    assert "<select" not in response.content.decode()
    assert client.post(SETUP, {"area": tree["grid_a"].pk, "label": "x"}).status_code == 404
    assert not DeviceToken.objects.exists()


def test_the_station_link_shows_for_those_who_register_samples(rf, sampler, bob):
    request = rf.get("/")
    request.user = sampler
    assert [item.url for item in station_links(request)] == ["/station/"]
    request.user = bob
    assert station_links(request) == []
