"""Units late to answer: after the deadline, one incident per unit and day that was made
and not answered, routed to the unit's chain, audited once with the list (fake clock:
2026-03-01 16:00 in Shanghai; the deadline is 20:00)."""

import datetime as dt

import pytest
from django.test import override_settings

from tests.factories import UserFactory
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.docking.actions import late_key, raise_late_units
from wangge.docking.tests.factories import answer, make_day
from wangge.events.worker import Worker as LoopWorker
from wangge.incidents.choices import IncidentKind, IncidentSource
from wangge.incidents.models import Incident
from wangge.workforce.tests.factories import assign, make_worker

TODAY = dt.date(2026, 3, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(clock, tree, alice):
    """Today made for the street, the community and the district (the grids too)."""
    for area in tree.values():
        make_day(area, TODAY)
    return tree


def test_nothing_is_raised_before_the_deadline(clock, made):
    clock.advance(hours=3, minutes=55)
    assert raise_late_units(clock.now) == 0
    assert not Incident.objects.exists()


# The worker's task runner closes connections between tasks: a real transaction, as the
# worker's own tests do.
@pytest.mark.django_db(transaction=True)
def test_each_unit_not_answered_raises_one_incident_through_the_worker(clock, made, alice):
    answer(made["community"], alice, TODAY, at=clock.now)
    clock.advance(hours=4, minutes=5)
    LoopWorker().turn()
    incident = Incident.objects.get()
    assert incident.area == made["street"]
    assert incident.kind == IncidentKind.DOCKING_LATE
    assert incident.source == IncidentSource.DOCKING_LATE
    assert incident.source_key == late_key(made["street"], TODAY)
    assert made["street"].name in incident.description
    entry = AuditEntry.objects.get(action=AuditEvent.DOCKING_LATE)
    assert entry.details["day"] == "2026-03-01"
    assert entry.details["units"] == [{"id": made["street"].pk, "name": made["street"].name}]


def test_a_units_day_raises_once(clock, made):
    clock.advance(hours=4, minutes=1)
    assert raise_late_units(clock.now) == 2  # the street and the community
    clock.advance(minutes=5)
    assert raise_late_units(clock.now) == 0
    clock.advance(days=1)
    assert raise_late_units(clock.now) == 0  # tomorrow was not made
    assert Incident.objects.count() == 2
    assert AuditEntry.objects.filter(action=AuditEvent.DOCKING_LATE).count() == 1


def test_the_incident_goes_to_the_units_chain(clock, made):
    leader = make_worker(
        made["community"], "王书记", user=UserFactory(username="secretary"), phone="13800000001"
    )
    assign(leader, made["community"], "cadre_community")
    clock.advance(hours=4, minutes=1)
    raise_late_units(clock.now)
    incident = Incident.objects.get(area=made["community"])
    assert incident.assignee == leader


def test_a_late_answer_before_the_check_raises_nothing(clock, made, alice, streetie):
    clock.advance(hours=4, minutes=1)
    answer(made["community"], alice, TODAY, at=clock.now)
    answer(made["street"], streetie, TODAY, at=clock.now)
    assert raise_late_units(clock.now) == 0


def test_a_day_not_made_or_long_past_raises_nothing(clock, tree):
    make_day(tree["community"], TODAY - dt.timedelta(days=3))
    make_day(tree["street"], TODAY - dt.timedelta(days=2))
    clock.advance(hours=4, minutes=1)
    assert raise_late_units(clock.now) == 1
    assert Incident.objects.get().area == tree["street"]


@override_settings(WANGGE_DOCKING_DEADLINE="23:30")
def test_the_deadline_is_a_setting(clock, made):
    clock.advance(hours=4, minutes=1)
    assert raise_late_units(clock.now) == 0
    clock.advance(hours=3, minutes=30)
    assert raise_late_units(clock.now) == 2
