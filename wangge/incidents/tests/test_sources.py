"""The system raises incidents from testing's events and from stalled coverage, once per
event (or per round and grid) however often it is delivered or checked."""

import datetime as dt

import pytest

from tests.factories import UserFactory, grant, make_resident
from wangge.core.permissions import Perm, Role
from wangge.events.actions import dispatch_pending
from wangge.incidents.choices import IncidentKind, IncidentSeverity, IncidentSource
from wangge.incidents.models import Incident
from wangge.incidents.sources import stalled_coverage
from wangge.testing.actions.recalls import report_overdue_recalls
from wangge.testing.actions.results import ResultItem, record_results
from wangge.testing.choices import TestResult as Result
from wangge.testing.models import Tube
from wangge.testing.tests.factories import make_round, mark_sampled
from wangge.testing.tests.tube_factories import make_tube

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(tree):
    return grant(UserFactory(username="lab"), Role.LAB_LIAISON, tree["district"])


@pytest.fixture
def people(tree):
    return [
        make_resident(tree["grid_a"], "甲一", room="101"),
        make_resident(tree["grid_a"], "甲二", room="102"),
        make_resident(tree["grid_b"], "乙一", room="201"),
    ]


def _result(lab, tube, result):
    record_results(
        [ResultItem(tube.barcode, result)],
        tubes=Tube.objects.visible_to(lab, Perm.LOAD_RESULTS),
        acting_user=lab,
    )


def _deliver(clock):
    dispatch_pending(clock.now)
    dispatch_pending(clock.advance(minutes=10))


def test_a_positive_pool_raises_one_incident_per_grid_of_its_members_once(
    tree, chain, people, lab, clock
):
    round_ = make_round(tree["community"])
    tube = make_tube(round_, tree["community"], *people)
    _result(lab, tube, Result.POSITIVE)
    _deliver(clock)
    raised = Incident.objects.order_by("area__path")
    assert [(i.area, i.source, i.kind, i.severity) for i in raised] == [
        (
            tree["grid_a"],
            IncidentSource.POOL_POSITIVE,
            IncidentKind.POSITIVE,
            IncidentSeverity.HIGH,
        ),
        (
            tree["grid_b"],
            IncidentSource.POOL_POSITIVE,
            IncidentKind.POSITIVE,
            IncidentSeverity.HIGH,
        ),
    ]
    assert raised[0].assignee == chain["cadre_a"] and raised[0].reporter is None
    assert tube.barcode in raised[0].place
    # Nothing that names a person.
    assert all(person.name not in i.place + i.description for i in raised for person in people)


def test_a_positive_case_raises_a_critical_incident_once(tree, chain, people, lab, clock):
    round_ = make_round(tree["community"])
    _result(lab, make_tube(round_, tree["grid_a"], people[0], capacity=1), Result.POSITIVE)
    _deliver(clock)
    incident = Incident.objects.get()
    assert incident.source == IncidentSource.CASE_POSITIVE
    assert incident.severity == IncidentSeverity.CRITICAL and incident.area == tree["grid_a"]


def test_an_overdue_recall_raises_one_incident(tree, chain, people, lab, clock, settings):
    settings.WANGGE_RECALL_OVERDUE_HOURS = 24
    round_ = make_round(tree["community"])
    _result(lab, make_tube(round_, tree["grid_a"], people[0]), Result.POSITIVE)
    _deliver(clock)
    Incident.objects.all().delete()
    report_overdue_recalls(now=clock.advance(hours=25))
    _deliver(clock)
    report_overdue_recalls(now=clock.advance(hours=25))
    _deliver(clock)
    incident = Incident.objects.get()
    assert incident.source == IncidentSource.RECALL_OVERDUE and incident.area == tree["grid_a"]


def test_an_event_delivered_again_raises_nothing_more(tree, chain, people, lab, clock):
    from wangge.events.models import Delivery
    from wangge.incidents.sources import case_positive

    round_ = make_round(tree["community"])
    _result(lab, make_tube(round_, tree["grid_a"], people[0], capacity=1), Result.POSITIVE)
    _deliver(clock)
    event = Delivery.objects.get(subscriber="incidents.case_positive").event
    case_positive(event, clock.now)  # a handler run twice (a retried delivery)
    assert Incident.objects.count() == 1


def test_a_grid_stalled_late_in_a_round_raises_one_incident(tree, chain, people, clock, settings):
    settings.WANGGE_INCIDENT_STALL_AFTER_PERCENT = 75
    settings.WANGGE_INCIDENT_STALL_BELOW_PERCENT = 90
    start = clock.now
    round_ = make_round(tree["community"], starts_at=start, ends_at=start + dt.timedelta(hours=8))
    mark_sampled(round_, people[0])  # grid A: 1 of 2; grid B: 0 of 1
    # Early in the round nothing is checked.
    assert stalled_coverage(clock.advance(hours=2)) == 0
    # Past 75 % (6 h): the first check writes the figures down.
    assert stalled_coverage(clock.advance(hours=4, minutes=1)) == 0
    # Grid B grows (and reaches 100 %); grid A does not: grid A has stalled.
    mark_sampled(round_, people[2])
    assert stalled_coverage(clock.advance(minutes=30)) == 1
    incident = Incident.objects.get()
    assert incident.area == tree["grid_a"] and incident.source == IncidentSource.COVERAGE_STALL
    assert incident.assignee == chain["cadre_a"]
    # Still stalled at the next check: still one incident.
    assert stalled_coverage(clock.advance(minutes=30)) == 0
    assert Incident.objects.count() == 1
    # After the round's end nothing is raised.
    assert stalled_coverage(clock.advance(hours=2)) == 0
