"""The dispatch actions: who may assign, copy, check in and close; per-line answers."""

import datetime as dt
import uuid

import pytest

from tests.factories import UserFactory, grant
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.core.scoping import OutOfScope
from wangge.dispatch import actions
from wangge.dispatch.actions import TaskLine
from wangge.dispatch.choices import TaskStatus
from wangge.dispatch.errors import DispatchError
from wangge.dispatch.models import Board, Task
from wangge.dispatch.tests.factories import make_crew, make_task
from wangge.workforce.models import TeamMembership

TODAY = dt.date(2026, 3, 1)  # the `clock` fixture's local day (Asia/Shanghai)
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def crew(tree, clock):
    return make_crew(tree["community"], size=3)


def lines_for(crew, place, kind="patrol"):
    return [TaskLine(worker_id=w.pk, kind=kind, place_id=place.pk) for w in crew.members]


def test_leader_assigns_the_whole_board_in_one_call(crew, tree):
    saved = actions.assign_board(
        crew.team, TODAY, lines_for(crew, tree["grid_a"]), acting_user=crew.leader_user
    )
    assert saved.accepted == 3 and saved.rejected == 0
    tasks = Task.objects.filter(board__team=crew.team, board__day=TODAY)
    assert {t.worker_id for t in tasks} == {w.pk for w in crew.members}
    assert all(t.status == TaskStatus.ASSIGNED for t in tasks)
    entry = AuditEntry.objects.get(action="dispatch.assign")
    assert entry.details["accepted"] == 3
    assert entry.area_path == crew.team.area.path


def test_a_bad_line_is_answered_alone_and_the_others_are_kept(crew, tree, other_tree):
    first, second, third = crew.members
    stranger = make_crew(tree["grid_b"], size=1, name="别的队", prefix="b").members[0]
    saved = actions.assign_board(
        crew.team,
        TODAY,
        [
            TaskLine(first.pk, "patrol", tree["grid_a"].pk),
            TaskLine(second.pk, "patrol", other_tree["grid_a"].pk),
            TaskLine(third.pk, "juggling", tree["grid_a"].pk),
            TaskLine(stranger.pk, "patrol", tree["grid_a"].pk),
            TaskLine(first.pk, "sampling", tree["grid_a"].pk),
        ],
        acting_user=crew.leader_user,
    )
    assert [(a["status"], a["reason_code"], a["field"]) for a in saved.answers] == [
        ("accepted", "", ""),
        ("rejected", "bad_place", "place"),
        ("rejected", "bad_kind", "kind"),
        ("rejected", "not_member", "worker"),
        ("rejected", "repeated", "worker"),
    ]
    assert list(Task.objects.values_list("worker_id", flat=True)) == [first.pk]


def test_a_place_outside_the_teams_area_is_refused(tree, clock):
    crew = make_crew(tree["grid_a"], size=1)
    saved = actions.assign_board(
        crew.team, TODAY, lines_for(crew, tree["grid_b"]), acting_user=crew.leader_user
    )
    assert saved.answers[0]["reason_code"] == "bad_place"
    assert not Task.objects.exists()


def test_a_retried_save_changes_nothing(crew, tree):
    ids = [uuid.uuid4() for _ in crew.members]
    lines = [
        TaskLine(w.pk, "sampling", tree["grid_a"].pk, task_id=ids[i])
        for i, w in enumerate(crew.members)
    ]
    actions.assign_board(crew.team, TODAY, lines, acting_user=crew.leader_user)
    again = actions.assign_board(crew.team, TODAY, lines, acting_user=crew.leader_user)
    assert again.duplicates == 3 and again.accepted == 0
    assert set(Task.objects.values_list("pk", flat=True)) == set(ids)


def test_a_client_id_of_another_task_is_refused(crew, tree):
    other = make_crew(tree["grid_b"], size=1, name="别的队", prefix="b")
    foreign = make_task(other.team, other.members[0], tree["grid_b"])
    saved = actions.assign_board(
        crew.team,
        TODAY,
        [TaskLine(crew.members[0].pk, "patrol", tree["grid_a"].pk, task_id=foreign.pk)],
        acting_user=crew.leader_user,
    )
    assert saved.answers[0]["reason_code"] == "id_taken"
    foreign.refresh_from_db()
    assert foreign.board.team == other.team


def test_changing_and_removing_lines(crew, tree):
    first, second, _third = crew.members
    actions.assign_board(
        crew.team, TODAY, lines_for(crew, tree["grid_a"]), acting_user=crew.leader_user
    )
    Task.objects.filter(worker=second).update(status=TaskStatus.CHECKED_IN)
    saved = actions.assign_board(
        crew.team,
        TODAY,
        [
            TaskLine(first.pk, "", None),
            TaskLine(second.pk, "", None),
        ],
        acting_user=crew.leader_user,
    )
    assert [a["status"] for a in saved.answers] == ["accepted", "rejected"]
    assert saved.answers[1]["reason_code"] == "started"
    assert not Task.objects.filter(worker=first).exists()
    assert Task.objects.filter(worker=second).exists()


def test_who_may_dispatch(crew, tree, alice, bob, charlie):
    lines = lines_for(crew, tree["grid_a"])
    # Community staff hold DISPATCH on the team's area.
    assert actions.assign_board(crew.team, TODAY, lines, acting_user=alice).accepted == 3
    # A grid member views the workforce but does not dispatch; a member is not the leader;
    # charlie works in another district.
    for outsider in (bob, crew.member_user, charlie):
        with pytest.raises(OutOfScope):
            actions.assign_board(crew.team, TODAY, lines, acting_user=outsider)
        with pytest.raises(OutOfScope):
            actions.copy_board_forward(crew.team, TODAY, acting_user=outsider)


