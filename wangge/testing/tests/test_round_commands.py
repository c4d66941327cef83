"""The recount command, and the links the testing app offers to the navigation and area pages."""

import pytest
from django.core.management import CommandError, call_command
from django.test import RequestFactory
from django.utils import translation

from tests.factories import make_resident
from wangge.residents.models import Resident
from wangge.testing.actions import rounds as actions
from wangge.testing.selectors import coverage
from wangge.testing.tests.factories import make_round
from wangge.testing.views.navigation import area_testing_actions
from wangge.testing.views.navigation import testing_links as nav_links


def test_recount_follows_a_registry_changed_behind_the_actions(tree, alice, capsys):
    people = [make_resident(tree["grid_a"], f"人{i}", room=f"10{i}", phone="") for i in range(3)]
    round_ = make_round(tree["community"], user=alice)
    # A bulk fix made straight in the database, without the registry's actions.
    Resident.objects.filter(pk=people[0].pk).update(status="moved_out")
    assert coverage(round_, tree["community"]).total.expected == 3
    call_command("recount_round", str(round_.pk))
    assert "expected 3 → 2" in capsys.readouterr().out
    assert coverage(round_, tree["community"]).total.expected == 2


def test_recount_refuses_planned_and_closed_rounds(tree, alice):
    planned = make_round(tree["community"], user=alice, open_it=False)
    with pytest.raises(CommandError):
        call_command("recount_round", str(planned.pk))
    closed = make_round(tree["community"], user=alice, name="已结束")
    actions.close_round(closed, acting_user=None)
    with pytest.raises(CommandError):
        call_command("recount_round", str(closed.pk))
    call_command("recount_round", str(closed.pk), "--closed")
    actions.purge_round_records(closed, acting_user=None)
    with pytest.raises(CommandError):
        call_command("recount_round", str(closed.pk), "--closed")
    with pytest.raises(CommandError):
        call_command("recount_round", "999999")


def _request(user):
    request = RequestFactory().get("/")
    request.user = user
    return request


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def test_navigation_links_for_those_who_can_use_them(tree, alice, charlie, bob):
    assert [str(item.label) for item in nav_links(_request(alice))] == ["Testing"]
    assert nav_links(_request(charlie))  # charlie has testing rights in his own district
    from tests.factories import UserFactory, grant
    from wangge.core.permissions import Role

    officer = grant(UserFactory(username="officer"), Role.CHECKPOINT_OFFICER, tree["street"])
    assert nav_links(_request(officer)) == []
    lab = grant(UserFactory(username="lab"), Role.LAB_LIAISON, tree["district"])
    assert [item.url for item in nav_links(_request(lab))] == [
        "/testing/",
        "/testing/results/import/",
    ]


def test_area_pages_link_to_the_open_rounds(tree, alice, charlie):
    round_ = make_round(tree["community"], user=alice)
    buttons = area_testing_actions(_request(alice), tree["grid_a"])
    assert [b.url for b in buttons] == [f"/testing/{round_.pk}/grids/{tree['grid_a'].pk}/untested/"]
    buttons = area_testing_actions(_request(alice), tree["community"])
    assert [b.url for b in buttons] == [f"/testing/{round_.pk}/?area={tree['community'].pk}"]
    assert area_testing_actions(_request(charlie), tree["grid_a"]) == []
    actions.close_round(round_, acting_user=None)
    assert area_testing_actions(_request(alice), tree["grid_a"]) == []
