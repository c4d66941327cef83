"""Raising an incident routes it through the chain; its steps move it on, for the right
people only, each on the timeline and in the audit log."""

import uuid

import pytest
from django.core.files.base import ContentFile

from wangge.audit.models import AuditEntry
from wangge.core.scoping import OutOfScope
from wangge.incidents import actions
from wangge.incidents.choices import Clock, IncidentSource, IncidentStatus, Step, StepReason
from wangge.incidents.errors import IncidentError
from wangge.incidents.models import Incident
from wangge.incidents.tests.factories import report
from wangge.notifications.models import Notification

pytestmark = pytest.mark.django_db


def _steps(incident):
    return [
        (s.step, s.worker.name if s.worker else None) for s in incident.steps.order_by("at", "pk")
    ]


def test_an_incident_goes_to_the_grids_stationed_cadre_and_its_grid_leader_is_told(
    tree, chain, bob, clock
):
    incident = report(tree["grid_a"], at=clock.now, by=bob, place="3号楼")
    assert incident.assignee == chain["cadre_a"]
    assert incident.status == IncidentStatus.OPEN
    assert incident.clock == Clock.ACKNOWLEDGE
    # Critical by default policy: acknowledge in 5, arrive in 30, report in 60 minutes.
    assert (incident.acknowledge_due - clock.now).total_seconds() == 5 * 60
    assert (incident.arrive_due - clock.now).total_seconds() == 30 * 60
    assert (incident.report_due - clock.now).total_seconds() == 60 * 60
    assert incident.due_at == incident.acknowledge_due
    assert sorted(Notification.objects.values_list("user__username", flat=True)) == [
        "cadre_a",
        "leader_a",
    ]
    assert _steps(incident) == [
        ("reported", None),
        ("routed", "cadre_a"),
        ("notified", "cadre_a"),
        ("notified", "leader_a"),
    ]
    entry = AuditEntry.objects.get(action="incident.report")
    assert entry.actor_name == "bob" and entry.area_path == tree["grid_a"].path


def test_a_kinds_own_policy_wins_over_the_severitys(tree, chain, bob, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob, kind="medical")
    assert (incident.acknowledge_due - clock.now).total_seconds() == 3 * 60


def test_a_cadre_without_a_login_is_skipped_with_a_note(tree, chain, bob, clock):
    cadre = chain["cadre_a"]
    cadre.user = None
    cadre.save()
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    assert incident.assignee == chain["leader_a"]
    note = incident.steps.get(step=Step.NOTE)
    assert note.worker == cadre and note.reason == StepReason.NO_LOGIN


def test_a_grid_without_anyone_goes_to_the_next_level_up(tree, chain, bob, clock):
    grid_b = tree["grid_b"]
    incident = report(grid_b, at=clock.now, by=grant_grid_b(bob, grid_b))
    assert incident.assignee == chain["chief"]


def grant_grid_b(user, grid_b):
    from tests.factories import grant
    from wangge.core.permissions import Role

    return grant(user, Role.GRID_MEMBER, grid_b)