def test_a_dispatcher_of_a_sibling_grid_cannot_dispatch(tree, clock):
    crew = make_crew(tree["grid_b"], size=1)
    grid_a_leader = grant(UserFactory(username="gl_a"), Role.GRID_LEADER, tree["grid_a"])
    with pytest.raises(OutOfScope):
        actions.assign_board(
            crew.team, TODAY, lines_for(crew, tree["grid_b"]), acting_user=grid_a_leader
        )


def test_a_leader_who_is_deactivated_no_longer_dispatches(crew, tree):
    crew.leader_user.is_active = False
    crew.leader_user.save()
    with pytest.raises(OutOfScope):
        actions.assign_board(
            crew.team, TODAY, lines_for(crew, tree["grid_a"]), acting_user=crew.leader_user
        )


def test_past_days_stay_as_they_were(crew, tree):
    with pytest.raises(DispatchError):
        actions.assign_board(
            crew.team, YESTERDAY, lines_for(crew, tree["grid_a"]), acting_user=crew.leader_user
        )


def test_copy_forward_skips_who_left_and_keeps_todays_tasks(crew, tree):
    first, second, third = crew.members
    for worker, kind in ((first, "sampling"), (second, "order"), (third, "publicity")):
        make_task(crew.team, worker, tree["grid_a"], day=YESTERDAY, kind=kind, note="东门")
    TeamMembership.objects.filter(team=crew.team, worker=third).delete()
    make_task(crew.team, second, tree["grid_b"], day=TODAY, kind="patrol")
    copied = actions.copy_board_forward(crew.team, TODAY, acting_user=crew.leader_user)
    assert (copied.copied, copied.kept, copied.left_team) == (1, 1, 1)
    assert copied.from_day == YESTERDAY
    today = {t.worker_id: t for t in Task.objects.filter(board__day=TODAY)}
    assert (today[first.pk].kind, today[first.pk].note) == ("sampling", "东门")
    assert today[first.pk].status == TaskStatus.ASSIGNED
    assert today[second.pk].kind == "patrol"
    assert third.pk not in today
    assert AuditEntry.objects.get(action="dispatch.copy").details["left_team"] == 1


def test_copy_forward_needs_an_earlier_board(crew):
    with pytest.raises(DispatchError):
        actions.copy_board_forward(crew.team, TODAY, acting_user=crew.leader_user)
    assert not Board.objects.exists()


def test_a_member_checks_in_and_out_of_their_own_task(crew, tree, clock):
    own = make_task(crew.team, crew.members[0], tree["grid_a"])
    someone_elses = make_task(crew.team, crew.members[1], tree["grid_a"])
    task = actions.check_in(own, acting_user=crew.member_user)
    assert task.status == TaskStatus.CHECKED_IN and task.checked_in_at == clock()
    # A retry from the phone changes nothing.
    assert actions.check_in(own, acting_user=crew.member_user).checked_in_at == clock()
    clock.advance(hours=3)
    assert actions.check_out(own, acting_user=crew.member_user).checked_out_at == clock()
    with pytest.raises(OutOfScope):
        actions.check_in(someone_elses, acting_user=crew.member_user)
    assert AuditEntry.objects.filter(action="dispatch.check_in").count() == 1
    assert AuditEntry.objects.filter(action="dispatch.check_out").count() == 1


def test_check_out_needs_a_check_in_and_check_in_the_tasks_day(crew, tree):
    task = make_task(crew.team, crew.members[0], tree["grid_a"])
    with pytest.raises(DispatchError):
        actions.check_out(task, acting_user=crew.member_user)
    old = make_task(crew.team, crew.members[1], tree["grid_a"], day=YESTERDAY)
    with pytest.raises(DispatchError):
        actions.check_in(old, acting_user=crew.leader_user)


def test_the_leader_acts_for_a_member_without_a_phone(crew, tree, bob, charlie):
    task = make_task(crew.team, crew.members[2], tree["grid_a"])
    actions.check_in(task, acting_user=crew.leader_user)
    for outsider in (bob, charlie):
        with pytest.raises(OutOfScope):
            actions.close_task(task, done=True, acting_user=outsider)
    closed = actions.close_task(task, done=True, acting_user=crew.leader_user)
    assert closed.status == TaskStatus.DONE and closed.closed_at is not None


def test_not_done_needs_a_reason_and_a_closed_task_stays_closed(crew, tree):
    task = make_task(crew.team, crew.members[0], tree["grid_a"])
    with pytest.raises(DispatchError):
        actions.close_task(task, done=False, reason="  ", acting_user=crew.member_user)
    closed = actions.close_task(
        task, done=False, reason="下雨，推迟到明天", acting_user=crew.member_user
    )
    assert (closed.status, closed.reason) == (TaskStatus.NOT_DONE, "下雨，推迟到明天")
    # The same answer again is a retry; another is refused.
    actions.close_task(task, done=False, reason="x", acting_user=crew.member_user)
    with pytest.raises(DispatchError):
        actions.close_task(task, done=True, acting_user=crew.member_user)
    entry = AuditEntry.objects.get(action="dispatch.close")
    assert entry.details["outcome"] == "not_done"
    assert "下雨" not in str(entry.details)


def test_a_task_is_closed_by_the_next_day_at_the_latest(crew, tree):
    yesterdays = make_task(crew.team, crew.members[0], tree["grid_a"], day=YESTERDAY)
    actions.close_task(yesterdays, done=True, acting_user=crew.member_user)
    older = make_task(crew.team, crew.members[1], tree["grid_a"], day=TODAY - dt.timedelta(days=2))
    with pytest.raises(DispatchError):
        actions.close_task(older, done=True, acting_user=crew.leader_user)
