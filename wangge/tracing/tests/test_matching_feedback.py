"""Matching against the registry in bulk, assignment, feedback and key persons."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory, grant, id_number, make_resident
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.core.scoping import OutOfScope
from wangge.keypersons.actions import place_under_measure
from wangge.keypersons.choices import Category, KeyPersonSource, Measure
from wangge.keypersons.models import KeyPerson
from wangge.tracing import actions
from wangge.tracing.choices import TracedStatus
from wangge.tracing.errors import TracingError
from wangge.tracing.importing import PersonInput
from wangge.tracing.models import TracedPerson
from wangge.tracing.tests.factories import SYSTEM, make_list

pytestmark = pytest.mark.django_db


def test_people_go_to_their_grid_or_wait_at_the_community(tree):
    resident = make_resident(tree["grid_b"], "李四")
    stranger = id_number()
    traced_list = make_list(
        tree["community"],
        [
            [1, "李四", resident.reveal_id_number(), "", "", ""],
            [2, "王五", stranger, "13900002222", "", ""],
        ],
    )
    first, second = traced_list.people.order_by("row_number")
    assert (first.resident, first.area) == (resident, tree["grid_b"])
    assert (second.resident, second.area) == (None, tree["community"])
    assert second.id_number_masked and second.reveal_id_number() == stranger
    assert second.reveal_phone() == "13900002222"
    assert AuditEntry.objects.filter(action="traced_list.import").count() == 1


def test_a_resident_registered_outside_the_receiving_area_is_not_linked(tree, other_tree):
    elsewhere = make_resident(other_tree["grid_a"], "外人", number=id_number(region="620981"))
    traced_list = make_list(
        tree["community"], [[1, "外人", elsewhere.reveal_id_number(), "", "", ""]]
    )
    (person,) = traced_list.people.all()
    assert (person.resident, person.area) == (None, tree["community"])


def test_an_open_key_person_proposes_already_controlled(tree):
    resident = make_resident(tree["grid_a"], "赵六")
    place_under_measure(
        resident,
        category=Category.CLOSE_CONTACT,
        measure=Measure.HOME_QUARANTINE,
        started_on=dt.date(2026, 3, 1),
        acting_user=SYSTEM,
    )
    traced_list = make_list(
        tree["community"],
        [
            [1, "赵六", resident.reveal_id_number(), "", "", ""],
            [2, "钱七", id_number(), "", "", ""],
        ],
    )
    first, second = traced_list.people.order_by("row_number")
    assert first.proposed_status == TracedStatus.ALREADY_CONTROLLED
    assert first.status == TracedStatus.PENDING
    assert second.proposed_status == ""


def test_matching_costs_a_fixed_number_of_queries(tree):
    from wangge.tracing.actions import match_people

    people = []
    for index in range(60):
        number = id_number()
        if index % 2:
            make_resident(tree["grid_a"], f"居民{index}", number=number, room=str(index))
        people.append(PersonInput(index, f"人{index}", "resident_card", number))
    with CaptureQueriesContext(connection) as few:
        small = match_people(people[:10])
    with CaptureQueriesContext(connection) as many:
        large = match_people(people)
    assert len(few) == len(many) == 2
    assert sum(1 for m in large if m.resident_id) == 30
    assert sum(1 for m in small if m.resident_id) == 5


def test_found_and_placed_makes_one_key_person(tree, bob):
    resident = make_resident(tree["grid_a"], "李四")
    traced_list = make_list(
        tree["community"], [[1, "李四", resident.reveal_id_number(), "", "", ""]]
    )
    (person,) = traced_list.people.all()
    for _ in range(2):  # a second feedback does not place them twice
        actions.give_feedback(
            person,
            status=TracedStatus.FOUND_PLACED,
            category=Category.CLOSE_CONTACT,
            measure=Measure.CENTRALISED_QUARANTINE,
            note="已转运",
            acting_user=bob,
        )
    key_person = KeyPerson.objects.get()
    assert (key_person.resident, key_person.source, key_person.source_key) == (
        resident,
        KeyPersonSource.TRACING,
        f"tracing:{person.pk}",
    )
    person.refresh_from_db()
    assert (person.status, person.key_person, person.feedback_by) == (
        TracedStatus.FOUND_PLACED,
        key_person,
        bob,
    )


def test_an_unmatched_person_placed_keeps_their_sealed_document(tree, alice):
    number = id_number()
    traced_list = make_list(tree["community"], [[1, "王五", number, "13900002222", "", ""]])
    (person,) = traced_list.people.all()
    actions.give_feedback(
        person,
        status=TracedStatus.FOUND_PLACED,
        category=Category.SECONDARY_CONTACT,
        measure=Measure.HOME_MONITORING,
        acting_user=alice,
    )
    key_person = KeyPerson.objects.get()
    assert key_person.area == tree["community"] and key_person.resident is None
    assert key_person.reveal_id_number() == number


def test_feedback_needs_what_it_says(tree, bob):
    resident = make_resident(tree["grid_a"], "李四")
    traced_list = make_list(
        tree["community"], [[1, "李四", resident.reveal_id_number(), "", "", ""]]
    )
    (person,) = traced_list.people.all()
    for status, code in (
        (TracedStatus.LEFT_AREA, "left_to_missing"),
        (TracedStatus.FOUND_PLACED, "measure_missing"),
        (TracedStatus.PENDING, "status_invalid"),
    ):
        with pytest.raises(TracingError) as exc:
            actions.give_feedback(person, status=status, acting_user=bob)
        assert exc.value.code == code
    actions.give_feedback(person, status=TracedStatus.LEFT_AREA, left_to="北京", acting_user=bob)
    person.refresh_from_db()
    assert (person.status, person.left_to) == (TracedStatus.LEFT_AREA, "北京")


def test_feedback_outside_ones_grid_is_refused(tree, bob):
    resident = make_resident(tree["grid_b"], "李四")
    traced_list = make_list(
        tree["community"], [[1, "李四", resident.reveal_id_number(), "", "", ""]]
    )
    (person,) = traced_list.people.all()
    with pytest.raises(OutOfScope):
        actions.give_feedback(person, status=TracedStatus.NOT_FOUND, acting_user=bob)
    assert TracedPerson.objects.get().status == TracedStatus.PENDING


def test_people_waiting_at_a_street_are_assigned_to_a_community(tree, alice):
    street_staff = grant(UserFactory(username="street"), Role.STREET_STAFF, tree["street"])
    traced_list = make_list(tree["street"], [[1, "王五", id_number(), "", "", ""]])
    (person,) = traced_list.people.all()
    assert person.area == tree["street"]
    with pytest.raises(TracingError):
        actions.assign_person(person, tree["street"], acting_user=street_staff)
    actions.assign_person(person, tree["community"], acting_user=street_staff)
    person.refresh_from_db()
    assert person.area == tree["community"]
    # The community's staff may hand them on to a grid, not back up.
    actions.assign_person(person, tree["grid_a"], acting_user=alice)
    with pytest.raises(TracingError) as exc:
        actions.assign_person(person, tree["community"], acting_user=alice)
    assert exc.value.code == "assign_area"
    with pytest.raises(OutOfScope):
        actions.assign_person(person, tree["grid_b"], acting_user=UserFactory(username="nobody"))


def test_a_grid_starts_a_list_and_adds_people(tree, bob):
    resident = make_resident(tree["grid_a"], "李四")
    traced_list = actions.start_list(
        tree["grid_a"],
        title="本格摸排",
        reason="返乡",
        deadline=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        acting_user=bob,
    )
    first = actions.add_person(
        traced_list,
        PersonInput(0, "李四", "resident_card", resident.reveal_id_number()),
        acting_user=bob,
    )
    second = actions.add_person(
        traced_list, PersonInput(0, "路人", "none", "", "13900003333"), acting_user=bob
    )
    assert (first.resident, first.area) == (resident, tree["grid_a"])
    assert (second.resident, second.area) == (None, tree["grid_a"])
    assert second.row_number == first.row_number + 1
    assert second.cells[1] == "路人" and second.cells[0] == 2
