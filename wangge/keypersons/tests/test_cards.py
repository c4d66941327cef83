"""The workbench card of the grid staff: overdue checks and tests, flags; one query."""

import datetime as dt
from decimal import Decimal

import pytest
from django.test import RequestFactory

from wangge.keypersons import actions
from wangge.keypersons.cards import key_person_cards
from wangge.keypersons.tests.factories import make_key_person

pytestmark = pytest.mark.django_db
TZ = dt.timezone(dt.timedelta(hours=8))


def _card(user):
    request = RequestFactory().get("/")
    request.user = user
    return key_person_cards(request)


def test_the_card_counts_what_is_overdue_in_one_query(tree, bob, clock, django_assert_num_queries):
    start = dt.date(2026, 3, 1)
    clock.now = dt.datetime(2026, 3, 3, 9, tzinfo=TZ)  # day 3: D1 is past
    for index in range(3):
        make_key_person(tree["grid_a"], f"甲{index}", started_on=start)
    checked = make_key_person(tree["grid_a"], "已测", started_on=start)
    actions.record_health_check(checked, temperature=Decimal("37.8"), acting_user=bob)
    make_key_person(tree["grid_b"], "别的网格", started_on=start)
    bob.scope_paths("control.follow_up")  # the role cache, as a page has it already
    with django_assert_num_queries(1):
        (card,) = _card(bob)
    figures = {str(f.label): f.value for f in card.figures}
    assert list(figures.values()) == [3, 4, 1, 4]  # no check today, tests, flagged, followed
    assert card.severity == 0


def test_nobody_followed_no_card(tree, bob, charlie):
    make_key_person(tree["grid_a"])
    assert _card(charlie) == []
