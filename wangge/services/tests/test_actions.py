"""Door-to-door service: who may ask, the timeline from the call to the delivery, who may
do what, supplies, and the limits that escalate as incidents (fake clock)."""

import datetime as dt
import uuid
from decimal import Decimal

import pytest
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import UserFactory, grant
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.core.scoping import OutOfScope
from wangge.events.worker import Worker as LoopWorker
from wangge.incidents.choices import IncidentKind, IncidentSeverity, IncidentSource
from wangge.incidents.models import Incident
from wangge.keypersons.choices import KeyPersonStatus, Measure
from wangge.notifications.models import Notification
from wangge.risk.choices import RiskLevel
from wangge.services import actions
from wangge.services.actions import HandoutLine
from wangge.services.choices import ServiceStatus, StepKind, Urgency
from wangge.services.errors import ServiceError
from wangge.services.models import ServiceRequest, SupplyHandout, UrgencyPolicy
from wangge.services.selectors import eligibility
from wangge.services.tests.factories import (
    make_home_key_person,
    make_household,
    make_request,
    set_level,
)
from wangge.workforce.choices import WorkerKind
from wangge.workforce.tests.factories import make_team, make_worker


@pytest.fixture(autouse=True)
def in_english():
    """The refusals are read in English here (the site's language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def volunteer(tree):
    user = grant(UserFactory(username="vol"), Role.VOLUNTEER, tree["community"])
    return make_worker(tree["community"], "志愿者小赵", kind=WorkerKind.VOLUNTEER, user=user)


@pytest.fixture
def closed_household(tree):
    set_level(tree["grid_a"], RiskLevel.LOCKDOWN)
    return make_household(tree["grid_a"])


# --- who may ask ------------------------------------------------------------------------


def test_a_household_of_a_lockdown_grid_may_ask(tree, closed_household):
    found = eligibility(closed_household)
    assert found.eligible and found.level == RiskLevel.LOCKDOWN


def test_a_control_level_set_on_the_community_covers_its_grids(tree):
    set_level(tree["community"], RiskLevel.CONTROL)
    assert eligibility(make_household(tree["grid_b"])).eligible


def test_a_prevention_area_household_without_key_person_may_not_ask(tree):
    set_level(tree["community"], RiskLevel.PREVENTION)
    found = eligibility(make_household(tree["grid_a"]))
    assert not found.eligible


@pytest.mark.parametrize(
    ("measure", "eligible"),
    [
        (Measure.HOME_QUARANTINE, True),
        (Measure.HOME_MONITORING, True),
        (Measure.CENTRALISED_QUARANTINE, False),
    ],
)
def test_a_person_under_a_home_measure_makes_the_household_eligible(tree, measure, eligible):
    person = make_home_key_person(tree["grid_b"], measure=measure)
    found = eligibility(person.household)
    assert found.eligible is eligible
    assert (person in found.key_persons) is eligible


def test_a_released_key_person_no_longer_makes_it_eligible(tree):
    person = make_home_key_person(tree["grid_b"])
    person.status = KeyPersonStatus.RELEASED
    person.save()
    assert not eligibility(person.household).eligible


def test_an_ineligible_household_is_refused_with_the_reason(tree, bob):
    household = make_household(tree["grid_a"])
    with pytest.raises(ServiceError) as refused:
        make_request(household, acting_user=bob)
    assert refused.value.field == "override_reason"
    assert "home measure" in str(refused.value)
    assert not ServiceRequest.objects.exists()


def test_a_grid_member_may_not_make_an_exception(tree, bob):
    household = make_household(tree["grid_a"])
    with pytest.raises(ServiceError, match="community staff"):
        make_request(household, acting_user=bob, override_reason="独居老人")
    assert not ServiceRequest.objects.exists()


def test_community_staff_may_serve_an_ineligible_household_with_a_reason(tree, alice):
    household = make_household(tree["grid_a"])
    request = make_request(household, acting_user=alice, override_reason="独居老人，行动不便")
    assert request.override_reason == "独居老人，行动不便"
    entry = AuditEntry.objects.get(action=AuditEvent.SERVICE_REQUEST)
    # Free text stays out of the audit log; only that an exception was made.
    assert entry.details["override"] is True and "独居" not in str(entry.details)


def test_the_key_person_of_the_household_is_linked(tree, bob):
    person = make_home_key_person(tree["grid_a"])
    request = make_request(person.household, acting_user=bob)
    assert request.key_person == person


# --- recording --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("urgency", "minutes"), [("routine", 24 * 60), ("urgent", 4 * 60), ("emergency", 30)]
)
def test_the_limit_follows_the_urgency_policy(closed_household, bob, urgency, minutes):
    request = make_request(closed_household, urgency=urgency, acting_user=bob)
    assert request.due_at - request.requested_at == dt.timedelta(minutes=minutes)


def test_a_changed_policy_sets_the_next_limits(closed_household, bob):
    UrgencyPolicy.objects.filter(urgency=Urgency.URGENT).update(minutes=90)
    request = make_request(closed_household, urgency=Urgency.URGENT, acting_user=bob)
    assert request.due_at - request.requested_at == dt.timedelta(minutes=90)


def test_a_retried_form_records_one_request(closed_household, bob):
    request_id = uuid.uuid4()
    first = make_request(closed_household, request_id=request_id, acting_user=bob)
    again = make_request(closed_household, request_id=request_id, acting_user=bob)
    assert first.pk == again.pk == request_id
    assert ServiceRequest.objects.count() == 1


def test_medicine_needs_to_say_which(closed_household, bob):
    with pytest.raises(ServiceError) as refused:
        make_request(closed_household, kind="medicine", detail="  ", acting_user=bob)
    assert refused.value.field == "detail"


def test_medical_care_names_the_care(closed_household, bob):
    request = make_request(closed_household, kind="medical_care", care="dialysis", acting_user=bob)
    assert request.care == "dialysis"
    groceries = make_request(closed_household, care="dialysis", acting_user=bob)
    assert groceries.care == ""


def test_grid_staff_record_only_in_their_grid(tree, bob, charlie):
    set_level(tree["community"], RiskLevel.LOCKDOWN)
    sibling = make_household(tree["grid_b"])
    with pytest.raises(OutOfScope):
        make_request(sibling, acting_user=bob)
    with pytest.raises(OutOfScope):
        make_request(sibling, acting_user=charlie)
    assert not ServiceRequest.objects.exists()


# --- assignment and the timeline ----------------------------------------------------------


def test_the_whole_timeline_from_call_to_delivery(closed_household, alice, bob, volunteer):
    request = make_request(closed_household, acting_user=bob)
    assert request.status == ServiceStatus.REQUESTED
    actions.assign(request, worker=volunteer, acting_user=alice)
    # The volunteer is told through their inbox.
    note = Notification.objects.get(user=volunteer.user)
    assert str(request.pk) in note.link
    user = volunteer.user
    actions.advance(request, ServiceStatus.ACCEPTED, acting_user=user)
    actions.advance(request, ServiceStatus.ON_THE_WAY, acting_user=user)
    actions.advance(
        request,
        ServiceStatus.DELIVERED,
        note="交给户主",
        handouts=[HandoutLine("rice", Decimal("5"), "kg"), HandoutLine("", None, "")],
        acting_user=user,
    )
    request.refresh_from_db()
    assert request.status == ServiceStatus.DELIVERED and request.delivered_at is not None
    steps = list(request.steps.order_by("at", "pk").values_list("step", "user__username"))
    assert steps == [
        (StepKind.REQUESTED, "bob"),
        (StepKind.ASSIGNED, "alice"),
        (StepKind.ACCEPTED, "vol"),
        (StepKind.ON_THE_WAY, "vol"),
        (StepKind.DELIVERED, "vol"),
    ]
    handout = SupplyHandout.objects.get()
    assert (handout.request, handout.household, handout.quantity) == (
        request,
        closed_household,
        Decimal("5.00"),
    )


def test_a_step_again_is_a_retry_and_going_back_is_refused(closed_household, alice, volunteer):
    request = make_request(closed_household)
    actions.assign(request, worker=volunteer, acting_user=alice)
    actions.advance(request, ServiceStatus.ON_THE_WAY, acting_user=volunteer.user)
    actions.advance(request, ServiceStatus.ON_THE_WAY, acting_user=volunteer.user)
    assert request.steps.filter(step=StepKind.ON_THE_WAY).count() == 1
    with pytest.raises(ServiceError):
        actions.advance(request, ServiceStatus.ACCEPTED, acting_user=volunteer.user)


def test_nothing_moves_before_it_is_assigned(closed_household, alice):
    request = make_request(closed_household)
    with pytest.raises(ServiceError, match="not assigned"):
        actions.advance(request, ServiceStatus.ACCEPTED, acting_user=alice)


def test_only_the_assignee_or_an_assigner_moves_it_on(tree, closed_household, alice, volunteer):
    request = make_request(closed_household)
    actions.assign(request, worker=volunteer, acting_user=alice)
    other = grant(UserFactory(username="vol2"), Role.VOLUNTEER, tree["community"])
    with pytest.raises(OutOfScope):
        actions.advance(request, ServiceStatus.ACCEPTED, acting_user=other)
    # Community staff may record it for a volunteer without a phone.
    actions.advance(request, ServiceStatus.ACCEPTED, acting_user=alice)


def test_a_team_is_assigned_and_every_member_with_a_login_told(tree, closed_household, alice):
    users = [grant(UserFactory(username=f"m{i}"), Role.VOLUNTEER, tree["grid_a"]) for i in range(2)]
    members = [
        make_worker(tree["grid_a"], f"队员{i}", kind=WorkerKind.VOLUNTEER, user=user)
        for i, user in enumerate(users)
    ]
    team = make_team(tree["grid_a"], "蓝马甲", members=tuple(members))
    request = make_request(closed_household)
    actions.assign(request, team=team, acting_user=alice)
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"m0", "m1"}
    actions.advance(request, ServiceStatus.DELIVERED, acting_user=users[1])
    request.refresh_from_db()
    assert request.status == ServiceStatus.DELIVERED


def test_a_grid_member_may_not_assign_but_the_grid_leader_may(
    tree, closed_household, bob, volunteer
):
    request = make_request(closed_household)
    with pytest.raises(OutOfScope):
        actions.assign(request, worker=volunteer, acting_user=bob)
    leader = grant(UserFactory(username="gl"), Role.GRID_LEADER, tree["grid_a"])
    actions.assign(request, worker=volunteer, acting_user=leader)
    sibling_leader = grant(UserFactory(username="glb"), Role.GRID_LEADER, tree["grid_b"])
    with pytest.raises(OutOfScope):
        actions.assign(request, worker=volunteer, acting_user=sibling_leader)


def test_a_worker_of_the_sibling_grid_cannot_be_sent(tree, closed_household, alice):
    sibling = make_worker(tree["grid_b"], "隔壁网格员", kind=WorkerKind.GRID_MEMBER)
    request = make_request(closed_household)
    with pytest.raises(ServiceError, match="worker of this area"):
        actions.assign(request, worker=sibling, acting_user=alice)
    request.refresh_from_db()
    assert request.status == ServiceStatus.REQUESTED


def test_cancel_needs_a_reason(closed_household, bob):
    request = make_request(closed_household, acting_user=bob)
    with pytest.raises(ServiceError):
        actions.cancel(request, reason=" ", acting_user=bob)
    actions.cancel(request, reason="家属已送到", acting_user=bob)
    request.refresh_from_db()
    assert request.status == ServiceStatus.CANCELLED


# --- supplies ---------------------------------------------------------------------------


def test_a_bad_line_refuses_the_whole_handout(closed_household, bob):
    lines = [HandoutLine("rice", Decimal("5"), "kg"), HandoutLine("vegetables", Decimal("0"), "kg")]
    with pytest.raises(ServiceError, match="line 2"):
        actions.record_handout(closed_household, lines, at=_now(), acting_user=bob)
    assert not SupplyHandout.objects.exists()


def test_a_handout_on_its_own_is_recorded_and_audited(closed_household, bob):
    lines = [HandoutLine("masks", Decimal("20"), "个")]
    actions.record_handout(closed_household, lines, at=_now(), acting_user=bob)
    assert SupplyHandout.objects.get().area == closed_household.grid
    assert AuditEntry.objects.filter(action=AuditEvent.SUPPLY_HANDOUT).count() == 1


def test_handouts_stay_in_scope(tree, bob):
    with pytest.raises(OutOfScope):
        actions.record_handout(
            make_household(tree["grid_b"]),
            [HandoutLine("rice", Decimal(1), "kg")],
            at=_now(),
            acting_user=bob,
        )


@given(quantity=st.decimals(min_value=-100, max_value=20_000, allow_nan=False, places=3))
def test_a_quantity_is_taken_only_between_zero_and_ten_thousand(quantity):
    line = HandoutLine("rice", quantity, "kg")
    if 0 < quantity <= Decimal(10_000):
        assert actions._checked_lines([line])[0].quantity == quantity.quantize(Decimal("0.01"))
    else:
        with pytest.raises(ServiceError):
            actions._checked_lines([line])


def _now():
    from django.utils import timezone

    return timezone.now()


# --- limits and escalation (fake clock) --------------------------------------------------


# The worker's task runner closes connections between tasks: a real transaction, as the
# worker's own tests do.
@pytest.mark.django_db(transaction=True)
def test_a_missed_limit_raises_one_incident_through_the_worker(clock, closed_household, bob):
    request = make_request(closed_household, urgency=Urgency.EMERGENCY, acting_user=bob)
    routine = make_request(closed_household, acting_user=bob)
    clock.advance(minutes=29)
    LoopWorker().turn()
    assert not Incident.objects.exists()
    clock.advance(minutes=2)
    LoopWorker().turn()
    incident = Incident.objects.get()
    assert (incident.kind, incident.source, incident.severity) == (
        IncidentKind.SERVICE_OVERDUE,
        IncidentSource.SERVICE_OVERDUE,
        IncidentSeverity.CRITICAL,
    )
    assert incident.source_key == f"services:{request.pk}"
    assert incident.area == closed_household.grid
    assert request.steps.filter(step=StepKind.OVERDUE).count() == 1
    clock.advance(minutes=5)
    LoopWorker().turn()
    assert Incident.objects.count() == 1
    # The routine request raises its own, a day later, with a medium severity.
    clock.advance(hours=24)
    LoopWorker().turn()
    assert Incident.objects.get(source_key=f"services:{routine.pk}").severity == "medium"


def test_a_delivered_or_cancelled_request_never_escalates(
    clock, closed_household, alice, volunteer
):
    delivered = make_request(closed_household, urgency=Urgency.URGENT)
    actions.assign(delivered, worker=volunteer, acting_user=alice)
    actions.advance(delivered, ServiceStatus.DELIVERED, acting_user=volunteer.user)
    cancelled = make_request(closed_household, urgency=Urgency.URGENT)
    actions.cancel(cancelled, reason="不需要了", acting_user=alice)
    clock.advance(hours=5)
    assert actions.escalate_overdue(clock.now) == 0
    assert not Incident.objects.exists()


def test_escalation_does_not_repeat_a_request(clock, closed_household):
    make_request(closed_household, urgency=Urgency.EMERGENCY)
    clock.advance(hours=1)
    assert actions.escalate_overdue(clock.now) == 1
    assert actions.escalate_overdue(clock.now) == 0
