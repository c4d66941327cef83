"""The workbench: each role lands on the cards of its own work, in its own areas only, for
a fixed number of queries."""

import pytest
from django.utils import timezone

from tests.factories import UserFactory, grant, make_resident
from wangge.accounts.tests.permission_matrix import ROLE_HOME
from wangge.core.permissions import Role
from wangge.testing.actions import shipments as shipment_actions
from wangge.testing.actions.results import ResultItem, record_results
from wangge.testing.choices import ResultSource, TestResult
from wangge.testing.models import Tube, UnknownResult
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.round_world import build_world
from wangge.testing.tests.tube_factories import make_tube

# The cards' kinds; a round's cards are keyed by its id too ("testing.round.12").
AREAS = "areas.mine"
ROUND = "testing.round"
UNTESTED = "testing.untested"
RECALLS = "testing.recalls"
TUBES = "testing.tubes"
LAB = "testing.lab"
ALARMS = "testing.unknown_results"
# Nobody answers for anything in these tests: the chain of every area is a gap.
CHAIN = "workforce.chain"


@pytest.fixture
def world(tree, alice):
    """build_world's round over the community, with one more untested person in grid A,
    its box shipped, and an alarm for an unknown barcode loaded at the district."""
    world = build_world(tree, alice, people=7)
    shipment_actions.ship(world.shipment, acting_user=world.sampler)
    _alarm(tree["district"])
    return world


def _alarm(area, barcode="ZZ404"):
    return UnknownResult.objects.create(
        barcode=barcode,
        result=TestResult.POSITIVE,
        source=ResultSource.API,
        area=area,
        reported_at=timezone.now(),
    )


def _cards(client, user):
    client.force_login(user)
    response = client.get("/")
    assert response.status_code == 200
    return {_kind(card.key): card for card in response.context["cards"]}


def _kind(key):
    """The card's kind: a key without the round's id."""
    return key.rstrip("0123456789").rstrip(".")


def _figures(card):
    return [figure.value for figure in card.figures]


def test_a_grid_member_sees_their_grid_untested_and_recalls(client, tree, world, bob):
    cards = _cards(client, bob)
    assert set(cards) == {AREAS, ROUND, UNTESTED, RECALLS, CHAIN}
    # Grid A only: six expected (one of seven exempt), five sampled, one untested.
    assert _figures(cards[ROUND]) == ["83.3%", 5, 6]
    assert _figures(cards[UNTESTED]) == [1]
    assert cards[UNTESTED].url == f"/testing/{world.round.pk}/grids/{tree['grid_a'].pk}/untested/"
    assert _figures(cards[RECALLS]) == [3]
    assert cards[RECALLS].url == f"/testing/{world.round.pk}/recalls/"


def test_community_staff_see_the_community_and_the_tubes_to_ship(client, world, alice):
    cards = _cards(client, alice)
    assert set(cards) == {AREAS, ROUND, UNTESTED, RECALLS, TUBES, CHAIN}
    assert _figures(cards[ROUND]) == ["71.4%", 5, 7]
    assert _figures(cards[UNTESTED]) == [2]
    # Above the grids the card opens the round, where the lower areas are listed.
    assert cards[UNTESTED].url == f"/testing/{world.round.pk}/"
    assert _figures(cards[TUBES]) == [1]
    assert cards[TUBES].url == f"/testing/{world.round.pk}/tubes/?status=sealed"
    assert _figures(cards[AREAS]) == [2, 8, 8]


def test_the_lab_liaison_sees_the_boxes_and_the_alarm(client, world):
    cards = _cards(client, world.lab)
    assert set(cards) == {ALARMS, AREAS, ROUND, LAB}
    assert _figures(cards[LAB]) == [1, 0]
    assert _figures(cards[ALARMS]) == [1]
    assert list(cards)[0] == ALARMS  # alarms first


def test_a_sampler_sees_the_tubes_to_ship(client, world):
    cards = _cards(client, world.sampler)
    assert set(cards) == {AREAS, TUBES}


def test_a_role_with_nothing_to_do_is_told_so(client, tree, world):
    officer = grant(UserFactory(username="gate"), Role.CHECKPOINT_OFFICER, tree["street"])
    client.force_login(officer)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    assert [card.key for card in response.context["cards"]] == [AREAS]
    assert "Nothing is waiting for you." in response.content.decode()


