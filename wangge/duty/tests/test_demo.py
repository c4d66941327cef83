"""The demo's duty: posts with 24-hour rosters, one empty (an incident), and schedules with
a log and one occurrence overdue. The clock is at 16:00:30 local time."""

from wangge.audit.models import AuditEntry
from wangge.checkpoints.models import Checkpoint
from wangge.duty.choices import PostStatus
from wangge.duty.demo import build_demo_duty, demo_duty_exist, remove_demo_duty
from wangge.duty.models import Post, ScheduledTask, Shift
from wangge.duty.selectors import overdue_counts, post_rows
from wangge.incidents.choices import IncidentSource
from wangge.incidents.models import Incident
from wangge.workforce.tests.factories import make_team, make_worker


def test_the_demo_mans_every_post_but_one_and_leaves_one_task_overdue(tree, other_tree, clock):
    workers = [make_worker(tree["community"], f"守门{i:02d}") for i in range(20)]
    make_team(tree["community"], "消杀队", members=tuple(workers[:3]))
    Checkpoint.objects.create(area=tree["grid_b"], name="西园卡口")
    assert not demo_duty_exist(tree["district"])

    made = build_demo_duty(
        tree["district"], seed=7, acting_user=None, at=clock.now, favour=tree["grid_a"]
    )

    assert made == Post.objects.count() == 4  # three gates and the checkpoint
    rows = post_rows(list(Post.objects.all()), clock.now)
    statuses = sorted(row.status for row in rows)
    assert statuses == [PostStatus.MANNED] * 3 + [PostStatus.UNMANNED]
    assert all(not row.gaps for row in rows if row.status == PostStatus.MANNED)
    assert not Shift.objects.filter(checked_in_at__gt=clock.now).exists()
    assert not Shift.objects.filter(checked_out_at__gt=clock.now).exists()
    unmanned = Incident.objects.get(source=IncidentSource.POST_UNMANNED)
    assert unmanned.area == tree["grid_a"]
    tasks = list(ScheduledTask.objects.all())
    assert len(tasks) == 3
    _due, done, overdue = overdue_counts(tasks, clock.now)
    assert overdue == 1 and done > 0
    assert AuditEntry.objects.filter(action="demo.duty").count() == 1
    assert demo_duty_exist(tree["district"])
    assert not demo_duty_exist(other_tree["district"])

    assert build_demo_duty(tree["district"], seed=7, at=clock.now) == 0
    assert remove_demo_duty(tree["district"]) == 4
    assert not ScheduledTask.objects.exists()
