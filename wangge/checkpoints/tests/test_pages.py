"""The checkpoint pages: the entry form through the action, the day's entries (masked),
volumes per hour and per day, the set-up, reveal, and scope."""

# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, grant, id_number, make_resident
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.checkpoints import selectors
from wangge.checkpoints.actions import register_entries
from wangge.checkpoints.checkpoint_items import EntryIn
from wangge.checkpoints.models import Checkpoint, CheckpointEntry, CheckpointPassenger
from wangge.checkpoints.tests.factories import (
    checkpoint,
    entry,
    make_checkpoint,
    officer,
    person,
    sibling_checkpoint,
)
from wangge.core.permissions import Role
from wangge.incidents.models import Incident
from wangge.keypersons.models import KeyPerson
from wangge.lib.uuid7 import uuid7

VISITOR = id_number(region="110101")


def form_data(**over):
    data = {
        "client_id": str(uuid7()),
        "direction": "in",
        "plate": "甘a12345",
        "vehicle_kind": "car",
        "origin": "兰州",
        "destination": "西园",
        "people-TOTAL_FORMS": "1",
        "people-INITIAL_FORMS": "0",
        "people-MIN_NUM_FORMS": "1",
        "people-MAX_NUM_FORMS": "60",
        "people-0-document": VISITOR,
        "people-0-name": "李四",
        "people-0-phone": "13912345678",
        "people-0-temperature": "36.5",
        "people-0-health_code": "green",
        "people-0-travel_history": "",
        "people-0-action": "passed",
    }
    data.update(over)
    return data


