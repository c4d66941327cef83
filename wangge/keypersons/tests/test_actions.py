"""Policies, schedules, checks, tests, flags and release of key persons."""

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.factories import id_number, make_resident
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.scoping import OutOfScope
from wangge.incidents.models import Incident
from wangge.keypersons import actions
from wangge.keypersons.choices import Category, KeyPersonStatus, Measure, ScheduledResult
from wangge.keypersons.errors import KeyPersonError
from wangge.keypersons.models import KeyPerson, MeasurePolicy
from wangge.keypersons.selectors import counts_by_measure, overdue_q, with_flags
from wangge.keypersons.tests.factories import make_key_person

START = dt.date(2026, 3, 1)
TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=TZ)


@pytest.fixture
def release_day(clock):
    clock.now = at(START + dt.timedelta(days=7), 10)
    return clock


# --- policies and schedules --------------------------------------------------------------


@pytest.mark.django_db
def test_default_policies_follow_the_ninth_edition():
    policies = {p.measure: p for p in MeasurePolicy.objects.all()}
    assert policies[Measure.CENTRALISED_QUARANTINE].test_days == [1, 2, 3, 5, 7]
    assert policies[Measure.HOME_QUARANTINE].test_days == [1, 4, 7]
    assert policies[Measure.HOME_MONITORING].test_days == [3]
    assert policies[Measure.HOME_MONITORING].duration_days == 3
    assert all(p.daily_checks for p in policies.values())


def test_placement_takes_its_end_and_schedule_from_the_policy(tree):
    person = make_key_person(tree["grid_a"], measure=Measure.HOME_QUARANTINE, started_on=START)
    assert person.planned_end_on == START + dt.timedelta(days=7)
    assert [(t.day, t.due_on) for t in person.tests.order_by("day")] == [
        (1, START),
        (4, START + dt.timedelta(days=3)),
        (7, START + dt.timedelta(days=6)),
    ]


def test_a_changed_policy_applies_to_people_placed_afterwards(tree, alice):
    before = make_key_person(tree["grid_a"], measure=Measure.HOME_MONITORING)
    policy = MeasurePolicy.objects.get(measure=Measure.HOME_MONITORING)
    actions.update_policy(
        policy, duration_days=5, test_days=[1, 5], daily_checks=False, acting_user=alice
    )
    after = make_key_person(tree["grid_a"], "王五", measure=Measure.HOME_MONITORING)
    assert [t.day for t in before.tests.all()] == [3]
    assert [t.day for t in after.tests.order_by("day")] == [1, 5]
    assert after.planned_end_on == after.started_on + dt.timedelta(days=5)
    entry = AuditEntry.objects.get(action=AuditEvent.MEASURE_POLICY_UPDATE)
    assert entry.details["after"]["test_days"] == [1, 5]


def test_a_policy_is_changed_only_by_those_who_manage_control(tree, bob):
    policy = MeasurePolicy.objects.get(measure=Measure.HOME_MONITORING)
    with pytest.raises(OutOfScope):
        actions.update_policy(
            policy, duration_days=5, test_days=[1], daily_checks=True, acting_user=bob
        )


@pytest.mark.parametrize(
    ("text", "days"), [("1,4,7", [1, 4, 7]), ("7 1 4 4", [1, 4, 7]), ("1、3", [1, 3]), ("", [])]
)
def test_test_days_are_read_in_any_usual_form(text, days):
    assert actions.parse_test_days(text, 7) == days


@pytest.mark.parametrize("text", ["0", "8", "a", "1.5", "-1", "１"])
def test_test_days_outside_the_duration_are_refused(text):
    with pytest.raises(KeyPersonError):
        actions.parse_test_days(text, 7)


# --- temperatures -------------------------------------------------------------------------


@given(st.decimals(min_value=Decimal("34.0"), max_value=Decimal("43.0"), places=1))
def test_every_plausible_temperature_is_accepted(value):
    assert actions.parse_temperature(str(value)) == value


@given(
    st.decimals(allow_nan=False, allow_infinity=False, places=1).filter(
        lambda v: not Decimal("34.0") <= v <= Decimal("43.0")
    )
)
def test_every_implausible_temperature_is_refused(value):
    with pytest.raises(KeyPersonError) as refused:
        actions.parse_temperature(str(value))
    assert refused.value.field == "temperature"


@given(st.text(max_size=12))
def test_any_text_is_a_temperature_or_a_clear_refusal(text):
    try:
        value = actions.parse_temperature(text)
    except KeyPersonError as exc:
        assert exc.code in {"temperature_format", "temperature_range"}
        assert exc.message
    else:
        assert Decimal("34.0") <= value <= Decimal("43.0")
        assert value == value.quantize(Decimal("0.1"))


