"""The demo's docking: past days answered (most confirmed, some corrected with reasons, a
few late), yesterday one unit silent, today open for the logins' units; nothing without
figures made."""

import datetime as dt

import pytest

from tests.factories import UserFactory, grant, make_area
from wangge.areas.choices import AreaKind
from wangge.core.permissions import Role
from wangge.docking.demo import build_demo_docking, demo_docking_exists, remove_demo_docking
from wangge.docking.models import Answer, Correction, Docking
from wangge.docking.tests.factories import make_day

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 1)  # the clock's day, 16:00 in Shanghai


@pytest.fixture
def district(tree, clock):
    """Six communities under the street, each day of the last five made for every unit."""
    communities = [tree["community"]] + [
        make_area(f"第{n}社区", AreaKind.COMMUNITY, tree["street"]) for n in range(2, 7)
    ]
    for back in range(5):
        for unit in (tree["street"], *communities):
            make_day(unit, TODAY - dt.timedelta(days=back))
    return tree


def test_nothing_is_built_without_figures(tree, clock, admin_user):
    built = build_demo_docking(tree["district"], admin_user, now=clock.now)
    assert built.answers == 0 and not Docking.objects.exists()


def test_the_demo_answers_the_past_and_leaves_today_open(district, clock, admin_user, alice):
    built = build_demo_docking(
        district["district"],
        admin_user,
        seed=4,
        keep_open=[district["street"], district["community"]],
        now=clock.now,
    )
    assert built.days == 5
    past = Docking.objects.filter(day__lt=TODAY)
    # Four past days of seven units, one silent yesterday.
    assert past.count() == 4 * 7 - 1
    assert past.filter(answer=Answer.CONFIRMED).count() > past.count() // 2
    assert past.filter(late=True).count() == 8  # two a day
    assert built.corrected == Correction.objects.values("docking").distinct().count()
    assert not Correction.objects.filter(reason="").exists()
    today = Docking.objects.filter(day=TODAY)
    assert not today.filter(area__in=[district["street"], district["community"]]).exists()
    assert not today.filter(late=True).exists()
    # The community's answers are its own staff's.
    assert set(past.filter(area=district["community"]).values_list("answered_by", flat=True)) == {
        alice.pk
    }
    assert demo_docking_exists(district["district"])
    assert remove_demo_docking(district["district"]) == built.answers
    assert not Correction.objects.exists()


def test_the_same_seed_answers_the_same_way(district, clock, admin_user):
    first = build_demo_docking(district["district"], admin_user, seed=2, now=clock.now)
    remove_demo_docking(district["district"])
    assert build_demo_docking(district["district"], admin_user, seed=2, now=clock.now) == first


def test_a_unit_nobody_answers_for_is_left(district, clock):
    staff = grant(UserFactory(username="st"), Role.STREET_STAFF, district["street"])
    built = build_demo_docking(district["district"], None, now=clock.now)
    assert set(Docking.objects.values_list("answered_by", flat=True)) == {staff.pk}
    assert built.answers == Docking.objects.count() > 0
