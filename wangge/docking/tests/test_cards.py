"""The workbench's docking cards: one's unit's figures of today to confirm, and the units
below that have not answered — work waiting before the deadline, alarms after it."""

import datetime as dt

import pytest

from tests.factories import make_area
from wangge.areas.choices import AreaKind
from wangge.core.cards import Severity
from wangge.docking.tests.factories import answer, make_day

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)  # the clock's day: 16:00 in Shanghai, the deadline 20:00


@pytest.fixture
def made(clock, tree):
    for name in ("street", "community"):
        make_day(tree[name], TODAY)
    return tree


def _cards(client, user):
    client.force_login(user)
    response = client.get("/", HTTP_ACCEPT_LANGUAGE="en")
    return {card.key: card for card in response.context["cards"] if card.key.startswith("docking")}


def _figures(card):
    return [figure.value for figure in card.figures]


def test_a_units_staff_are_asked_to_confirm_by_the_deadline(client, made, alice):
    card = _cards(client, alice)["docking.unit"]
    assert card.severity == Severity.WAITING
    assert card.url == f"/docking/?area={made['community'].pk}&day=2026-03-01"
    assert "20:00" in str(card.note)
    assert _figures(card) == [1]


def test_the_card_goes_once_answered_and_comes_back_for_a_new_version(client, made, alice, clock):
    answer(made["community"], alice, TODAY, at=clock.now)
    assert "docking.unit" not in _cards(client, alice)
    make_day(made["community"], TODAY)
    assert "docking.unit" in _cards(client, alice)


def test_after_the_deadline_it_is_an_alarm(client, made, alice, clock):
    clock.advance(hours=4, minutes=1)
    card = _cards(client, alice)["docking.unit"]
    assert card.severity == Severity.ALARM
    assert "has passed" in str(card.note)


def test_the_street_sees_its_communities_and_its_own_day(client, made, alice, streetie, clock):
    second = make_area("东园社区", AreaKind.COMMUNITY, made["street"])
    make_day(second, TODAY)
    answer(made["community"], alice, TODAY, fixes={"testing.sampled": (1, "核")}, at=clock.now)
    cards = _cards(client, streetie)
    assert set(cards) == {"docking.unit", "docking.below"}
    below = cards["docking.below"]
    assert _figures(below) == [1, 1, 1]  # answered, not yet, with corrections
    assert below.severity == Severity.INFO
    clock.advance(hours=4, minutes=1)
    below = _cards(client, streetie)["docking.below"]
    assert below.severity == Severity.ALARM and below.figures[1].label == "late"


def test_no_card_without_a_made_day_or_outside_ones_areas(
    client, tree, other_tree, clock, alice, charlie
):
    make_day(other_tree["community"], TODAY)
    assert _cards(client, alice) == {}
    make_day(tree["community"], TODAY)
    assert set(_cards(client, alice)) == {"docking.unit"}
    assert set(_cards(client, charlie)) == {"docking.unit"}
    make_day(other_tree["street"], TODAY)
    assert set(_cards(client, alice)) == {"docking.unit"}
