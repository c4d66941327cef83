"""The checkpoint API over HTTP: device tokens, scope, per-item answers, idempotency, alerts."""

# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import datetime as dt
import json

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import id_number, make_resident
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.checkpoints.models import CheckpointEntry, CheckpointPassenger
from wangge.checkpoints.tests.factories import (
    API,
    checkpoint,
    device,
    entry,
    far_device,
    make_checkpoint,
    officer,
    person,
    post,
    sibling_checkpoint,
)
from wangge.incidents.choices import IncidentKind, IncidentSource
from wangge.incidents.models import Incident
from wangge.keypersons.choices import Category, KeyPersonSource, Measure
from wangge.keypersons.models import KeyPerson
from wangge.lib import idnumbers


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_every_route_needs_a_device_token(client, device, checkpoint):
    assert client.get(API + "me").status_code == 401
    assert post(client, None, [entry(checkpoint)]).status_code == 401
    assert CheckpointEntry.objects.count() == 0


def test_me_lists_the_active_checkpoints_of_the_devices_area(
    client, device, checkpoint, sibling_checkpoint, tree
):
    make_checkpoint(tree["community"], name="旧卡口", active=False)
    answer = client.get(API + "me", HTTP_AUTHORIZATION=f"Bearer {device.token}").json()
    assert [c["id"] for c in answer["checkpoints"]] == [checkpoint.pk]
    assert answer["fever_threshold"] == 37.3
    assert answer["device"] == {"label": "卡口手机", "area": tree["community"].name}
    assert answer["max_batch"] == 500
    assert answer["max_people"] >= 4


def test_an_entry_is_stored_once_and_a_retry_is_a_duplicate(client, device, checkpoint):
    item = entry(checkpoint, plate="甘a 12345")
    first = results(post(client, device, [item]))
    assert first == [
        {
            "status": "accepted",
            "reason_code": "",
            "reason": "",
            "field": "",
            "client_id": item["client_id"],
            "alerts": 0,
        }
    ]
    again = results(post(client, device, [item, item]))
    assert [r["status"] for r in again] == ["duplicate", "duplicate"]
    stored = CheckpointEntry.objects.get()
    assert stored.plate == "甘A12345"
    assert stored.people == 1
    assert stored.recorded_by.username == "officer"
    assert stored.device_id == device.device.pk
    assert CheckpointPassenger.objects.count() == 1


def test_the_same_client_id_twice_in_a_batch_is_stored_once(client, device, checkpoint):
    item = entry(checkpoint)
    answers = results(post(client, device, [item, item]))
    assert [r["status"] for r in answers] == ["accepted", "duplicate"]
    assert CheckpointEntry.objects.count() == 1


@pytest.mark.parametrize("temperature", [3.7, 73, 33.9, 43.1])
def test_a_temperature_out_of_range_is_refused_by_its_own_answer(
    client, device, checkpoint, temperature
):
    good = entry(checkpoint)
    bad = entry(checkpoint, people=[person(id_number=id_number()), person(temperature=temperature)])
    answers = results(post(client, device, [bad, good]))
    assert answers[0]["status"] == "rejected"
    assert answers[0]["reason_code"] == "invalid"
    assert answers[0]["field"] == "people[1].temperature"
    assert "34.0" in answers[0]["reason"]
    assert answers[1]["status"] == "accepted"
    assert CheckpointPassenger.objects.count() == 1  # nothing of the refused entry


@pytest.mark.parametrize(
    ("over", "code", "field"),
    [
        ({"plate": "甘I12345"}, "invalid_plate", "plate"),
        ({"plate": ""}, "plate_required", "plate"),
        ({"vehicle_kind": "on_foot"}, "plate_on_foot", "plate"),
        ({"people": [{"name": "王五", "id_number": "123"}]}, "invalid", "people[0].temperature"),
        (
            {"people": [person(id_number="110101199001011234")]},
            "invalid_person",
            "people[0].id_number",
        ),
        ({"people": [person(id_number="")]}, "no_document", "people[0].id_number"),
        (
            {"people": [person(id_number=id_number(), phone="12345")]},
            "invalid_person",
            "people[0].phone",
        ),
        (
            {"people": [person(resident_code="NOSUCH1")]},
            "unknown_resident_code",
            "people[0].resident_code",
        ),
        ({"people": []}, "invalid", "people"),
        ({"direction": "up"}, "invalid", "direction"),
        ({"at": (timezone.now() + dt.timedelta(hours=1)).isoformat()}, "clock_ahead", "at"),
        ({"at": "2026-11-23 08:15"}, "invalid", "at"),
    ],
)
def test_bad_fields_are_named(client, device, checkpoint, over, code, field):
    answer = results(post(client, device, [entry(checkpoint, **over)]))[0]
    assert (answer["status"], answer["reason_code"], answer["field"]) == ("rejected", code, field)
    assert answer["reason"]
    assert answer["alerts"] is None
    assert CheckpointEntry.objects.count() == 0


