"""The API never answers 500: every field is bounded, a bad item is refused alone (naming
its field) while the good items beside it are stored, and a body that is no batch at all
gets a JSON 400/413/422. Each case here answered 500 (or stored what the database or
Python could not hold) before the bounds."""

# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import datetime as dt
import json
import logging

import pytest
from django.test import override_settings
from django.utils import timezone

from tests.factories import UserFactory, grant
from wangge.accounts.devices import issue_device_token
from wangge.core.permissions import Role
from wangge.lib.uuid7 import uuid7
from wangge.testing import roster
from wangge.testing.models import HomeVisit, LabResult, Registration, WalkIn
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.station_factories import item, people, round_, sampler, station
from wangge.testing.tests.tube_factories import make_tube

STATION = "/api/v1/testing/station/"
BIG = 2**70
DEEP = "[" * 10_000 + "]" * 10_000


def post(client, token, url, body):
    return client.post(
        url,
        data=body if isinstance(body, (bytes, str)) else json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def batch(client, station, route, items):
    """POST a batch; the answers, after checking the whole request was answered 200."""
    response = post(client, station.token, STATION + route, {"items": items})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def refused(answer):
    return answer["status"], answer["reason_code"], answer["field"]


def visit(round_, household_id, **extra):
    return {
        "client_id": str(uuid7()),
        "round_id": round_.pk,
        "household_id": household_id,
        "outcome": "sampled",
        "visited_at": timezone.now().isoformat(),
        **extra,
    }


def test_an_id_beyond_64_bits_is_refused_alone(client, station, people, round_):
    a, _ = people
    good = item(round_, "T1", a[0])
    answers = batch(
        client,
        station,
        "registrations",
        [good, {**item(round_, "T1", a[1]), "round_id": BIG}],
    )
    assert answers[0]["status"] == "accepted"
    assert refused(answers[1]) == ("rejected", "invalid", "round_id")
    assert "round_id" in answers[1]["reason"]
    assert [str(r) for r in Registration.objects.values_list("client_id", flat=True)] == [
        good["client_id"]
    ]
    answers = batch(
        client,
        station,
        "home-visits",
        [
            visit(round_, a[0].household_id),
            visit(round_, BIG),
            visit(round_, a[0].household_id, team_id=BIG),
        ],
    )
    assert [refused(x) for x in answers] == [
        ("accepted", "", ""),
        ("rejected", "invalid", "household_id"),
        ("rejected", "invalid", "team_id"),
    ]
    assert HomeVisit.objects.count() == 1


@pytest.mark.parametrize(
    "sampled_at",
    [
        "9999-12-31T23:59:59-10:00",  # beyond year 9999 in UTC
        "0001-01-01T00:00:00+14:00",  # before year 1 in UTC
        -62135596800,  # a negative epoch: year 1
        10**20,  # an epoch beyond what a datetime holds
        "1999-12-31T23:59:59Z",
    ],
)
def test_a_time_python_or_the_database_cannot_hold_is_refused_alone(
    client, station, people, round_, sampled_at
):
    a, _ = people
    answers = batch(
        client,
        station,
        "registrations",
        [item(round_, "T1", a[0]), {**item(round_, "T1", a[1]), "sampled_at": sampled_at}],
    )
    assert answers[0]["status"] == "accepted"
    assert refused(answers[1]) == ("rejected", "invalid", "sampled_at")
    assert Registration.objects.count() == 1
    answers = batch(
        client,
        station,
        "home-visits",
        [visit(round_, a[0].household_id, visited_at=sampled_at)],
    )
    assert refused(answers[0]) == ("rejected", "invalid", "visited_at")


@override_settings(WANGGE_CLOCK_SKEW_SECONDS=300)
def test_a_time_ahead_of_the_servers_clock_beyond_the_skew_is_refused(
    client, station, people, round_
):
    a, _ = people
    now = timezone.now()
    answers = batch(
        client,
        station,
        "registrations",
        [
            {
                **item(round_, "T1", a[0]),
                "sampled_at": (now + dt.timedelta(seconds=200)).isoformat(),
            },
            {
                **item(round_, "T1", a[1]),
                "sampled_at": (now + dt.timedelta(seconds=400)).isoformat(),
            },
        ],
    )
    assert answers[0]["status"] == "accepted"
    assert refused(answers[1]) == ("rejected", "clock_ahead", "sampled_at")
    assert "clock" in answers[1]["reason"]
    later = (now + dt.timedelta(seconds=400)).isoformat()
    answers = batch(
        client, station, "home-visits", [visit(round_, a[0].household_id, visited_at=later)]
    )
    assert refused(answers[0]) == ("rejected", "clock_ahead", "visited_at")


@override_settings(WANGGE_CLOCK_SKEW_SECONDS=300)
def test_a_time_long_before_the_round_began_is_refused(client, station, people, alice, tree):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)  # started an hour ago
    early = round_.starts_at - dt.timedelta(seconds=400)
    answers = batch(
        client,
        station,
        "registrations",
        [
            {
                **item(round_, "T1", a[0]),
                "sampled_at": (early + dt.timedelta(seconds=200)).isoformat(),
            },
            {**item(round_, "T1", a[1]), "sampled_at": early.isoformat()},
        ],
    )
    assert answers[0]["status"] == "accepted"
    assert refused(answers[1]) == ("rejected", "before_round", "sampled_at")
    answers = batch(
        client,
        station,
        "home-visits",
        [visit(round_, a[0].household_id, visited_at=early.isoformat())],
    )
    assert refused(answers[0]) == ("rejected", "before_round", "visited_at")


