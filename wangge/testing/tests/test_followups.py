"""Following up the untested (催检): recording attempts, calling without the number on the
page, the list in the order of what needs doing, and the progress of grids."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UserFactory, grant, make_resident
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.core.scoping import OutOfScope
from wangge.residents import actions as registry_actions
from wangge.residents.errors import RegistryError
from wangge.residents.models import Resident
from wangge.testing import exports
from wangge.testing.actions.followups import record_followup
from wangge.testing.choices import FollowUpOutcome
from wangge.testing.errors import RoundError
from wangge.testing.models import FollowUp
from wangge.testing.selectors import followup_progress, untested_residents
from wangge.testing.tests.conftest import PHONE
from wangge.testing.tests.factories import make_round, mark_sampled


def _untested(round_, grid):
    return list(untested_residents(round_, grid, Resident.objects.all()))


# --- the action ------------------------------------------------------------------------


def test_grid_member_records_attempts_and_history_is_kept(grid_round, person, bob):
    record_followup(grid_round, person, outcome=FollowUpOutcome.UNREACHABLE, acting_user=bob)
    come_at = timezone.now() + dt.timedelta(hours=3)
    record_followup(
        grid_round,
        person,
        outcome=FollowUpOutcome.WILL_COME,
        come_at=come_at,
        note="下班后来",
        acting_user=bob,
    )
    attempts = list(FollowUp.objects.filter(resident=person).order_by("recorded_at"))
    assert [a.outcome for a in attempts] == ["unreachable", "will_come"]
    assert attempts[1].come_at == come_at
    assert attempts[1].recorded_by == bob
    entry = AuditEntry.objects.filter(action="followup.record").order_by("-id").first()
    assert entry.actor == bob
    assert entry.details["outcome"] == "will_come"
    assert entry.details["resident"] == person.pk
    assert "下班后来" not in str(entry.details)


def test_will_come_needs_the_time(grid_round, person, bob):
    with pytest.raises(RoundError):
        record_followup(grid_round, person, outcome=FollowUpOutcome.WILL_COME, acting_user=bob)
    assert not FollowUp.objects.exists()


def test_follow_up_outside_the_users_grid_is_refused(grid_round, tree, bob):
    neighbour = make_resident(tree["grid_b"], "邻居", room="501")
    with pytest.raises(OutOfScope):
        record_followup(grid_round, neighbour, outcome=FollowUpOutcome.REACHED, acting_user=bob)
    assert not FollowUp.objects.exists()


def test_follow_up_of_someone_the_round_does_not_cover_is_refused(tree, person, bob):
    round_ = make_round(tree["grid_b"])
    with pytest.raises(RoundError):
        record_followup(round_, person, outcome=FollowUpOutcome.REACHED, acting_user=bob)


def test_sampler_may_not_record_follow_ups(grid_round, tree, person):
    sampler = grant(UserFactory(username="sampler"), Role.SAMPLER, tree["grid_a"])
    with pytest.raises(OutOfScope):
        record_followup(grid_round, person, outcome=FollowUpOutcome.REACHED, acting_user=sampler)


def test_closed_round_takes_no_follow_ups(grid_round, person, bob):
    from wangge.testing.actions.rounds import close_round

    close_round(grid_round, acting_user=None)
    grid_round.refresh_from_db()
    with pytest.raises(RoundError):
        record_followup(grid_round, person, outcome=FollowUpOutcome.REACHED, acting_user=bob)


# --- the call --------------------------------------------------------------------------


def test_call_is_audited_without_the_number(person, bob):
    number = registry_actions.call_resident(person, acting_user=bob)
    assert number == PHONE
    entry = AuditEntry.objects.get(action="resident.call")
    assert entry.actor == bob
    assert entry.object_id == str(person.pk)
    assert entry.area_path == person.grid.path
    assert not AuditEntry.objects.filter(details__icontains=PHONE[-8:]).exists()
    assert all(PHONE not in str(e.details) for e in AuditEntry.objects.all())


def test_call_outside_the_users_grid_is_refused(tree, bob):
    neighbour = make_resident(tree["grid_b"], "邻居", room="501")
    with pytest.raises(OutOfScope):
        registry_actions.call_resident(neighbour, acting_user=bob)
    assert not AuditEntry.objects.filter(action="resident.call").exists()


def test_calls_are_limited_per_person(person, bob, monkeypatch):
    monkeypatch.setattr(registry_actions, "CALLS_PER_WINDOW", 2)
    registry_actions.call_resident(person, acting_user=bob)
    registry_actions.call_resident(person, acting_user=bob)
    with pytest.raises(RegistryError) as refused:
        registry_actions.call_resident(person, acting_user=bob)
    assert refused.value.code == "call_limit"
    assert AuditEntry.objects.filter(action="resident.call").count() == 2


def test_person_without_a_phone_cannot_be_called(tree, bob):
    silent = make_resident(tree["grid_a"], "无电话", room="302", phone="")
    with pytest.raises(RegistryError):
        registry_actions.call_resident(silent, acting_user=bob)


# --- the order of the list -------------------------------------------------------------


def test_untested_list_puts_what_needs_doing_first(grid_round, tree, bob):
    grid = tree["grid_a"]
    names = ["已联系", "拒绝", "未联系", "联系不上", "过时未来", "稍后来", "外出"]
    people = {
        name: make_resident(grid, name, room=str(101 + index)) for index, name in enumerate(names)
    }
    now = timezone.now()

    def follow(name, outcome, come_at=None):
        record_followup(grid_round, people[name], outcome=outcome, come_at=come_at, acting_user=bob)

    follow("已联系", FollowUpOutcome.REACHED)
    follow("拒绝", FollowUpOutcome.REFUSES)
    follow("联系不上", FollowUpOutcome.UNREACHABLE)
    follow("过时未来", FollowUpOutcome.WILL_COME, now - dt.timedelta(minutes=5))
    follow("稍后来", FollowUpOutcome.WILL_COME, now + dt.timedelta(hours=2))
    follow("外出", FollowUpOutcome.AWAY)
    order = [r.name for r in _untested(grid_round, grid)]
    assert order[0] == "未联系"
    assert set(order[1:3]) == {"联系不上", "过时未来"}
    assert set(order[3:5]) == {"已联系", "稍后来"}
    assert set(order[5:]) == {"拒绝", "外出"}


def test_latest_attempt_decides_the_place(grid_round, tree, bob):
    grid = tree["grid_a"]
    first = make_resident(grid, "甲", room="101")
    second = make_resident(grid, "乙", room="102")
    record_followup(grid_round, first, outcome=FollowUpOutcome.REFUSES, acting_user=bob)
    record_followup(grid_round, first, outcome=FollowUpOutcome.UNREACHABLE, acting_user=bob)
    record_followup(grid_round, second, outcome=FollowUpOutcome.REACHED, acting_user=bob)
    assert [r.name for r in _untested(grid_round, grid)] == ["甲", "乙"]


def test_untested_files_carry_the_last_outcome(grid_round, tree, person, bob):
    record_followup(grid_round, person, outcome=FollowUpOutcome.REFUSES, acting_user=bob)
    residents = _untested(grid_round, tree["grid_a"])
    assert exports.last_followup(residents[0]) == str(FollowUpOutcome.REFUSES.label)
    data = exports.untested_xlsx(grid_round, tree["grid_a"], residents)
    sheet = load_workbook(io.BytesIO(data)).active
    assert str(FollowUpOutcome.REFUSES.label) in [c.value for row in sheet.iter_rows() for c in row]


# --- progress --------------------------------------------------------------------------


def test_progress_counts_each_untested_person_once_by_latest_outcome(grid_round, tree, bob, alice):
    grid_a, grid_b = tree["grid_a"], tree["grid_b"]
    a = [make_resident(grid_a, f"甲{i}", room=f"1{i:02}") for i in range(5)]
    b = [make_resident(grid_b, f"乙{i}", room=f"2{i:02}") for i in range(3)]
    record_followup(grid_round, a[0], outcome=FollowUpOutcome.UNREACHABLE, acting_user=bob)
    record_followup(grid_round, a[0], outcome=FollowUpOutcome.REACHED, acting_user=bob)
    record_followup(
        grid_round,
        a[1],
        outcome=FollowUpOutcome.WILL_COME,
        come_at=timezone.now() + dt.timedelta(hours=1),
        acting_user=bob,
    )
    record_followup(grid_round, a[2], outcome=FollowUpOutcome.AWAY, acting_user=bob)
    record_followup(grid_round, b[0], outcome=FollowUpOutcome.REFUSES, acting_user=alice)
    # Sampled after a follow-up: no longer untested, no longer counted.
    record_followup(grid_round, b[1], outcome=FollowUpOutcome.REACHED, acting_user=alice)
    mark_sampled(grid_round, b[1])

    grid_progress = followup_progress(grid_round, grid_a).total
    assert (grid_progress.untested, grid_progress.contacted, grid_progress.not_contacted) == (
        5,
        3,
        2,
    )
    assert (grid_progress.reached, grid_progress.will_come, grid_progress.away) == (1, 1, 1)

    with CaptureQueriesContext(connection) as queries:
        community = followup_progress(grid_round, tree["community"])
    assert len(queries) == 3
    assert (community.total.untested, community.total.contacted) == (7, 4)
    assert community.total.refuses == 1
    rows = {row.area.pk: row.figures for row in community.children}
    assert (rows[grid_b.pk].untested, rows[grid_b.pk].contacted) == (2, 1)
    # Worst first: grid B contacted 1 of 2 (50%), grid A 3 of 5 (60%).
    assert [row.area.pk for row in community.children][:2] == [grid_b.pk, grid_a.pk]


def test_progress_query_count_does_not_grow_with_people(grid_round, tree, bob):
    def count():
        with CaptureQueriesContext(connection) as queries:
            followup_progress(grid_round, tree["community"])
        return len(queries)

    before = count()
    for i in range(10):
        person = make_resident(tree["grid_a"], f"丙{i}", room=f"3{i:02}")
        record_followup(grid_round, person, outcome=FollowUpOutcome.REACHED, acting_user=bob)
    assert count() == before
