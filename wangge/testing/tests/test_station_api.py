"""The station API over HTTP: device tokens, scope (404 outside it), every route, OpenAPI."""

# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import datetime as dt
import json
from urllib.parse import quote

import pytest
from django.utils import timezone

from tests.factories import id_number, make_resident
from wangge.accounts.devices import revoke_device_token
from wangge.accounts.models import DeviceToken
from wangge.lib.uuid7 import uuid7
from wangge.residents.choices import Tag
from wangge.testing.choices import TubeStatus
from wangge.testing.models import DoorToDoorTeam, HomeVisit, Registration, SamplingPoint, Tube
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.station_factories import (
    far_station,
    item,
    people,
    round_,
    sampler,
    station,
)

BASE = "/api/v1/testing/station/"


def call(client, station, method, path, body=None, **params):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {station.token}"} if station else {}
    if method == "get":
        return client.get(BASE + path, params, **headers)
    return client.post(
        BASE + path,
        data=body if isinstance(body, (bytes, str)) else json.dumps(body),
        content_type="application/json",
        **headers,
    )


ALL_ROUTES = [
    ("get", "me"),
    ("get", "rounds"),
    ("get", "roster"),
    ("get", "rounds/{round}/sampled"),
    ("post", "registrations"),
    ("post", "tubes/T1/seal"),
    ("get", "rounds/{round}/home-visits"),
    ("post", "home-visits"),
    ("post", "lookup"),
]


ROSTER_ITEM_FIELDS = {
    "code",
    "name",
    "id_type",
    "id_masked",
    "phone_masked",
    "household_id",
    "household_label",
    "grid_id",
    "grid_name",
    "status",
    "home_visit",
    "sex",
    "birth_year",
}