def test_the_officer_registers_a_vehicle_on_the_page(client, officer, checkpoint, tree):
    resident = make_resident(tree["grid_a"], "王五", room="401")
    client.force_login(officer)
    url = reverse("checkpoints:register", args=[checkpoint.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "autofocus" in page.content.decode()
    data = form_data(
        **{
            "people-TOTAL_FORMS": "3",
            "people-1-document": resident.code,  # scanned: the name comes from the registry
            "people-1-name": "",
            "people-1-temperature": "38.0",
            "people-1-health_code": "green",
            "people-1-action": "tested",
            # a row added and left empty (its selects at their defaults) is skipped
            "people-2-health_code": "green",
            "people-2-action": "passed",
        }
    )
    response = client.post(url, data, follow=True)
    assert response.redirect_chain, (
        response.context["form"].errors,
        response.context["people"].errors,
        response.context["people"].non_form_errors(),
    )
    assert response.redirect_chain[-1][0] == url
    text = response.content.decode()
    assert "甘A12345" in text
    stored = CheckpointEntry.objects.get()
    assert (stored.plate, stored.people, stored.alerts) == ("甘A12345", 2, 1)
    assert (stored.recorded_by, stored.device) == (officer, None)
    second = CheckpointPassenger.objects.get(order=1)
    assert (second.resident, second.name) == (resident, "王五")
    assert KeyPerson.objects.get().resident == resident
    assert Incident.objects.count() == 1
    # the list under the form shows masked forms only
    assert VISITOR not in text and "13912345678" not in text
    assert "139****5678" in text


@pytest.mark.parametrize(
    ("over", "field", "message_part"),
    [
        ({"people-0-temperature": "3.7"}, "temperature", "34.0"),
        ({"people-0-temperature": "73"}, "temperature", "43.0"),
        ({"plate": "京I12345"}, "plate", "京A12345"),
        ({"people-0-document": "110101199001011234"}, "document", ""),
        ({"people-0-phone": "123"}, "phone", ""),
    ],
)
def test_bad_input_is_refused_next_to_its_field(
    client, officer, checkpoint, over, field, message_part
):
    client.force_login(officer)
    url = reverse("checkpoints:register", args=[checkpoint.pk])
    response = client.post(url, form_data(**over))
    assert response.status_code == 200
    form, people = response.context["form"], response.context["people"]
    errors = form.errors.get(field) or people.forms[0].errors.get(field)
    assert errors, (form.errors, people.errors)
    assert message_part in " ".join(errors)
    assert CheckpointEntry.objects.count() == 0


def test_the_same_form_sent_twice_stores_one_entry(client, officer, checkpoint):
    client.force_login(officer)
    url = reverse("checkpoints:register", args=[checkpoint.pk])
    data = form_data()
    client.post(url, data)
    client.post(url, data)
    assert CheckpointEntry.objects.count() == 1


def test_a_checkpoint_elsewhere_is_not_found(client, officer, sibling_checkpoint):
    client.force_login(officer)
    for name in ("register", "detail"):
        url = reverse(f"checkpoints:{name}", args=[sibling_checkpoint.pk])
        assert client.get(url).status_code == 404
    response = client.post(
        reverse("checkpoints:register", args=[sibling_checkpoint.pk]), form_data()
    )
    assert response.status_code == 404
    assert CheckpointEntry.objects.count() == 0


def _store(checkpoint, user, at, people=1, **over):
    items = [
        EntryIn.model_validate(
            entry(
                checkpoint,
                at=at.isoformat(),
                people=[
                    person(id_number=id_number(region="110101"), **over) for _ in range(people)
                ],
            )
        )
    ]
    return register_entries(items, checkpoint_scope=user, acting_user=user)


def test_volumes_per_hour_and_per_day(client, alice, checkpoint, tree):
    other = make_checkpoint(tree["grid_a"], name="二号卡口")
    today = timezone.localdate()
    zone = timezone.get_current_timezone()
    at = dt.datetime.combine(today, dt.time(0, 30), tzinfo=zone)
    _store(checkpoint, alice, at, people=2)
    _store(checkpoint, alice, at + dt.timedelta(minutes=10), people=1, temperature=38.5)
    _store(other, alice, at + dt.timedelta(hours=0), people=3)
    _store(checkpoint, alice, at - dt.timedelta(days=2), people=4)
    rows = selectors.hourly_volumes([checkpoint, other], today)
    first, second, totals = rows
    assert (first.slots[0].vehicles, first.slots[0].people, first.slots[0].alerts) == (2, 3, 1)
    assert (second.total.vehicles, second.total.people) == (1, 3)
    assert (totals.total.vehicles, totals.total.people, totals.total.alerts) == (3, 6, 1)
    dates, daily = selectors.daily_volumes([checkpoint, other], today)
    assert dates[-1] == today and len(dates) == 14
    assert daily[0].slots[-1].vehicles == 2
    assert daily[0].slots[-3].people == 4
    assert daily[0].total.vehicles == 3
    client.force_login(alice)
    page = client.get(reverse("checkpoints:volumes"))
    assert page.status_code == 200
    assert "二号卡口" in page.content.decode()


def test_volume_pages_cost_a_fixed_number_of_queries(
    client, alice, checkpoint, tree, django_assert_max_num_queries
):
    for n in range(3):
        make_checkpoint(tree["grid_a"], name=f"卡口{n}")
    now = timezone.now()
    for checkpoint_ in Checkpoint.objects.all():
        _store(checkpoint_, alice, now - dt.timedelta(minutes=3), people=2)
    client.force_login(alice)
    with django_assert_max_num_queries(12):
        assert client.get(reverse("checkpoints:volumes")).status_code == 200
    with django_assert_max_num_queries(12):
        assert client.get(reverse("checkpoints:list")).status_code == 200
    with django_assert_max_num_queries(14):
        assert client.get(reverse("checkpoints:detail", args=[checkpoint.pk])).status_code == 200


def test_the_day_list_is_masked_and_a_reveal_is_audited(client, alice, bob, tree):
    checkpoint = make_checkpoint(tree["grid_a"])
    _store(checkpoint, alice, timezone.now() - dt.timedelta(minutes=3))
    passenger = CheckpointPassenger.objects.get()
    number = passenger.reveal_id_number()
    client.force_login(bob)  # a grid member: sees control, may not reveal
    page = client.get(reverse("checkpoints:detail", args=[checkpoint.pk])).content.decode()
    assert passenger.id_number_masked in page and number not in page
    url = reverse("checkpoints:reveal", args=[passenger.pk, "id_number"])
    assert "hx-post" not in page
    assert client.post(url).status_code == 404
    client.force_login(alice)
    answer = client.post(url)
    assert number in answer.content.decode()
    audit = AuditEntry.objects.get(action=AuditEvent.CHECKPOINT_REVEAL)
    assert audit.details == {"field": "id_number"}
    assert (
        client.post(reverse("checkpoints:reveal", args=[passenger.pk, "other"])).status_code == 404
    )


def test_set_up_and_edit_a_checkpoint(client, alice, tree, charlie):
    client.force_login(alice)
    response = client.post(
        reverse("checkpoints:create"),
        {
            "name": "高速出口卡口",
            "kind": "highway_exit",
            "area": [tree["street"].pk],
            "active": "on",
        },
    )
    assert response.status_code == 200  # the street is above alice's community
    response = client.post(
        reverse("checkpoints:create"),
        {
            "name": "高速出口卡口",
            "kind": "highway_exit",
            "area": [tree["community"].pk],
            "active": "on",
        },
    )
    created = Checkpoint.objects.get()
    assert response.status_code == 302
    assert (created.area, created.kind, created.active) == (tree["community"], "highway_exit", True)
    edit = reverse("checkpoints:edit", args=[created.pk])
    client.post(edit, {"name": "高速出口", "kind": "highway_exit", "area": [tree["grid_a"].pk]})
    created.refresh_from_db()
    assert (created.name, created.area, created.active) == ("高速出口", tree["grid_a"], False)
    assert AuditEntry.objects.filter(action=AuditEvent.CHECKPOINT_UPDATE).count() == 1
    client.force_login(charlie)
    assert client.get(edit).status_code == 404


def test_the_workbench_card_counts_today_at_my_checkpoints(client, officer, checkpoint, alice):
    _store(checkpoint, alice, timezone.now() - dt.timedelta(minutes=3), people=3)
    client.force_login(officer)
    page = client.get(reverse("home")).content.decode()
    assert "checkpoints.today" in page