def test_work_waiting_hides_the_nothing_waiting_line(client, world, bob):
    client.force_login(bob)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Today's work" in page and "Nothing is waiting for you." not in page


def test_someone_without_a_role_is_told_to_ask_for_one(client, db):
    client.force_login(UserFactory(username="new"))
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You hold no role on any area yet." in page
    assert "Nothing is waiting for you." not in page


def _foreign_work(other):
    """The same kinds of work in another district: a round with untested people, a
    positive pool, a sealed tube, a box on its way and an alarm."""
    people = [make_resident(other["grid_a"], f"外人{i}", room=f"{i}") for i in range(5)]
    round_ = make_round(other["community"], name="外区一轮")
    pool = make_tube(round_, other["grid_a"], *people[:2])
    make_tube(round_, other["grid_a"], people[2])
    boxed = make_tube(round_, other["grid_a"], people[3])
    record_results(
        [ResultItem(pool.barcode, TestResult.POSITIVE)],
        tubes=Tube.objects.filter(pk=pool.pk),
        acting_user=None,
    )
    box = shipment_actions.create_shipment(round_, [boxed], acting_user=None)
    shipment_actions.ship(box, acting_user=None)
    _alarm(other["district"], barcode="ZZ999")


@pytest.mark.parametrize("who", ["bob", "alice", "lab", "sampler"])
def test_no_card_counts_work_outside_the_users_areas(client, world, other_tree, who, request):
    user = getattr(world, who, None) or request.getfixturevalue(who)
    before = {kind: _figures(card) for kind, card in _cards(client, user).items()}
    _foreign_work(other_tree)
    assert {kind: _figures(card) for kind, card in _cards(client, user).items()} == before


def test_the_other_districts_staff_see_none_of_this_work(client, world, charlie):
    assert set(_cards(client, charlie)) == {AREAS, CHAIN}


# Queries of the home page for each role (session, user and inbox count included), whatever the number
# of rounds, tubes, recalls, alarms and incidents: each card costs a fixed number (the chain's:
# three; the dispatch cards, my task today and my teams' boards: one each; the incidents': one;
# the workforce's: one; the risk levels': one, and one more for those who set levels, three
# more again when an area of theirs has a level of its own: the downgrades suggested; for
# those who follow up: the key persons' one and the lists to trace's one; the checkpoints'
# today: one aggregate; duty: three for everyone (my shifts today; my scheduled tasks and
# today's completions), four more for those who see closed-loop control (posts, today's
# shifts, tasks, completions: posts unmanned and tasks overdue in their areas); the service
# requests': one for those who see or deliver them; the daily docking's: one for those who
# answer for a unit (their unit's day to confirm), one for those who see the daily analysis
# (the units below that have answered); the command dashboard's: one for those who make the
# day's figures (their top area's last day made)).
HOME_QUERIES = {
    Role.ADMINISTRATOR: 38,
    Role.COMMAND_CENTRE: 38,
    Role.STREET_STAFF: 38,
    Role.COMMUNITY_STAFF: 34,
    Role.GRID_LEADER: 34,
    Role.GRID_MEMBER: 31,
    Role.SAMPLER: 14,
    Role.CHECKPOINT_OFFICER: 14,
    Role.LAB_LIAISON: 19,
    Role.VOLUNTEER: 15,
    Role.STATIONED_CADRE: 31,
}


def _more_work(tree, alice):
    """A second open round over the community with its own untested, tubes and recall."""
    people = [make_resident(tree["grid_b"], f"又一人{i}", room=f"9{i}") for i in range(4)]
    round_ = make_round(tree["community"], name="第二轮全员核酸")
    pool = make_tube(round_, tree["grid_b"], *people[:2])
    make_tube(round_, tree["grid_a"], people[2])
    record_results(
        [ResultItem(pool.barcode, TestResult.POSITIVE)],
        tubes=Tube.objects.filter(pk=pool.pk),
        acting_user=None,
    )
    _alarm(tree["community"], barcode="ZZ405")


@pytest.mark.parametrize("role", Role.values)
def test_the_home_page_costs_a_fixed_number_of_queries(
    client, tree, world, alice, role, django_assert_num_queries
):
    user = grant(UserFactory(username=f"home_{role}"), role, tree[ROLE_HOME[role]])
    client.force_login(user)
    with django_assert_num_queries(HOME_QUERIES[role]):
        client.get("/")
    _more_work(tree, alice)
    with django_assert_num_queries(HOME_QUERIES[role]):
        client.get("/")