@pytest.mark.parametrize(("method", "path"), ALL_ROUTES)
def test_every_route_needs_a_live_device_token(client, station, round_, sampler, method, path):
    path = path.format(round=round_.pk)
    body = {"items": []} if method == "post" else None
    assert call(client, None, method, path, body).status_code == 401
    wrong = type(station)(token=station.token + "x")
    assert call(client, wrong, method, path, body).status_code == 401
    DeviceToken.objects.filter(pk=station.device.pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert call(client, station, method, path, body).status_code == 401


def test_a_revoked_token_is_refused(client, station, sampler):
    assert call(client, station, "get", "me").status_code == 200
    revoke_device_token(station.device, acting_user=sampler)
    response = call(client, station, "get", "me")
    assert response.status_code == 401 and set(response.json()) == {"detail"}


def test_me_describes_the_device_and_holds_no_key(client, station, tree):
    answer = call(client, station, "get", "me").json()
    assert answer["label"] == "desk 1" and answer["device_id"] == station.device.pk
    assert answer["area"]["id"] == tree["community"].pk
    assert answer["area"]["path_names"] == ["兰州市", "七里河区", "西园街道", "西园社区"]
    assert answer["user"]["username"] == "sampler"
    assert answer["limited"] is False
    assert "roster_key" not in answer
    assert dt.datetime.fromisoformat(answer["server_time"]).tzinfo is not None


def test_rounds_lists_open_rounds_with_points_and_teams_here(
    client, station, far_station, round_, tree, other_tree, alice
):
    SamplingPoint.objects.create(round=round_, number=2, name="2号", area=tree["grid_a"])
    above = SamplingPoint.objects.create(round=round_, number=1, name="1号", area=tree["street"])
    team = DoorToDoorTeam.objects.create(round=round_, name="上门队", area=tree["community"])
    make_round(tree["community"], open_it=False, name="计划中")
    make_round(other_tree["community"], name="外区")
    answer = call(client, station, "get", "rounds").json()
    assert [r["name"] for r in answer] == [round_.name]
    assert [(p["number"], p["name"]) for p in answer[0]["sampling_points"]] == [
        (1, "1号"),
        (2, "2号"),
    ]
    assert [t["name"] for t in answer[0]["door_teams"]] == ["上门队"]
    # The community's station starts at the point above it, not at the grid's below it.
    assert answer[0]["default_sampling_point_id"] == above.pk
    assert answer[0]["default_team_id"] == team.pk
    assert [r["name"] for r in call(client, far_station, "get", "rounds").json()] == ["外区"]


def test_a_station_defaults_to_the_point_of_its_own_area(client, station, round_, tree):
    SamplingPoint.objects.create(round=round_, number=1, name="1号", area=tree["street"])
    own = SamplingPoint.objects.create(round=round_, number=3, name="3号", area=tree["community"])
    SamplingPoint.objects.create(round=round_, number=4, name="4号", area=tree["community"])
    answer = call(client, station, "get", "rounds").json()
    assert answer[0]["default_sampling_point_id"] == own.pk
    assert answer[0]["default_team_id"] is None


def test_the_roster_holds_the_area_with_masked_numbers_and_no_key(
    client, station, far_station, people, tree
):
    number = id_number(sex="F")
    person = make_resident(tree["grid_b"], "王五", number=number, phone="13900001234")
    answer = call(client, station, "get", "roster").json()
    assert answer["complete"] and not answer["reset"] and answer["removed"] == []
    assert len(answer["items"]) == 10
    row = next(r for r in answer["items"] if r["code"] == person.code)
    # Nothing computed from the number: with birth year and sex beside it, any hash the
    # device can compute gives the number away (docs/security.md).
    assert set(row) == ROSTER_ITEM_FIELDS
    assert row["id_masked"] == person.id_number_masked and number not in json.dumps(answer)
    assert row["phone_masked"] == "139****1234" and row["grid_name"] == "二号小区"
    assert row["household_label"] == "1-1-101" and row["birth_year"] == person.birth_year == 1980
    assert row["sex"] == "F"
    assert call(client, far_station, "get", "roster").json()["items"] == []


def test_sampled_codes_of_a_round_and_404_outside(
    client, station, far_station, people, round_, sampler
):
    a, b = people
    response = call(client, station, "post", "registrations", {"items": [item(round_, "T1", a[0])]})
    assert response.json()["results"][0]["status"] == "accepted"
    answer = call(client, station, "get", f"rounds/{round_.pk}/sampled").json()
    assert answer["codes"] == [a[0].code] and answer["complete"]
    assert call(client, far_station, "get", f"rounds/{round_.pk}/sampled").status_code == 404
    assert call(client, station, "get", "rounds/999999/sampled").status_code == 404


def test_registrations_over_http_answer_per_item(client, station, far_station, people, round_):
    a, _ = people
    good = item(round_, "T1", a[0])
    bad = {**item(round_, "T1", a[1]), "tube_capacity": 3}
    response = call(client, station, "post", "registrations", {"items": [good, bad]})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected"]
    assert results[0] == {
        "client_id": good["client_id"],
        "status": "accepted",
        "reason_code": "",
        "reason": "",
        "already_sampled": False,
        "tube_filled": 1,
        "tube_sealed": False,
        "field": "",
    }
    assert results[1]["reason_code"] == "invalid" and results[1]["reason"]
    assert results[1]["field"] == "tube_capacity"
    again = call(client, station, "post", "registrations", {"items": [good]}).json()
    assert again["results"][0]["status"] == "duplicate"
    far = call(client, far_station, "post", "registrations", {"items": [item(round_, "T9", a[2])]})
    assert far.json()["results"][0]["reason_code"] == "unknown_round"
    assert Registration.objects.count() == 1


def test_reasons_are_translated(client, station, people, round_):
    a, _ = people
    body = {"items": [item(round_, "T1", {"resident_code": "ZZZZZZZZZZ"})]}
    english = call(client, station, "post", "registrations", body)
    chinese = client.post(
        BASE + "registrations",
        data=json.dumps({"items": [item(round_, "T1", {"resident_code": "ZZZZZZZZZZ"})]}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {station.token}",
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert english.json()["results"][0]["reason_code"] == "unknown_person"
    assert chinese.json()["results"][0]["reason_code"] == "unknown_person"


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"not json", 400),
        (b'{"items": "no"}', 422),
        (json.dumps({"items": [{}] * 501}).encode(), 422),
    ],
)
def test_a_body_that_is_not_a_batch_is_refused_whole(client, station, body, status):
    response = call(client, station, "post", "registrations", body)
    assert response.status_code == status and response.json()["detail"]
    response = call(client, station, "post", "home-visits", body)
    assert response.status_code == status


def test_sealing_a_tube_early_and_404_outside(client, station, far_station, people, round_):
    a, _ = people
    call(client, station, "post", "registrations", {"items": [item(round_, "T1", a[0])]})
    assert call(client, far_station, "post", "tubes/T1/seal").status_code == 404
    assert call(client, station, "post", "tubes/NOPE/seal").status_code == 404
    answer = call(client, station, "post", "tubes/T1/seal").json()
    assert answer == {"barcode": "T1", "status": "sealed", "filled": 1, "capacity": 10}
    again = call(client, station, "post", "tubes/T1/seal")
    assert again.status_code == 200 and again.json()["status"] == TubeStatus.SEALED
    assert Tube.objects.get(barcode="T1").status == TubeStatus.SEALED


def test_a_barcode_with_a_slash_can_be_sealed(client, station, people, round_):
    a, _ = people
    barcode = 'T/1-"x"?'
    call(client, station, "post", "registrations", {"items": [item(round_, barcode, a[0])]})
    response = call(client, station, "post", f"tubes/{quote(barcode, safe='')}/seal")
    assert response.status_code == 200 and response.json()["barcode"] == barcode


