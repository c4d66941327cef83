"""What the testing app tells whom, through events the worker delivers once."""

import pytest

from tests.factories import UserFactory, grant, make_resident
from wangge.core.permissions import Perm, Role
from wangge.events.actions import dispatch_pending
from wangge.notifications.models import Notification
from wangge.testing.actions.recalls import report_overdue_recalls
from wangge.testing.actions.results import ResultItem, record_results
from wangge.testing.choices import TestResult as Result
from wangge.testing.models import Tube
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import make_tube


@pytest.fixture
def staff(tree, other_tree):
    def on(name, role, area):
        return grant(UserFactory(username=name), role, area)

    return {
        "leader_a": on("leader_a", Role.GRID_LEADER, tree["grid_a"]),
        "leader_b": on("leader_b", Role.GRID_LEADER, tree["grid_b"]),
        "member_a": on("member_a", Role.GRID_MEMBER, tree["grid_a"]),
        "community": on("community", Role.COMMUNITY_STAFF, tree["community"]),
        "street": on("street", Role.STREET_STAFF, tree["street"]),
        "centre": on("centre", Role.COMMAND_CENTRE, tree["district"]),
        "lab": on("lab", Role.LAB_LIAISON, tree["district"]),
        "elsewhere": on("elsewhere", Role.GRID_LEADER, other_tree["grid_a"]),
    }


@pytest.fixture
def people(tree):
    return [
        make_resident(tree["grid_a"], "甲一", room="101", phone="13900001111"),
        make_resident(tree["grid_a"], "甲二", room="102", phone=""),
        make_resident(tree["grid_b"], "乙一", room="201", phone=""),
    ]


def _result(staff, tube, result):
    record_results(
        [ResultItem(tube.barcode, result)],
        tubes=Tube.objects.visible_to(staff["lab"], Perm.LOAD_RESULTS),
        acting_user=staff["lab"],
    )


def _told(clock):
    dispatch_pending(clock.now)
    dispatch_pending(clock.advance(minutes=10))  # a second turn changes nothing
    return sorted(Notification.objects.values_list("user__username", flat=True))


def test_a_positive_pool_tells_its_members_grid_leaders_and_the_community_once(
    tree, people, staff, clock
):
    round_ = make_round(tree["community"])
    tube = make_tube(round_, tree["community"], *people)
    _result(staff, tube, Result.POSITIVE)
    assert _told(clock) == ["community", "leader_a", "leader_b"]
    note = Notification.objects.get(user=staff["leader_a"])
    assert tube.barcode in note.title
    assert note.link == f"/testing/{round_.pk}/recalls/"
    # Nothing that names a person: no ID number, phone or name.
    text = note.title + note.body
    for person in people:
        assert person.name not in text and person.id_number_masked[-4:] not in text
    assert "1111" not in text


def test_an_invalid_or_negative_pool_tells_nobody(tree, people, staff, clock):
    round_ = make_round(tree["community"])
    _result(staff, make_tube(round_, tree["grid_a"], people[0]), Result.INVALID)
    _result(staff, make_tube(round_, tree["grid_a"], people[1]), Result.NEGATIVE)
    assert _told(clock) == []


def test_a_positive_individual_result_tells_the_command_centre(tree, people, staff, clock):
    round_ = make_round(tree["community"])
    _result(staff, make_tube(round_, tree["grid_a"], people[0], capacity=1), Result.POSITIVE)
    assert _told(clock) == ["centre"]
    assert Notification.objects.get().link == f"/testing/{round_.pk}/cases/"


def test_a_recall_open_too_long_tells_the_grid_leader_once(tree, people, staff, clock, settings):
    settings.WANGGE_RECALL_OVERDUE_HOURS = 24
    round_ = make_round(tree["community"])
    _result(staff, make_tube(round_, tree["grid_a"], people[0]), Result.POSITIVE)
    dispatch_pending(clock.now)
    Notification.objects.all().delete()
    assert report_overdue_recalls(now=clock.advance(hours=23)) == 0
    assert report_overdue_recalls(now=clock.advance(hours=2)) == 1
    assert report_overdue_recalls(now=clock.advance(hours=2)) == 0
    assert _told(clock) == ["leader_a"]


def test_a_recall_closed_in_time_is_not_reported(tree, people, staff, clock):
    round_ = make_round(tree["community"])
    _result(staff, make_tube(round_, tree["grid_a"], people[0]), Result.POSITIVE)
    _result(staff, make_tube(round_, tree["grid_a"], people[0], capacity=1), Result.NEGATIVE)
    assert report_overdue_recalls(now=clock.advance(days=3)) == 0
