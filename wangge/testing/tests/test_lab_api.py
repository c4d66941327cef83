"""POST /api/v1/lab/results: per-item answers, idempotent, scoped to the device."""

import json

import pytest

from tests.factories import UserFactory, grant, make_resident
from wangge.accounts.devices import issue_device_token
from wangge.core.permissions import Role
from wangge.testing.choices import RecallStatus
from wangge.testing.models import LabResult, PositiveCase, Recall, Tube
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import make_tube

URL = "/api/v1/lab/results"


@pytest.fixture
def setup(tree, alice):
    people = [make_resident(tree["grid_a"], f"人{i}", room=f"40{i}", phone="") for i in range(3)]
    round_ = make_round(tree["community"], user=alice)
    pool = make_tube(round_, tree["grid_a"], people[0], people[1], barcode="P-001")
    single = make_tube(round_, tree["grid_a"], people[0], capacity=1, barcode="S-001")
    lab = grant(UserFactory(username="lab"), Role.LAB_LIAISON, tree["district"])
    token, _device = issue_device_token(lab, tree["district"], "LIS", acting_user=lab)
    return {"round": round_, "pool": pool, "single": single, "token": token, "people": people}


def _post(client, token, payload):
    return client.post(
        URL,
        data=json.dumps(payload),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_a_positive_pool_is_a_recall_when_the_answer_leaves(client, setup):
    response = _post(
        client,
        setup["token"],
        {
            "items": [
                {"barcode": "P-001", "result": "阳性", "ct_values": {"ORF1ab": 32.1, "N": None}},
                {"barcode": "NOPE", "result": "negative"},
                {"barcode": "P-001", "result": "positive"},
            ]
        },
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert [(r["status"], r["reason_code"]) for r in results] == [
        ("accepted", ""),
        ("rejected", "unknown_barcode"),
        ("duplicate", ""),
    ]
    assert results[0]["recalls_opened"] == 2 and results[1]["reason"]
    assert Recall.objects.filter(status=RecallStatus.OPEN).count() == 2
    assert LabResult.objects.get().ct_values == {"ORF1ab": 32.1}


def test_the_same_batch_again_changes_nothing(client, setup):
    payload = {"items": [{"barcode": "P-001", "result": "invalid"}]}
    first = _post(client, setup["token"], payload).json()["results"][0]
    again = _post(client, setup["token"], payload).json()["results"][0]
    assert (first["status"], again["status"]) == ("accepted", "duplicate")
    assert Recall.objects.count() == 2 and LabResult.objects.count() == 1


def test_an_individual_result_closes_the_recall_and_a_positive_is_a_case(client, setup):
    _post(client, setup["token"], {"items": [{"barcode": "P-001", "result": "positive"}]})
    answer = _post(
        client,
        setup["token"],
        {
            "items": [
                {"barcode": "S-001", "result": "positive", "tested_at": "2026-11-23T15:00:00+08:00"}
            ]
        },
    ).json()["results"][0]
    assert answer["recalls_closed"] == 1 and answer["case_opened"] is True
    assert PositiveCase.objects.get().resident == setup["people"][0]


def test_a_bad_item_is_answered_alone(client, setup):
    response = _post(
        client,
        setup["token"],
        {
            "items": [
                {"barcode": "P-001", "result": "negative", "extra": 1},
                {"barcode": "P-001", "result": "negative", "ct_values": {"N": 99}},
                {"barcode": "", "result": "negative"},
                {"barcode": "P-001", "result": "maybe"},
                {"barcode": "P-001", "result": "negative"},
            ]
        },
    )
    assert response.status_code == 200
    codes = [(r["status"], r["reason_code"]) for r in response.json()["results"]]
    assert codes == [
        ("rejected", "invalid"),
        ("rejected", "invalid"),
        ("rejected", "invalid"),
        ("rejected", "unknown_result"),
        ("accepted", ""),
    ]


@pytest.mark.parametrize(
    ("body", "status"),
    [("not json", 400), (json.dumps({"items": "x"}), 422), (json.dumps([1]), 422)],
)
def test_a_body_that_is_not_a_batch_is_refused_whole(client, setup, body, status):
    response = client.post(
        URL,
        data=body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {setup['token']}",
    )
    assert response.status_code == status and response.json()["detail"]


def test_too_many_items_is_422(client, setup):
    items = [{"barcode": f"X{i}", "result": "negative"} for i in range(501)]
    assert _post(client, setup["token"], {"items": items}).status_code == 422


def test_without_a_token_401(client, setup):
    response = client.post(URL, data="{}", content_type="application/json")
    assert response.status_code == 401


def test_a_device_of_another_district_finds_no_tube(client, setup, other_tree):
    far = grant(UserFactory(username="farlab"), Role.LAB_LIAISON, other_tree["district"])
    token, _device = issue_device_token(far, other_tree["district"], "LIS2", acting_user=far)
    answer = _post(client, token, {"items": [{"barcode": "P-001", "result": "positive"}]})
    assert answer.json()["results"][0]["reason_code"] == "unknown_barcode"
    assert not Recall.objects.exists()


def test_a_device_whose_user_may_not_load_results_is_refused(client, setup, tree):
    sampler = grant(UserFactory(username="sampler"), Role.SAMPLER, tree["community"])
    token, _device = issue_device_token(sampler, tree["community"], "desk", acting_user=sampler)
    response = _post(client, token, {"items": [{"barcode": "P-001", "result": "positive"}]})
    assert response.status_code == 403
    assert Tube.objects.get(barcode="P-001").result == ""


def test_the_openapi_document_describes_the_route(client):
    document = client.get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/lab/results"]["post"]
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    assert "items" in schema["properties"]
