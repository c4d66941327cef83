"""The key persons' pages as grid staff use them."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UserFactory, grant, id_number, make_resident
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.keypersons.models import KeyPerson
from wangge.keypersons.tests.factories import make_key_person

pytestmark = pytest.mark.django_db


@pytest.fixture
def grid_member(client, bob):
    client.force_login(bob)
    return client


def _person(tree, **extra):
    return make_key_person(
        tree["grid_a"], started_on=timezone.localdate() - dt.timedelta(days=2), **extra
    )


def test_the_list_flags_the_overdue_and_counts_by_measure(grid_member, tree):
    _person(tree, name="逾期甲")
    page = grid_member.get(reverse("keypersons:list"), {"overdue": "1"})
    text = page.content.decode()
    assert page.status_code == 200
    assert "逾期甲" in text and 'class="tag bad"' in text


def test_an_implausible_temperature_is_refused_with_a_sentence(grid_member, tree):
    person = _person(tree)
    answer = grid_member.post(reverse("keypersons:check", args=[person.pk]), {"temperature": "73"})
    assert answer.status_code == 200
    assert "43.0" in answer.content.decode()
    assert not person.health_checks.exists()


def test_a_fever_is_recorded_and_flags(grid_member, tree):
    person = _person(tree)
    answer = grid_member.post(
        reverse("keypersons:check", args=[person.pk]),
        {"temperature": "38.2", "symptoms": ["fever", "cough"]},
    )
    assert answer.status_code == 302
    person.refresh_from_db()
    assert person.flagged_at is not None


def test_a_test_is_recorded_by_its_day(grid_member, tree):
    person = _person(tree)
    answer = grid_member.post(
        reverse("keypersons:test", args=[person.pk]),
        {
            "day": "1",
            "sampled_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "result": "negative",
            "place": "社区采样点",
        },
    )
    assert answer.status_code == 302
    assert person.tests.get(day=1).result == "negative"


def test_the_detail_shows_why_release_waits(grid_member, tree):
    person = _person(tree)
    text = grid_member.get(reverse("keypersons:detail", args=[person.pk])).content.decode()
    assert person.planned_end_on.isoformat() in text


def test_a_named_person_is_added_with_sealed_numbers(grid_member, tree):
    number = id_number()
    answer = grid_member.post(
        reverse("keypersons:add"),
        {
            "area": str(tree["grid_a"].pk),
            "n-name": "外来甲",
            "n-id_type": "resident_card",
            "n-id_number": number,
            "n-phone": "13912340000",
            "n-address": "西园路2号",
            "n-category": "returnee",
            "n-measure": "home_monitoring",
            "n-started_on": timezone.localdate().isoformat(),
        },
    )
    assert answer.status_code == 302
    person = KeyPerson.objects.get(name="外来甲")
    assert person.reveal_id_number() == number and number not in person.id_number_masked


def test_a_bad_id_number_is_a_form_error(grid_member, tree):
    answer = grid_member.post(
        reverse("keypersons:add"),
        {
            "area": str(tree["grid_a"].pk),
            "n-name": "外来乙",
            "n-id_type": "resident_card",
            "n-id_number": "123",
            "n-category": "returnee",
            "n-measure": "home_monitoring",
            "n-started_on": timezone.localdate().isoformat(),
        },
    )
    assert answer.status_code == 200 and not KeyPerson.objects.exists()


def test_a_resident_is_found_through_the_registry_and_placed(grid_member, tree):
    resident = make_resident(tree["grid_a"], "居民丙")
    found = grid_member.get(reverse("keypersons:add"), {"area": tree["grid_a"].pk, "q": "居民丙"})
    assert "居民丙" in found.content.decode()
    answer = grid_member.post(
        reverse("keypersons:add") + f"?area={tree['grid_a'].pk}",
        {
            "area": str(tree["grid_a"].pk),
            "r-resident": str(resident.pk),
            "r-category": "close_contact",
            "r-measure": "centralised",
            "r-started_on": timezone.localdate().isoformat(),
        },
    )
    assert answer.status_code == 302
    assert KeyPerson.objects.get().resident == resident


def test_the_export_is_masked_unless_the_exporter_may_reveal(client, tree, bob, alice):
    number = id_number()
    _person(tree, name="导出甲", id_number=number)
    for user, full in ((bob, False), (alice, True)):
        client.force_login(user)
        answer = client.get(reverse("keypersons:export"), {"area": tree["grid_a"].pk})
        sheet = load_workbook(io.BytesIO(answer.content)).active
        cells = [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
        assert (number in cells) is full
    entries = AuditEntry.objects.filter(action=AuditEvent.KEY_PERSONS_EXPORT)
    assert [e.details["full_numbers"] for e in entries.order_by("pk")] == [False, True]


def test_someone_of_grid_b_gets_404_for_grid_a(client, tree):
    carol = grant(UserFactory(username="carol"), Role.GRID_MEMBER, tree["grid_b"])
    person = _person(tree)
    client.force_login(carol)
    assert client.get(reverse("keypersons:detail", args=[person.pk])).status_code == 404


def test_the_list_of_a_community_counts_each_grid(client, alice, tree):
    _person(tree, name="甲")
    make_key_person(tree["grid_b"], "乙", started_on=timezone.localdate())
    client.force_login(alice)
    page = client.get(reverse("keypersons:list"), {"area": tree["community"].pk})
    rows = page.context["below"]
    assert [(r.area, r.under_measure) for r in rows] == [(tree["grid_a"], 1), (tree["grid_b"], 1)]


def test_the_rows_below_add_up_with_the_people_of_the_area_itself(client, alice, tree):
    _person(tree, name="甲")
    make_key_person(tree["community"], "丙", started_on=timezone.localdate())
    client.force_login(alice)
    page = client.get(reverse("keypersons:list"), {"area": tree["community"].pk})
    rows = page.context["below"]
    assert [(r.area, r.under_measure, r.own) for r in rows] == [
        (tree["community"], 1, True),
        (tree["grid_a"], 1, False),
    ]
    assert sum(r.under_measure for r in rows) == 2
    assert f"{tree['community'].name}（本级）" in page.content.decode()


def test_the_list_costs_the_same_queries_whatever_the_number_of_people(client, alice, tree):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(alice)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("keypersons:list")).status_code == 200
        return len(captured)

    _person(tree, name="甲")
    few = queries()
    for index in range(6):
        make_key_person(tree["grid_b"], f"乙{index}", started_on=timezone.localdate())
    assert queries() == few


def test_the_list_shows_the_released_when_asked(grid_member, tree, bob):
    from wangge.keypersons.models import KeyPerson as Model

    person = _person(tree, name="已解除甲")
    Model.objects.filter(pk=person.pk).update(status="released")
    assert "已解除甲" not in grid_member.get(reverse("keypersons:list")).content.decode()
    for status in ("all", "released"):
        page = grid_member.get(reverse("keypersons:list"), {"status": status})
        assert "已解除甲" in page.content.decode()
