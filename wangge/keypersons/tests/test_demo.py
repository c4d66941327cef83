"""The demo's key persons: every category and measure, some overdue, one to release."""

import pytest
from django.utils import timezone

from tests.factories import make_resident
from wangge.keypersons import actions
from wangge.keypersons.choices import Category, KeyPersonStatus, Measure
from wangge.keypersons.demo import (
    build_demo_keypersons,
    demo_keypersons_exist,
    remove_demo_keypersons,
)
from wangge.keypersons.models import KeyPerson
from wangge.keypersons.selectors import overdue_q
from wangge.risk.models import AreaRiskLevel

pytestmark = pytest.mark.django_db


def test_the_demo_shows_every_case(tree, clock):
    for index in range(6):
        make_resident(tree["grid_a"], f"甲{index}", room=str(100 + index))
        make_resident(tree["grid_b"], f"乙{index}", room=str(200 + index))
    today = timezone.localdate()
    places = build_demo_keypersons(tree["district"], seed=3, today=today)
    assert not places.from_risk_levels and places.lockdown == tree["grid_a"]
    assert demo_keypersons_exist(tree["district"])
    people = KeyPerson.objects.all()
    assert {p.category for p in people} == set(Category.values)
    assert {p.measure for p in people} == set(Measure.values)
    assert people.filter(overdue_q(today)).count() >= 2
    assert people.filter(flagged_at__isnull=False).exists()
    assert people.filter(status=KeyPersonStatus.RELEASED).count() == 1
    releasable = [
        p
        for p in people.filter(status=KeyPersonStatus.UNDER_MEASURE)
        if not actions.release_blockers(p, list(p.tests.all()), today)
    ]
    assert len(releasable) == 1
    assert people.filter(resident__isnull=True).count() == 2
    count = people.count()
    assert remove_demo_keypersons(tree["district"]) == count
    assert not KeyPerson.objects.exists()


def test_the_demo_follows_the_risk_levels(tree, clock):
    AreaRiskLevel.objects.create(
        area=tree["grid_b"], level="lockdown", set_at=timezone.now(), reason="演示"
    )
    AreaRiskLevel.objects.create(
        area=tree["grid_a"], level="control", set_at=timezone.now(), reason="演示"
    )
    places = build_demo_keypersons(tree["district"], seed=3, today=timezone.localdate())
    assert places.from_risk_levels
    assert (places.lockdown, places.control) == (tree["grid_b"], tree["grid_a"])
