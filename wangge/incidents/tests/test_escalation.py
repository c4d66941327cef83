"""The worker moves an incident up the chain when its running clock runs out: driven by a
fake clock through an acknowledgement in time, a missed arrival and a two-step escalation."""

import threading

import pytest
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.test.utils import CaptureQueriesContext

from wangge.audit.models import AuditEntry
from wangge.incidents import actions
from wangge.incidents.choices import Clock, IncidentStatus, Step, StepReason
from wangge.incidents.escalation import escalate_due
from wangge.incidents.models import Incident
from wangge.incidents.routing import chains_for_paths
from wangge.incidents.tests.factories import make_chain, report
from wangge.notifications.models import Notification
from wangge.workforce.selectors import chain_for_area


def _told():
    told = list(Notification.objects.order_by("pk").values_list("user__username", flat=True))
    Notification.objects.all().delete()
    return told


def _turn():
    call_command("worker", "--once")


@pytest.mark.django_db(transaction=True)
def test_acknowledged_in_time_then_a_missed_arrival_escalates_twice(
    migrated_data, tree, bob, clock
):
    chain = make_chain(tree)
    reported = clock.now
    incident = report(tree["grid_a"], at=reported, by=bob)  # critical: 5 / 30 / 60 minutes
    assert _told() == ["cadre_a", "leader_a"]

    # Acknowledged within its 5 minutes: the worker has nothing to do.
    actions.acknowledge(incident, at=clock.advance(minutes=4), acting_user=chain["cadre_a"].user)
    clock.advance(minutes=20)
    _turn()
    incident.refresh_from_db()
    assert incident.assignee == chain["cadre_a"] and incident.escalation_step == 0
    assert _told() == []

    # Nobody on site 30 minutes after the report: to the grid leader, with the arrival's
    # own span (25 minutes) from now.
    clock.advance(minutes=7)  # 31 minutes after the report
    _turn()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.assignee == chain["leader_a"]
    assert incident.escalation_step == 1 and incident.missed == 1
    assert incident.clock == Clock.ARRIVE
    assert (incident.due_at - clock.now).total_seconds() == 25 * 60
    assert incident.arrive_due == incident.due_at
    assert _told() == ["leader_a"]
    _turn()  # a second turn at the same time changes nothing
    assert Incident.objects.get(pk=incident.pk).escalation_step == 1

    # The grid leader does not arrive either: to the community's leader.
    clock.advance(minutes=25)
    _turn()
    incident.refresh_from_db()
    assert incident.assignee == chain["chief"] and incident.escalation_step == 2
    assert _told() == ["chief"]

    # The chief arrives and reports up: the clocks stop.
    actions.arrive(incident, at=clock.advance(minutes=3), acting_user=chain["chief"].user)
    actions.report_up(
        incident, note="已到场处置", at=clock.advance(minutes=5), acting_user=chain["chief"].user
    )
    clock.advance(hours=5)
    _turn()
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.REPORTED_UP and incident.escalation_step == 2

    steps = [
        (s.step, s.clock, s.worker.name if s.worker else None)
        for s in incident.steps.order_by("at", "pk")
    ]
    assert steps == [
        ("reported", "", None),
        ("routed", "", "cadre_a"),
        ("notified", "", "cadre_a"),
        ("notified", "", "leader_a"),
        ("acknowledged", "", "cadre_a"),
        ("missed", "arrive", "cadre_a"),
        ("escalated", "arrive", "leader_a"),
        ("missed", "arrive", "leader_a"),
        ("escalated", "arrive", "chief"),
        ("arrived", "", "chief"),
        ("reported_up", "", "chief"),
    ]
    assert AuditEntry.objects.filter(action="incident.escalate").count() == 2


@pytest.mark.django_db
def test_people_without_a_login_are_skipped_and_the_top_stops_the_clock(tree, chain, bob, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    Incident.objects.filter(pk=incident.pk).update(assignee=chain["chief"])
    assert escalate_due(clock.advance(minutes=6)) == 1
    incident.refresh_from_db()
    # The community's cadre has no login: the district's leader for the street takes it.
    assert incident.assignee == chain["district_lead"]
    skipped = incident.steps.get(step=Step.NOTE, reason=StepReason.NO_LOGIN)
    assert skipped.worker == chain["no_login"]
    # Nobody above the district's leader: the clock stops, the miss is kept.
    assert escalate_due(clock.advance(minutes=6)) == 1
    incident.refresh_from_db()
    assert incident.assignee == chain["district_lead"] and incident.due_at is None
    assert incident.missed == 2
    assert incident.steps.filter(reason=StepReason.NOBODY_ABOVE).exists()
    assert escalate_due(clock.advance(hours=1)) == 0


@pytest.mark.django_db(transaction=True)
def test_an_incident_held_by_another_pass_is_skipped_not_taken(migrated_data, tree, bob, clock):
    """On PostgreSQL a pass holds its incidents by row locks (FOR UPDATE SKIP LOCKED): a
    concurrent pass takes the others and leaves the held one alone, without waiting. (On
    SQLite the pass's IMMEDIATE transaction holds the database's write lock.)"""
    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    make_chain(tree)
    held = report(tree["grid_a"], at=clock.now, by=bob)
    free = report(tree["grid_a"], at=clock.now, by=bob)
    locked, release = threading.Event(), threading.Event()

    def other_pass():
        try:
            with transaction.atomic():
                list(Incident.objects.select_for_update().filter(pk=held.pk))
                locked.set()
                release.wait(30)
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_pass)
    thread.start()
    try:
        assert locked.wait(30)
        assert escalate_due(clock.advance(minutes=6)) == 1
    finally:
        release.set()
        thread.join()
    assert Incident.objects.get(pk=held.pk).escalation_step == 0
    assert Incident.objects.get(pk=free.pk).escalation_step == 1


@pytest.mark.django_db
def test_closed_and_reported_up_incidents_never_escalate(tree, chain, bob, clock):
    one = report(tree["grid_a"], at=clock.now, by=bob)
    two = report(tree["grid_a"], at=clock.now, by=bob)
    actions.close(one, note="", at=clock.now, acting_user=chain["cadre_a"].user)
    actions.arrive(two, at=clock.now, acting_user=chain["cadre_a"].user)
    actions.report_up(two, note="ok", at=clock.now, acting_user=chain["cadre_a"].user)
    assert escalate_due(clock.advance(days=1)) == 0


@pytest.mark.django_db
def test_the_grouped_chains_are_the_chains_of_each_area(tree, chain, clock):
    areas = [tree["grid_a"], tree["grid_b"], tree["community"], tree["street"]]
    grouped = chains_for_paths({area.path for area in areas}, clock.now)
    for area in areas:
        assert [link.pk for link in grouped[area.path]] == [
            link.pk for link in chain_for_area(area, clock.now)
        ]


@pytest.mark.django_db
def test_one_pass_costs_the_same_queries_for_one_or_many_incidents(tree, chain, bob, clock):
    """Incidents going to the same person with the same new limit: one group, whatever
    their number."""
    first = report(tree["grid_a"], at=clock.now, by=bob)
    with CaptureQueriesContext(connection) as one:
        assert escalate_due(clock.advance(minutes=6)) == 1
    actions.close(first, note="", at=clock.now, acting_user=None)
    for _ in range(30):
        report(tree["grid_a"], at=clock.now, by=bob)
    with CaptureQueriesContext(connection) as many:
        assert escalate_due(clock.advance(minutes=6)) == 30
    assert len(many) == len(one)
