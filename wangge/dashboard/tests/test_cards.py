"""The dashboard's workbench card: the leaders' top area, its last day made."""

import datetime as dt

from tests.factories import UserFactory, grant
from wangge.core.permissions import Role
from wangge.dashboard.tests.factories import DAY, day_of


def _card(client, user):
    client.force_login(user)
    cards = client.get("/").context["cards"]
    return next((card for card in cards if card.key == "dashboard.day"), None)


def test_a_leader_sees_the_last_day_of_their_top_area(client, tree, other_tree):
    lead = grant(UserFactory(username="lead"), Role.COMMAND_CENTRE, tree["district"])
    assert _card(client, lead) is None  # nothing made yet
    day_of(tree["district"], DAY - dt.timedelta(days=1), sampled=80)
    day_of(tree["district"], DAY, sampled=91, incidents_open=4)
    # A later day of another district, and of an area below, are not this card's.
    day_of(other_tree["district"], DAY + dt.timedelta(days=1))
    day_of(tree["street"], DAY + dt.timedelta(days=1))
    card = _card(client, lead)
    assert [figure.value for figure in card.figures] == ["91.0%", 9, 4]
    assert card.url == f"/dashboard/?area={tree['district'].pk}&day={DAY.isoformat()}"


def test_those_who_do_not_make_the_figures_get_no_card(client, tree, alice):
    day_of(tree["community"], DAY)
    assert _card(client, alice) is None