def test_an_item_nested_10000_deep_is_refused_alone(client, station, people, round_):
    a, _ = people
    good = json.dumps(item(round_, "T1", a[0]))
    body = '{"items": [' + good + ", " + DEEP + ', {"person": ' + DEEP + "}]}"
    response = post(client, station.token, STATION + "registrations", body)
    assert response.status_code == 200
    answers = response.json()["results"]
    assert [refused(x)[:2] for x in answers] == [
        ("accepted", ""),
        ("rejected", "invalid"),
        ("rejected", "invalid"),
    ]
    assert "200 levels" in answers[1]["reason"]
    assert Registration.objects.count() == 1


@pytest.mark.parametrize(
    ("route", "body"),
    [
        ("registrations", "[" + DEEP + "]"),
        ("registrations", '{"other": ' + DEEP + "}"),
        ("home-visits", DEEP),
        ("registrations", b"\xff\xfe{}"),
    ],
)
def test_a_body_that_cannot_be_read_is_a_400(client, station, route, body):
    response = post(client, station.token, STATION + route, body)
    assert response.status_code == 400 and response.json()["detail"]


def test_a_body_larger_than_a_batch_can_be_is_a_413(client, station):
    body = json.dumps({"items": [], "padding": "x" * (4 * 1024 * 1024)})
    response = post(client, station.token, STATION + "registrations", body)
    assert response.status_code == 413 and "4 MB" in response.json()["detail"]


def test_control_characters_never_reach_the_database(client, station, people, round_):
    a, _ = people
    walk_in = {"client_id": str(uuid7()), "name": "访客", "id_type": "none", "address": "1\x00号"}
    answers = batch(
        client,
        station,
        "registrations",
        [
            item(round_, "T1", a[0]),
            item(round_, "T1", {"walk_in": walk_in}),
            item(round_, "T1", {"resident_code": "AB\x00"}),
        ],
    )
    assert [refused(x) for x in answers] == [
        ("accepted", "", ""),
        ("rejected", "invalid", "person.walk_in.address"),
        ("rejected", "invalid", "person.resident_code"),
    ]
    assert not WalkIn.objects.exists()
    answers = batch(
        client, station, "home-visits", [visit(round_, a[0].household_id, note="门\x00")]
    )
    assert refused(answers[0]) == ("rejected", "invalid", "note")
    response = post(client, station.token, STATION + "tubes/T%001/seal", {})
    assert response.status_code == 422 and response.json()["field"] == "barcode"


@pytest.mark.parametrize(
    ("path", "field"),
    [
        (f"rounds/{BIG}/sampled", "round_id"),
        ("rounds/1/home-visits?team=0", "team"),
        ("roster?limit=0", "limit"),
        ("roster?cursor=" + "x" * 1001, "cursor"),
    ],
)
def test_a_parameter_out_of_bounds_is_a_422_naming_it(client, station, path, field):
    response = client.get(
        STATION + path, HTTP_AUTHORIZATION=f"Bearer {station.token}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 422
    answer = response.json()
    assert answer["field"] == field and field in answer["detail"]
    assert "字段" in answer["detail"]  # in the user's language


def test_a_laboratory_item_out_of_bounds_is_refused_alone(client, tree, alice, people):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    make_tube(round_, tree["grid_a"], a[0], barcode="P-1")
    lab = grant(UserFactory(username="lab"), Role.LAB_LIAISON, tree["district"])
    token, _ = issue_device_token(lab, tree["district"], "LIS", acting_user=lab)
    later = timezone.now() + dt.timedelta(hours=1)
    response = post(
        client,
        token,
        "/api/v1/lab/results",
        {
            "items": [
                {"barcode": "P-1", "result": "negative", "tested_at": "0001-01-01T00:00:00+14:00"},
                {"barcode": "P\x001", "result": "negative"},
                {"barcode": "P-1", "result": "negative", "ct_values": {"N": 61}},
                {"barcode": "P-1", "result": "negative", "tested_at": "2100-01-01T00:00:00Z"},
                {"barcode": "P-1", "result": "negative", "tested_at": later.isoformat()},
                {"barcode": "P-1", "result": "negative"},
            ]
        },
    )
    assert response.status_code == 200
    assert [refused(x) for x in response.json()["results"]] == [
        ("rejected", "invalid", "tested_at"),
        ("rejected", "invalid", "barcode"),
        ("rejected", "invalid", "ct_values.N"),
        ("rejected", "invalid", "tested_at"),
        ("rejected", "clock_ahead", "tested_at"),
        ("accepted", "", ""),
    ]
    assert LabResult.objects.count() == 1


def test_an_unexpected_error_is_a_logged_json_500(client, station, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("failed on 620103198005170030")

    monkeypatch.setattr(roster, "roster_page", broken)
    with caplog.at_level(logging.ERROR, logger="wangge.core.api_input"):
        response = client.get(STATION + "roster", HTTP_AUTHORIZATION=f"Bearer {station.token}")
    assert response.status_code == 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["detail"] and b"620103" not in response.content
    assert any(record.exc_info for record in caplog.records)