def test_people_on_foot_and_a_tractor_need_no_plate(client, device, checkpoint):
    answers = results(
        post(
            client,
            device,
            [
                entry(checkpoint, plate="", vehicle_kind="on_foot"),
                entry(checkpoint, plate="", vehicle_kind="other"),
                entry(checkpoint, plate="使014001"),
                entry(checkpoint, plate="粤BD12345"),
            ],
        )
    )
    assert [a["status"] for a in answers] == ["accepted"] * 4


def test_a_checkpoint_of_another_district_is_unknown(
    client, device, far_device, checkpoint, sibling_checkpoint
):
    answers = results(post(client, device, [entry(sibling_checkpoint)]))
    assert (answers[0]["reason_code"], answers[0]["field"]) == (
        "unknown_checkpoint",
        "checkpoint_id",
    )
    far = client.get(API + "me", HTTP_AUTHORIZATION=f"Bearer {far_device.token}").json()
    assert [c["name"] for c in far["checkpoints"]] == ["外卡口"]
    assert results(post(client, far_device, [entry(checkpoint)]))[0]["reason_code"] == (
        "unknown_checkpoint"
    )
    assert CheckpointEntry.objects.count() == 0


def test_a_closed_checkpoint_takes_no_entry(client, device, tree):
    closed = make_checkpoint(tree["community"], name="旧卡口", active=False)
    answer = results(post(client, device, [entry(closed)]))[0]
    assert answer["reason_code"] == "checkpoint_closed"


def test_residents_are_matched_by_code_and_by_id_number(client, device, checkpoint, tree):
    by_code = make_resident(tree["grid_a"], "赵六", room="301")
    number = id_number()
    by_number = make_resident(tree["grid_b"], "钱七", number=number, room="302")
    visitor = id_number(region="110101")
    item = entry(
        checkpoint,
        people=[
            person("赵六", resident_code=by_code.code.lower(), phone="13912345678"),
            person("钱七", id_number=number),
            person("孙八", id_number=visitor, phone="13812345678"),
        ],
    )
    assert results(post(client, device, [item]))[0]["status"] == "accepted"
    first, second, third = CheckpointPassenger.objects.order_by("order")
    assert (first.resident, second.resident, third.resident) == (by_code, by_number, None)
    # A resident's document stays on the registry; a visitor's is sealed and masked.
    assert second.id_number_cipher is None and second.id_number_masked == ""
    assert third.reveal_id_number() == visitor
    assert third.id_number_masked == idnumbers.mask("resident_card", visitor) != visitor
    assert first.phone_masked == "139****5678"
    assert CheckpointEntry.objects.get().people == 3


def test_one_audit_entry_per_batch_with_counts_only(client, device, checkpoint):
    number = id_number(region="110101")
    items = [entry(checkpoint, people=[person(id_number=number, phone="13912345678")])]
    items.append(entry(checkpoint, plate="bad"))
    post(client, device, items)
    audit = AuditEntry.objects.get(action=AuditEvent.CHECKPOINT_BATCH)
    assert audit.details == {
        "items": 2,
        "accepted": 1,
        "duplicates": 0,
        "rejected": 1,
        "people": 1,
        "alerts": 0,
    }
    assert audit.area_path == checkpoint.area.path
    text = json.dumps(list(AuditEntry.objects.values()), default=str)
    assert number not in text and "13912345678" not in text


def test_a_fever_makes_a_key_person_and_an_incident_once(client, device, checkpoint):
    number = id_number(region="110101")
    item = entry(
        checkpoint,
        people=[
            person(id_number=id_number()),
            person("发热者", id_number=number, phone="13912345678", temperature=38.2),
        ],
    )
    assert results(post(client, device, [item]))[0]["alerts"] == 1
    key_person = KeyPerson.objects.get()
    assert key_person.category == Category.CHECKPOINT_FEVER
    assert key_person.measure == Measure.HOME_MONITORING
    assert key_person.source == KeyPersonSource.CHECKPOINT
    assert key_person.source_key == f"checkpoint:{item['client_id']}:1"
    assert key_person.area == checkpoint.area  # no resident: the checkpoint's area
    assert key_person.reveal_id_number() == number
    incident = Incident.objects.get()
    assert incident.kind == IncidentKind.FEVER
    assert incident.source == IncidentSource.CHECKPOINT_ALERT
    assert incident.source_key == key_person.source_key
    assert incident.area == checkpoint.area
    assert number not in incident.description
    passenger = CheckpointPassenger.objects.get(order=1)
    assert (passenger.alert, passenger.key_person, passenger.incident) == (
        True,
        key_person,
        incident,
    )
    # A retry answers the same and raises nothing again.
    assert results(post(client, device, [item]))[0] == {
        "status": "duplicate",
        "reason_code": "",
        "reason": "",
        "field": "",
        "client_id": item["client_id"],
        "alerts": 1,
    }
    assert KeyPerson.objects.count() == 1
    assert Incident.objects.count() == 1