def test_nobody_responsible_leaves_it_unassigned_with_a_note(tree, bob, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    assert incident.assignee is None
    assert incident.steps.filter(reason=StepReason.NOBODY_RESPONSIBLE).exists()


def test_one_event_raises_one_incident_and_a_retried_report_one_too(tree, chain, bob, clock):
    first = report(
        tree["grid_a"], at=clock.now, by=None, source=IncidentSource.CASE_POSITIVE, source_key="k1"
    )
    again = report(
        tree["grid_a"],
        at=clock.advance(minutes=1),
        by=None,
        source=IncidentSource.CASE_POSITIVE,
        source_key="k1",
    )
    assert again.pk == first.pk
    device_id = uuid.uuid4()
    sent = report(tree["grid_a"], at=clock.now, by=bob, incident_id=device_id)
    retried = report(tree["grid_a"], at=clock.now, by=bob, incident_id=device_id)
    assert sent.pk == retried.pk == device_id
    assert Incident.objects.count() == 2


def test_reporting_outside_ones_areas_is_refused(tree, other_tree, chain, bob, clock):
    with pytest.raises(OutOfScope):
        report(other_tree["grid_a"], at=clock.now, by=bob)
    with pytest.raises(OutOfScope):
        report(tree["grid_b"], at=clock.now, by=bob)
    assert not Incident.objects.exists()


def test_the_assignee_takes_every_step_and_the_figures_are_kept(tree, chain, bob, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    cadre = chain["cadre_a"].user
    actions.acknowledge(incident, at=clock.advance(minutes=2), acting_user=cadre)
    assert incident.status == IncidentStatus.ACKNOWLEDGED
    assert incident.acknowledge_seconds == 120 and incident.acknowledged_by == chain["cadre_a"]
    assert incident.clock == Clock.ARRIVE and incident.due_at == incident.arrive_due
    actions.arrive(incident, at=clock.advance(minutes=10), acting_user=cadre)
    assert incident.status == IncidentStatus.ON_SITE and incident.arrive_seconds == 720
    assert incident.clock == Clock.REPORT
    actions.report_up(
        incident, note="发热一人，已转运", at=clock.advance(minutes=5), acting_user=cadre
    )
    assert incident.status == IncidentStatus.REPORTED_UP and incident.due_at is None
    actions.close(incident, note="", at=clock.advance(minutes=5), acting_user=chain["chief"].user)
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.CLOSED and incident.closed_at == clock.now
    assert [s.step for s in incident.steps.order_by("at", "pk")][-4:] == [
        "acknowledged",
        "arrived",
        "reported_up",
        "closed",
    ]
    assert set(AuditEntry.objects.values_list("action", flat=True)) >= {
        "incident.acknowledge",
        "incident.arrive",
        "incident.report_up",
        "incident.close",
    }


def test_a_step_taken_twice_or_out_of_order_is_refused(tree, chain, bob, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    cadre = chain["cadre_a"].user
    with pytest.raises(IncidentError):
        actions.report_up(incident, note="x", at=clock.now, acting_user=cadre)
    actions.acknowledge(incident, at=clock.now, acting_user=cadre)
    stale = Incident.objects.get(pk=incident.pk)
    stale.status = IncidentStatus.OPEN
    with pytest.raises(IncidentError):
        actions.acknowledge(stale, at=clock.now, acting_user=chain["leader_a"].user)


def test_someone_neither_assigned_nor_handling_the_area_cannot_act(
    tree, chain, bob, charlie, clock
):
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    for outsider in (bob, charlie):  # bob reported it (grid member: no HANDLE), charlie elsewhere
        with pytest.raises(OutOfScope):
            actions.acknowledge(incident, at=clock.now, acting_user=outsider)
    assert Incident.objects.get(pk=incident.pk).status == IncidentStatus.OPEN


def test_a_late_step_still_leaves_the_next_its_own_span(tree, chain, bob, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    # Acknowledged 40 minutes late: the arrival limit (30 min from the report) has passed,
    # so the cadre gets the arrival's own span (30 - 5 = 25 minutes) from now.
    actions.acknowledge(incident, at=clock.advance(minutes=40), acting_user=chain["cadre_a"].user)
    assert (incident.due_at - clock.now).total_seconds() == 25 * 60


def test_a_handler_reassigns_and_the_new_assignee_is_told(tree, chain, bob, alice, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    Notification.objects.all().delete()
    actions.reassign(incident, chain["chief"], note="社区接手", at=clock.now, acting_user=alice)
    incident.refresh_from_db()
    assert incident.assignee == chain["chief"]
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["chief"]
    assert incident.steps.filter(step=Step.REASSIGNED, worker=chain["chief"]).exists()
    with pytest.raises(OutOfScope):
        actions.reassign(incident, chain["chief"], at=clock.now, acting_user=chain["cadre_a"].user)


def test_a_photo_is_stored_re_encoded_outside_public_reach(
    tree, chain, bob, clock, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    from wangge.incidents.tests.test_photos import jpeg_bytes

    incident = report(
        tree["grid_a"], at=clock.now, by=bob, photo=ContentFile(jpeg_bytes(), name="x.jpg")
    )
    path = tmp_path / incident.photo.name
    assert path.exists() and oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert incident.photo.name.endswith(".jpg") and "x.jpg" not in incident.photo.name
