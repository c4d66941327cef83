"""The demo's dispatch boards: yesterday's and today's, for whatever teams exist."""

import datetime as dt

from wangge.audit.models import AuditEntry
from wangge.core.scoping import is_within
from wangge.dispatch.choices import TaskStatus
from wangge.dispatch.demo import build_demo_boards, demo_boards_exist
from wangge.dispatch.models import Board, Task
from wangge.dispatch.tests.factories import make_crew
from wangge.workforce.tests.factories import make_team

TODAY = dt.date(2026, 3, 1)


def test_demo_boards_fill_two_days_in_every_state_once(tree, other_tree, clock):
    big = make_crew(tree["community"], size=8)
    small = make_crew(tree["grid_b"], size=2, name="巾帼志愿者服务队", prefix="w")
    make_team(tree["grid_a"], "空队")  # no members: no board
    elsewhere = make_crew(other_tree["community"], size=2, prefix="o")
    assert not demo_boards_exist(tree["district"])

    made = build_demo_boards(tree["district"], seed=7, acting_user=None, today=TODAY)

    members = len(big.team.members.all()) + len(small.team.members.all())
    assert made == 2 * members == Task.objects.count()
    assert set(Board.objects.values_list("day", flat=True)) == {TODAY - dt.timedelta(days=1), TODAY}
    assert not Board.objects.filter(team=elsewhere.team).exists()
    yesterday = set(
        Task.objects.filter(board__day=TODAY - dt.timedelta(days=1)).values_list(
            "status", flat=True
        )
    )
    # Yesterday is closed but for a few never closed, which the board shows as undone.
    assert yesterday == set(TaskStatus.values)
    today = set(Task.objects.filter(board__day=TODAY).values_list("status", flat=True))
    assert today == set(TaskStatus.values)
    assert not Task.objects.filter(status=TaskStatus.NOT_DONE, reason="").exists()
    assert not Task.objects.filter(checked_in_at__gt=clock()).exists()
    for task in Task.objects.select_related("place", "board__team__area"):
        assert is_within(task.place.path, task.board.team.area.path)
    assert demo_boards_exist(tree["district"])
    assert AuditEntry.objects.filter(action="demo.boards").count() == 1

    assert build_demo_boards(tree["district"], seed=7, acting_user=None, today=TODAY) == 0
    assert Task.objects.count() == made