def test_the_threshold_itself_is_a_fever(client, device, checkpoint, settings):
    item = entry(checkpoint, people=[person(id_number=id_number(), temperature=37.3)])
    assert results(post(client, device, [item]))[0]["alerts"] == 1
    settings.WANGGE_FEVER_THRESHOLD = __import__("decimal").Decimal("37.5")
    item = entry(checkpoint, people=[person(id_number=id_number(), temperature=37.4)])
    assert results(post(client, device, [item]))[0]["alerts"] == 0


def test_a_red_code_resident_goes_to_quarantine_from_their_own_grid(
    client, device, checkpoint, tree
):
    resident = make_resident(tree["grid_b"], "红码者", room="303")
    item = entry(
        checkpoint, people=[person("红码者", resident_code=resident.code, health_code="red")]
    )
    assert results(post(client, device, [item]))[0]["alerts"] == 1
    key_person = KeyPerson.objects.get()
    assert (key_person.resident, key_person.area) == (resident, tree["grid_b"])
    assert key_person.category == Category.CHECKPOINT_CODE
    assert key_person.measure == Measure.CENTRALISED_QUARANTINE
    incident = Incident.objects.get()
    assert (incident.kind, incident.area) == (IncidentKind.HEALTH_CODE, tree["grid_b"])


def test_a_yellow_code_is_home_monitoring(client, device, checkpoint):
    item = entry(checkpoint, people=[person(id_number=id_number(), health_code="yellow")])
    post(client, device, [item])
    key_person = KeyPerson.objects.get()
    assert (key_person.category, key_person.measure) == (
        Category.CHECKPOINT_CODE,
        Measure.HOME_MONITORING,
    )


def test_an_alert_a_crash_left_is_raised_by_the_retry_or_the_sweep(
    client, device, checkpoint, monkeypatch
):
    from wangge.checkpoints import actions

    monkeypatch.setattr(actions, "_raise_alert", _fail)
    item = entry(checkpoint, people=[person(id_number=id_number(), temperature=39.0)])
    second = entry(checkpoint, people=[person(id_number=id_number(), health_code="red")])
    assert [r["status"] for r in results(post(client, device, [item, second]))] == ["accepted"] * 2
    assert Incident.objects.count() == 0
    monkeypatch.undo()
    # The device retries the first (it got no answer): the duplicate finishes its alert.
    assert results(post(client, device, [item]))[0]["status"] == "duplicate"
    assert Incident.objects.count() == 1
    # The worker's sweep finishes the other, and then finds nothing more to do.
    assert actions.raise_pending_alerts(timezone.now()) == 1
    assert actions.raise_pending_alerts(timezone.now()) == 0
    assert Incident.objects.count() == 2
    assert KeyPerson.objects.count() == 2


def _fail(*args, **kwargs):
    raise RuntimeError("the server stopped")


def test_a_body_that_is_not_a_batch_is_refused_whole(client, device, checkpoint):
    assert post(client, device, [], raw=b"{not json").status_code == 400
    assert post(client, device, [], raw=b'{"items": 3}').status_code == 422
    too_many = [entry(checkpoint) for _ in range(501)]
    assert post(client, device, too_many).status_code == 422
    assert CheckpointEntry.objects.count() == 0


def test_a_mangled_item_keeps_its_client_id_in_the_answer(client, device, checkpoint):
    item = entry(checkpoint)
    del item["direction"]
    answer = results(post(client, device, [item, {"nonsense": True}, "x"]))
    assert (answer[0]["client_id"], answer[0]["field"]) == (item["client_id"], "direction")
    assert [a["status"] for a in answer] == ["rejected"] * 3


@settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    temperature=st.one_of(st.floats(allow_nan=True), st.text(max_size=6), st.none()),
    plate=st.text(max_size=10),
    document=st.text(alphabet="0123456789Xx -", max_size=20),
    phone=st.text(alphabet="0123456789+- ", max_size=14),
    kind=st.sampled_from(["car", "on_foot", "other", "boat"]),
)
def test_any_entry_is_answered_by_itself_and_stored_only_when_valid(
    client, device, checkpoint, temperature, plate, document, phone, kind
):
    item = entry(
        checkpoint,
        plate=plate,
        vehicle_kind=kind,
        people=[person(id_number=document, phone=phone, temperature=temperature)],
    )
    before = CheckpointEntry.objects.count()
    answer = results(post(client, device, [item]))
    assert len(answer) == 1 and answer[0]["client_id"] == item["client_id"]
    stored = CheckpointEntry.objects.count() - before
    assert stored == (1 if answer[0]["status"] == "accepted" else 0)
    if stored:
        passenger = CheckpointPassenger.objects.get(entry__client_id=item["client_id"])
        assert 34 <= passenger.temperature <= 43