@pytest.mark.parametrize("text", ["3.7", "73", "36.55", "abc", "NaN", "Infinity", "1e1"])
def test_typing_slips_are_refused(text):
    with pytest.raises(KeyPersonError):
        actions.parse_temperature(text)


@pytest.mark.parametrize(("text", "value"), [("36.5", "36.5"), (" 37,3 ", "37.3"), ("38℃", "38.0")])
def test_temperatures_as_people_type_them(text, value):
    assert actions.parse_temperature(text) == Decimal(value)


# --- checks and flags ---------------------------------------------------------------------


def test_a_fever_flags_the_person_and_clearing_it_needs_a_note(tree, bob, clock):
    clock.now = at(START)
    person = make_key_person(tree["grid_a"], started_on=START)
    actions.record_health_check(person, temperature=Decimal("36.6"), acting_user=bob)
    person.refresh_from_db()
    assert person.flagged_at is None
    actions.record_health_check(
        person, temperature=Decimal("37.3"), symptoms=["cough"], acting_user=bob
    )
    person.refresh_from_db()
    assert person.flagged_at is not None and "37.3" in person.flag_reason
    with pytest.raises(KeyPersonError):
        actions.clear_flag(person, note=" ", acting_user=bob)
    actions.clear_flag(person, note="复测36.8，已排除", acting_user=bob)
    person.refresh_from_db()
    assert person.flagged_at is None
    assert AuditEntry.objects.filter(action=AuditEvent.KEY_PERSON_FLAG_CLEAR).count() == 1


def test_a_check_out_of_bounds_or_unknown_symptom_is_refused(tree, bob, clock):
    clock.now = at(START)
    person = make_key_person(tree["grid_a"], started_on=START)
    with pytest.raises(KeyPersonError):
        actions.record_health_check(person, temperature=Decimal("73.0"), acting_user=bob)
    with pytest.raises(KeyPersonError):
        actions.record_health_check(
            person, temperature=Decimal("36.5"), symptoms=["hiccups"], acting_user=bob
        )
    assert not person.health_checks.exists()


def test_someone_of_another_grid_cannot_record(tree, clock):
    from tests.factories import UserFactory, grant
    from wangge.core.permissions import Role

    clock.now = at(START)
    carol = grant(UserFactory(username="carol"), Role.GRID_MEMBER, tree["grid_b"])
    person = make_key_person(tree["grid_a"], started_on=START)
    with pytest.raises(OutOfScope):
        actions.record_health_check(person, temperature=Decimal("36.5"), acting_user=carol)


# --- overdue --------------------------------------------------------------------------------


def test_overdue_follows_the_clock(tree, bob, clock):
    clock.now = at(START)
    person = make_key_person(tree["grid_a"], started_on=START)
    people = KeyPerson.objects.filter(pk=person.pk)
    # Day 1 at nine: no check yet today → overdue (the check is missing); test D1 is due
    # today, not past.
    flags = with_flags(people, START).get()
    assert flags.check_due and not flags.test_overdue
    actions.record_health_check(person, temperature=Decimal("36.5"), acting_user=bob)
    assert not people.filter(overdue_q(START)).exists()
    # Day 2: D1 was never sampled, and today's check is missing.
    day2 = START + dt.timedelta(days=1)
    clock.now = at(day2)
    flags = with_flags(people, day2).get()
    assert flags.test_overdue and flags.check_due
    d1 = person.tests.get(day=1)
    actions.record_test(
        d1, result=ScheduledResult.NEGATIVE, sampled_at=at(day2, 8), acting_user=bob
    )
    actions.record_health_check(person, temperature=Decimal("36.4"), acting_user=bob)
    assert not people.filter(overdue_q(day2)).exists()
    # Day 5: D4 is past.
    day5 = START + dt.timedelta(days=4)
    flags = with_flags(people, day5).get()
    assert flags.test_overdue
    assert counts_by_measure(people, day5)["overdue"] == 1


def test_without_daily_checks_no_check_is_missing(tree, alice, clock):
    clock.now = at(START)
    policy = MeasurePolicy.objects.get(measure=Measure.HOME_MONITORING)
    actions.update_policy(
        policy, duration_days=3, test_days=[3], daily_checks=False, acting_user=alice
    )
    person = make_key_person(tree["grid_a"], measure=Measure.HOME_MONITORING, started_on=START)
    assert not KeyPerson.objects.filter(pk=person.pk).filter(overdue_q(START)).exists()


def test_released_people_are_never_overdue(tree, bob, release_day):
    person = make_key_person(tree["grid_a"], started_on=START)
    for test in person.tests.all():
        actions.record_test(
            test, result=ScheduledResult.NEGATIVE, sampled_at=at(test.due_on), acting_user=bob
        )
    actions.release(person, acting_user=bob)
    today = START + dt.timedelta(days=7)
    assert not KeyPerson.objects.filter(overdue_q(today)).exists()


