"""What a station learns about people is audited, and a volunteer's own station is limited."""

# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import datetime as dt
import json
import re

import pytest
from django.utils import timezone

from tests.factories import UserFactory, grant, id_number, make_resident
from wangge.accounts.devices import VOLUNTEER_DEVICE_HOURS
from wangge.accounts.models import DeviceToken
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.testing.actions import station as station_actions
from wangge.testing.tests.station_factories import far_station, people, sampler, station
from wangge.testing.tests.test_station_api import call

PASSWORD = "correct horse battery"  # tests.factories.UserFactory


def lookup(client, device, number):
    return call(client, device, "post", "lookup", {"id_type": "resident_card", "id_number": number})


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("pk"))


def test_every_lookup_is_audited_without_the_number(client, station, far_station, tree):
    number = id_number()
    person = make_resident(tree["grid_a"], "赵六", number=number, phone="")
    unknown = id_number()
    assert lookup(client, station, number).json()["resident"]["code"] == person.code
    assert lookup(client, station, unknown).json() == {"found": False, "resident": None}
    # Out of the device's area answers like a number nobody has, and is audited alike.
    assert lookup(client, far_station, number).json() == {"found": False, "resident": None}
    found, missing, elsewhere = entries(station_actions.LOOKUP)
    assert (found.object_type, found.object_id) == ("residents.resident", str(person.pk))
    assert found.details == {
        "device": station.device.pk,
        "kind": "id_number",
        "id_type": "resident_card",
        "result": "found",
    }
    assert found.actor_name == "sampler" and found.area_path == tree["community"].path
    assert missing.details["result"] == "not_found" and missing.object_id == ""
    assert elsewhere.details["result"] == "not_found"
    assert elsewhere.details["device"] == far_station.device.pk
    text = json.dumps([[e.details, e.object_id, e.source] for e in entries("station.lookup")])
    assert number not in text and unknown not in text


def test_a_full_roster_download_is_audited_once_not_per_page(client, station, people, tree):
    cursor, pages = None, 0
    while True:
        params = {"limit": 4, **({"cursor": cursor} if cursor else {})}
        answer = call(client, station, "get", "roster", **params).json()
        cursor, pages = answer["next_cursor"], pages + 1
        if answer["complete"]:
            break
    assert pages == 3
    # The change downloads that follow (every minute) are not full downloads.
    assert call(client, station, "get", "roster", cursor=cursor).json()["complete"]
    (entry,) = entries(station_actions.ROSTER_DOWNLOAD)
    assert entry.details == {
        "device": station.device.pk,
        "area": tree["community"].name,
        "reset": False,
    }
    assert (entry.object_type, entry.object_id) == ("areas.area", str(tree["community"].pk))
    assert entry.area_path == tree["community"].path and entry.actor_name == "sampler"
    # Starting again from nothing (a new phone, a cleared browser) is a new download.
    call(client, station, "get", "roster")
    assert len(entries(station_actions.ROSTER_DOWNLOAD)) == 2


def _set_up_own_station(client, user, area):
    client.force_login(user)
    response = client.post("/station/setup/", {"area": area.pk, "label": "我的手机"})
    assert response.status_code == 200
    token = re.search(r'data-token="([^"]+)"', response.content.decode()).group(1)
    client.logout()
    return type(
        "Station", (), {"token": token, "device": DeviceToken.objects.get(label="我的手机")}
    )


def test_a_volunteers_own_station_is_limited_to_a_desk(client, tree, monkeypatch):
    volunteer = grant(UserFactory(username="xiaowang"), Role.VOLUNTEER, tree["community"])
    person = make_resident(tree["grid_a"], "钱七", phone="13912345678")
    client.force_login(volunteer)
    page = client.get("/station/setup/")
    assert page.context["hours"] == VOLUNTEER_DEVICE_HOURS and page.context["limited"]
    client.logout()
    own = _set_up_own_station(client, volunteer, tree["community"])
    device = own.device
    assert device.limited
    lifetime = device.expires_at - timezone.now()
    assert dt.timedelta(hours=VOLUNTEER_DEVICE_HOURS - 1) < lifetime
    assert lifetime <= dt.timedelta(hours=VOLUNTEER_DEVICE_HOURS)
    assert call(client, own, "get", "me").json()["limited"] is True
    client.force_login(volunteer)
    listing = client.get("/accounts/devices/").content.decode()
    assert "我的手机" in listing and "自设设备（受限）" in listing
    client.logout()
    # Its roster holds no phones: a desk confirms people by name, year and household.
    (row,) = call(client, own, "get", "roster").json()["items"]
    assert row["code"] == person.code and row["phone_masked"] == ""
    # Lookups at a desk's pace, not at a brute force's: past the allowance, a 429.
    monkeypatch.setattr(station_actions, "VOLUNTEER_LOOKUPS_PER_HOUR", 2)
    number = person.reveal_id_number()
    assert lookup(client, own, number).json()["found"]
    assert not lookup(client, own, id_number()).json()["found"]
    refused = lookup(client, own, number)
    assert refused.status_code == 429 and "居民码" in refused.json()["detail"]  # translated
    assert [e.details["result"] for e in entries(station_actions.LOOKUP)] == [
        "found",
        "not_found",
        "over_limit",
    ]


def test_a_samplers_own_limited_station_is_not_called_a_volunteers(client, tree):
    sampler = grant(UserFactory(username="caiyang"), Role.SAMPLER, tree["community"])
    client.force_login(sampler)
    setup = client.get("/station/setup/").content.decode()
    assert "您自行设置的登记台不保存电话号码" in setup and "志愿者" not in setup
    client.logout()
    assert _set_up_own_station(client, sampler, tree["community"]).device.limited
    client.force_login(sampler)
    listing = client.get("/accounts/devices/").content.decode()
    assert "自设设备（受限）" in listing and "志愿者" not in listing


def test_staff_set_up_their_own_station_unlimited(client, tree, monkeypatch):
    staff = grant(UserFactory(username="shequ"), Role.COMMUNITY_STAFF, tree["community"])
    make_resident(tree["grid_a"], "孙八", phone="13912345678")
    own = _set_up_own_station(client, staff, tree["community"])
    assert not own.device.limited
    assert own.device.expires_at - timezone.now() > dt.timedelta(hours=VOLUNTEER_DEVICE_HOURS)
    (row,) = call(client, own, "get", "roster").json()["items"]
    assert row["phone_masked"] == "139****5678"
    monkeypatch.setattr(station_actions, "VOLUNTEER_LOOKUPS_PER_HOUR", 0)
    assert lookup(client, own, id_number()).status_code == 200
