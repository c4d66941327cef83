"""The pages: upload → report → confirm, my people, feedback on a phone, the card."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests.factories import id_number, make_resident
from wangge.incidents.models import Incident
from wangge.tracing.choices import TracedStatus
from wangge.tracing.models import TracedList, TracedPerson
from wangge.tracing.tests.factories import make_list, xlsx

pytestmark = pytest.mark.django_db


def _upload(client, area, data, name="名单.xlsx"):
    return client.post(
        reverse("tracing:import"),
        {
            "area": area.pk,
            "title": "市指协查第12批",
            "reason": "密接",
            "deadline": (timezone.localdate() + dt.timedelta(days=1)).isoformat(),
            "file": SimpleUploadedFile(name, data),
        },
    )


def test_upload_report_confirm(client, tree, alice):
    resident = make_resident(tree["grid_a"], "李四")
    client.force_login(alice)
    assert client.get(reverse("tracing:import")).status_code == 200
    data = xlsx(
        [[1, "李四", resident.reveal_id_number(), "", "", ""], [2, "王五", id_number(), "", "", ""]]
    )
    response = _upload(client, tree["community"], data)
    assert response.status_code == 302
    preview = client.get(response.url)
    assert preview.status_code == 200
    assert "李四" in preview.content.decode()
    assert not TracedList.objects.exists()
    token = response.url.rstrip("/").rsplit("/", 1)[1]
    done = client.post(reverse("tracing:import_confirm", args=[token]))
    traced_list = TracedList.objects.get()
    assert done.url == reverse("tracing:detail", args=[traced_list.pk])
    assert traced_list.people.count() == 2
    # The upload is gone once imported: a second confirm finds nothing.
    assert client.post(reverse("tracing:import_confirm", args=[token])).status_code == 404
    page = client.get(done.url).content.decode()
    assert tree["grid_a"].name in page and resident.reveal_id_number() not in page


def test_a_list_with_bad_rows_cannot_be_confirmed(client, tree, alice):
    client.force_login(alice)
    data = xlsx([[1, "", id_number(), "", "", ""], [2, "王五", id_number(), "", "", ""]])
    response = _upload(client, tree["community"], data)
    preview = client.get(response.url).content.decode()
    assert "姓名" in preview and "import_confirm" not in preview
    token = response.url.rstrip("/").rsplit("/", 1)[1]
    client.post(reverse("tracing:import_confirm", args=[token]))
    assert not TracedList.objects.exists()


def test_an_unreadable_file_is_a_form_error(client, tree, alice):
    client.force_login(alice)
    response = _upload(client, tree["community"], b"\xd0\xcf\x11\xe0old", "old.xls")
    assert response.status_code == 200
    assert "xlsx" in response.content.decode()


def test_my_people_and_feedback_on_the_phone_page(client, tree, bob, alice):
    mine = make_resident(tree["grid_a"], "李四")
    theirs = make_resident(tree["grid_b"], "赵六", room="2")
    traced_list = make_list(
        tree["community"],
        [
            [1, "李四", mine.reveal_id_number(), "", "", ""],
            [2, "赵六", theirs.reveal_id_number(), "", "", ""],
        ],
    )
    client.force_login(bob)
    page = client.get(reverse("tracing:mine")).content.decode()
    assert "李四" in page and "赵六" not in page
    person = traced_list.people.get(area=tree["grid_a"])
    other = traced_list.people.get(area=tree["grid_b"])
    assert client.get(reverse("tracing:person", args=[other.pk])).status_code == 404
    response = client.post(
        reverse("tracing:person", args=[person.pk]), {"status": "left_area", "left_to": ""}
    )
    assert response.status_code == 200  # the form comes back: where to?
    response = client.post(
        reverse("tracing:person", args=[person.pk]),
        {"status": "left_area", "left_to": "兰州新区", "note": "电话确认"},
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.status, person.left_to) == (TracedStatus.LEFT_AREA, "兰州新区")
    # The grid member sees the list, with only their own grid's people.
    detail = client.get(reverse("tracing:detail", args=[traced_list.pk])).content.decode()
    assert "李四" in detail and "赵六" not in detail


def test_the_card_counts_pending_and_overdue_per_list(client, tree, bob, clock):
    resident = make_resident(tree["grid_a"], "李四")
    make_list(
        tree["community"],
        [[1, "李四", resident.reveal_id_number(), "", "", ""]],
        title="第一批",
        deadline=clock.now + dt.timedelta(hours=1),
    )
    client.force_login(bob)
    home = client.get("/").content.decode()
    assert "tracing.pending" in home and "第一批" in home
    clock.advance(hours=2)
    from wangge.tracing.actions import overdue_incidents

    assert overdue_incidents(clock.now) == 1
    assert Incident.objects.get().area == tree["grid_a"]


def test_a_grid_starts_a_list_on_its_page(client, tree, bob):
    client.force_login(bob)
    response = client.post(
        reverse("tracing:start"),
        {"area": tree["grid_a"].pk, "title": "返乡人员摸排", "deadline": "2030-01-01"},
    )
    traced_list = TracedList.objects.get()
    assert response.url == reverse("tracing:add", args=[traced_list.pk])
    response = client.post(
        reverse("tracing:add", args=[traced_list.pk]),
        {"name": "路人", "id_type": "resident_card", "id_number": "123", "phone": ""},
    )
    assert response.status_code == 200 and not TracedPerson.objects.exists()
    client.post(
        reverse("tracing:add", args=[traced_list.pk]),
        {"name": "路人", "id_type": "resident_card", "id_number": "", "phone": "13900006666"},
    )
    assert TracedPerson.objects.get().area == tree["grid_a"]