def test_home_visits_list_and_upload(client, station, far_station, round_, tree, people):
    bedridden = make_resident(tree["grid_a"], "卧床", tags=int(Tag.BEDRIDDEN), room="301", phone="")
    make_resident(tree["grid_a"], "家人", room="301", phone="")
    team = DoorToDoorTeam.objects.create(round=round_, name="上门队", area=tree["grid_a"])
    listing = call(client, station, "get", f"rounds/{round_.pk}/home-visits").json()
    assert [h["household_id"] for h in listing] == [bedridden.household_id]
    assert {r["name"] for r in listing[0]["residents"]} == {"卧床", "家人"}
    assert listing[0]["outcome"] is None
    assert call(client, far_station, "get", f"rounds/{round_.pk}/home-visits").status_code == 404
    assert (
        call(client, station, "get", f"rounds/{round_.pk}/home-visits", team=999999).status_code
        == 404
    )
    a, _ = people
    visits = [
        {
            "client_id": str(uuid7()),
            "round_id": round_.pk,
            "household_id": bedridden.household_id,
            "outcome": "nobody_home",
            "note": "",
            "visited_at": timezone.now().isoformat(),
            "team_id": team.pk,
        },
        {
            "client_id": str(uuid7()),
            "round_id": round_.pk,
            "household_id": a[0].household_id,  # not on the list: the team adds it
            "outcome": "refused",
            "visited_at": timezone.now().isoformat(),
            "team_id": team.pk,
        },
        {"client_id": str(uuid7()), "round_id": round_.pk, "outcome": "maybe"},
    ]
    answer = call(client, station, "post", "home-visits", {"items": visits}).json()
    assert [r["status"] for r in answer["results"]] == ["accepted", "accepted", "rejected"]
    assert HomeVisit.objects.count() == 2
    listing = call(client, station, "get", f"rounds/{round_.pk}/home-visits", team=team.pk).json()
    assert [h["outcome"] for h in listing] == ["refused", "nobody_home"] or [
        h["outcome"] for h in listing
    ] == ["nobody_home", "refused"]
    assert {h["household_id"] for h in listing} == {bedridden.household_id, a[0].household_id}


def test_lookup_finds_residents_of_the_area_only(client, station, far_station, tree, other_tree):
    number = id_number()
    person = make_resident(tree["grid_a"], "赵六", number=number, phone="")
    elsewhere = id_number()
    make_resident(other_tree["grid_a"], "外人", number=elsewhere, phone="")
    answer = call(
        client, station, "post", "lookup", {"id_type": "resident_card", "id_number": number}
    ).json()
    assert answer["found"] and answer["resident"]["code"] == person.code
    assert number not in json.dumps(answer)
    hidden = call(
        client, station, "post", "lookup", {"id_type": "resident_card", "id_number": elsewhere}
    ).json()
    assert hidden == {"found": False, "resident": None}
    assert not call(
        client, far_station, "post", "lookup", {"id_type": "resident_card", "id_number": number}
    ).json()["found"]
    invalid = call(
        client, station, "post", "lookup", {"id_type": "resident_card", "id_number": "123"}
    )
    assert invalid.status_code == 422


def test_the_openapi_document_describes_the_station_api(client):
    document = client.get("/api/v1/openapi.json").json()
    paths = document["paths"]
    prefix = "/api/v1/testing/station/"
    for method, path in ALL_ROUTES:
        path = path.replace("{round}", "{round_id}").replace("T1", "{barcode}")
        assert method in paths[prefix + path], path
    batch = paths[prefix + "registrations"]["post"]
    body = batch["requestBody"]["content"]["application/json"]["schema"]
    item_schema = body["properties"]["items"]["items"]
    assert {
        "client_id",
        "round_id",
        "tube_barcode",
        "tube_capacity",
        "sampled_at",
        "person",
    } <= set(item_schema["properties"])
    assert body["properties"]["items"]["maxItems"] == 500
    assert "$ref" not in json.dumps(body)
    answer = batch["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer["$ref"].endswith("RegistrationBatchOut")
    schemas = document["components"]["schemas"]
    assert {"RegistrationResultOut", "RosterPage", "RosterItem", "StationMeOut", "SealOut"} <= set(
        schemas
    )
    assert set(schemas["RosterItem"]["properties"]) == ROSTER_ITEM_FIELDS
    assert batch["security"] == [{"DeviceTokenAuth": []}]


def test_lists_cost_a_fixed_number_of_queries(
    client, station, round_, tree, alice, django_assert_max_num_queries
):
    for n in range(4):
        other = make_round(tree["community"], user=alice, name=f"轮次{n}")
        SamplingPoint.objects.create(round=other, number=1, name="1号", area=tree["grid_a"])
        DoorToDoorTeam.objects.create(round=other, name="队", area=tree["grid_a"])
    for n in range(6):
        make_resident(tree["grid_a"], f"卧床{n}", tags=int(Tag.BEDRIDDEN), room=f"7{n}", phone="")
    with django_assert_max_num_queries(8):
        assert len(call(client, station, "get", "rounds").json()) == 5
    with django_assert_max_num_queries(12):
        listing = call(client, station, "get", f"rounds/{round_.pk}/home-visits").json()
    assert len(listing) == 6