# --- release --------------------------------------------------------------------------------


def test_release_before_the_end_is_refused_with_the_reasons(tree, bob, clock):
    clock.now = at(START + dt.timedelta(days=3))
    person = make_key_person(tree["grid_a"], started_on=START)
    with pytest.raises(actions.ReleaseRefused) as refused:
        actions.release(person, acting_user=bob)
    reasons = " ".join(refused.value.reasons)
    assert "2026-03-08" in reasons and "D1" in reasons and "D7" in reasons
    person.refresh_from_db()
    assert person.status == KeyPersonStatus.UNDER_MEASURE


def test_release_needs_every_test_negative_and_no_open_flag(tree, bob, release_day):
    person = make_key_person(tree["grid_a"], started_on=START)
    tests = list(person.tests.order_by("day"))
    for test in tests[:-1]:
        actions.record_test(
            test, result=ScheduledResult.NEGATIVE, sampled_at=at(test.due_on), acting_user=bob
        )
    actions.record_test(
        tests[-1], result=ScheduledResult.PENDING, sampled_at=at(tests[-1].due_on), acting_user=bob
    )
    actions.record_health_check(person, temperature=Decimal("38.1"), acting_user=bob)
    person.refresh_from_db()
    with pytest.raises(actions.ReleaseRefused) as refused:
        actions.release(person, acting_user=bob)
    assert len(refused.value.reasons) == 2
    actions.record_test(
        tests[-1], result=ScheduledResult.NEGATIVE, sampled_at=at(tests[-1].due_on), acting_user=bob
    )
    actions.clear_flag(person, note="复测正常", acting_user=bob)
    released = actions.release(person, note="期满", acting_user=bob)
    assert released.status == KeyPersonStatus.RELEASED
    assert AuditEntry.objects.filter(action=AuditEvent.KEY_PERSON_RELEASE).count() == 1
    with pytest.raises(KeyPersonError):
        actions.record_health_check(released, temperature=Decimal("36.5"), acting_user=bob)


# --- positive tests -------------------------------------------------------------------------


def test_a_positive_test_makes_a_positive_case_and_one_incident(tree, bob, clock):
    clock.now = at(START + dt.timedelta(days=3))
    person = make_key_person(tree["grid_a"], started_on=START)
    d1, d4 = person.tests.order_by("day")[:2]
    actions.record_test(d1, result=ScheduledResult.POSITIVE, sampled_at=at(START), acting_user=bob)
    actions.record_test(d4, result=ScheduledResult.POSITIVE, sampled_at=clock.now, acting_user=bob)
    person.refresh_from_db()
    assert person.category == Category.POSITIVE
    incident = Incident.objects.get()
    assert incident.kind == "positive" and incident.area == tree["grid_a"]
    assert incident.source_key == f"keypersons.positive:{person.pk}"


# --- personal data ---------------------------------------------------------------------------


def test_a_named_person_is_sealed_and_revealed_with_an_audit(tree, alice):
    number = id_number()
    person = make_key_person(tree["grid_a"], id_number=number, phone="13912345678")
    assert number not in person.id_number_masked and person.id_number_masked
    assert actions.reveal_identity(person, "id_number", acting_user=alice) == number
    entry = AuditEntry.objects.get(action=AuditEvent.KEY_PERSON_REVEAL)
    assert number not in str(entry.details)


def test_a_resident_is_revealed_through_their_registry_record(tree, alice):
    resident = make_resident(tree["grid_a"], phone="13911112222")
    person = make_key_person(tree["grid_a"], resident=resident)
    assert actions.reveal_identity(person, "phone", acting_user=alice) == "13911112222"


def test_a_reveal_needs_the_reveal_permission(tree, bob):
    person = make_key_person(tree["grid_a"], id_number=id_number())
    with pytest.raises(OutOfScope):
        actions.reveal_identity(person, "id_number", acting_user=bob)


@given(st.text(max_size=20), st.integers(min_value=1, max_value=60))
def test_any_text_is_test_days_within_the_duration_or_a_clear_refusal(text, duration):
    try:
        days = actions.parse_test_days(text, duration)
    except KeyPersonError as exc:
        assert exc.code == "policy_days" and exc.message
    else:
        assert days == sorted(set(days)) and all(1 <= d <= duration for d in days)


@given(st.lists(st.integers(min_value=1, max_value=14), max_size=6))
def test_written_test_days_read_back(days):
    assert actions.parse_test_days(", ".join(map(str, days)), 14) == sorted(set(days))
