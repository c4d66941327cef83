"""Scheduled tasks: the day's due times, completions, overdue (the clock is at 16:00:30)."""

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone
from PIL import Image

from tests.factories import UserFactory
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.scoping import OutOfScope
from wangge.duty import actions
from wangge.duty.errors import DutyError
from wangge.duty.selectors import day_occurrences, overdue_counts
from wangge.duty.tests.factories import make_scheduled
from wangge.duty.timing import at_local
from wangge.incidents.photos import clean_photo
from wangge.workforce.tests.factories import make_team, make_worker

pytestmark = pytest.mark.django_db


def today_at(text: str) -> dt.datetime:
    hour, minute = (int(part) for part in text.split(":"))
    return at_local(timezone.localdate(), dt.time(hour, minute))


@pytest.fixture
def cleaner(tree):
    return make_worker(tree["community"], "消杀员", user=UserFactory(username="cleaner"))


def test_an_occurrence_not_done_within_its_grace_is_overdue(clock, tree, cleaner):
    task = make_scheduled(tree["grid_a"], worker=cleaner, grace_minutes=60)
    found = day_occurrences([task], timezone.localdate(), clock.now)
    assert [(o.due_at.hour, o.overdue) for o in found] == [(8, True), (14, True), (20, False)]
    actions.record_completion(task, today_at("14:00"), note="已消杀", acting_user=cleaner.user)
    assert overdue_counts([task], clock.now) == (3, 1, 1)
    # 14:00 was done late: it is done, not overdue.
    found = day_occurrences([task], timezone.localdate(), clock.now)
    assert found[1].done and not found[1].overdue


def test_grace_decides_when_overdue_starts(clock, tree, cleaner):
    task = make_scheduled(tree["grid_a"], times=("15:30",), worker=cleaner, grace_minutes=45)
    assert overdue_counts([task], clock.now) == (1, 0, 0)
    assert overdue_counts([task], clock.advance(minutes=15)) == (1, 0, 1)


def test_a_completion_is_recorded_once_for_its_due_time(clock, tree, cleaner):
    task = make_scheduled(tree["grid_a"], worker=cleaner)
    first = actions.record_completion(task, today_at("14:00"), acting_user=cleaner.user)
    again = actions.record_completion(
        task, today_at("14:00"), note="重试", acting_user=cleaner.user
    )
    assert again.pk == first.pk
    assert first.by == cleaner.user and first.done_at == clock.now
    assert AuditEntry.objects.filter(action=AuditEvent.TASK_COMPLETE).count() == 1
    entry = AuditEntry.objects.get(action=AuditEvent.TASK_COMPLETE)
    assert entry.details["late"] is True


def test_only_real_due_times_not_too_far_ahead(clock, tree, cleaner):
    task = make_scheduled(tree["grid_a"], worker=cleaner)
    with pytest.raises(DutyError):
        actions.record_completion(task, today_at("15:00"), acting_user=cleaner.user)
    with pytest.raises(DutyError):  # 20:00 is four hours away
        actions.record_completion(task, today_at("20:00"), acting_user=cleaner.user)
    yesterday = today_at("20:00") - dt.timedelta(days=1)
    assert actions.record_completion(task, yesterday, acting_user=cleaner.user).due_at == yesterday


def test_team_members_and_grid_staff_record_others_do_not(clock, tree, bob, cleaner):
    member_user = UserFactory(username="member")
    member = make_worker(tree["community"], "队员", user=member_user)
    team = make_team(tree["community"], "消杀队", members=(member,))
    task = make_scheduled(tree["grid_a"], team=team)
    actions.record_completion(task, today_at("08:00"), acting_user=member_user)
    # The grid member follows up on the grid's tasks.
    actions.record_completion(task, today_at("14:00"), acting_user=bob)
    with pytest.raises(OutOfScope):
        actions.record_completion(task, today_at("14:00"), acting_user=cleaner.user)


def test_a_photo_is_kept_re_encoded(clock, tree, cleaner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    task = make_scheduled(tree["grid_a"], worker=cleaner)
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(picture, "PNG")
    photo = clean_photo(ContentFile(picture.getvalue(), name="x.png"))
    done = actions.record_completion(task, today_at("08:00"), photo=photo, acting_user=cleaner.user)
    assert done.photo.name.startswith("duty/") and done.photo.name.endswith(".jpg")


def test_stopped_tasks_are_never_due(clock, tree, cleaner, alice):
    task = make_scheduled(tree["grid_a"], worker=cleaner)
    actions.set_task_active(task, False, acting_user=alice)
    assert overdue_counts([task], clock.now) == (0, 0, 0)


def test_create_scheduled_task_checks_its_fields(alice, tree, cleaner):
    task = actions.create_scheduled_task(
        tree["grid_a"],
        place="垃圾站",
        kind="disinfection",
        times=["20:00", "08:00", "8:00", ""],
        worker=cleaner,
        acting_user=alice,
    )
    assert task.times == ["08:00", "20:00"]
    for bad in (
        {"times": ["25:00"]},
        {"times": []},
        {"times": [], "every_hours": 30},
        {"kind": "party"},
        {"place": " "},
    ):
        fields = {"place": "楼道", "kind": "patrol", "times": ["08:00"], **bad}
        with pytest.raises(DutyError):
            actions.create_scheduled_task(tree["grid_a"], acting_user=alice, **fields)
    with pytest.raises(OutOfScope):
        actions.create_scheduled_task(
            tree["street"], place="街面", kind="patrol", times=["08:00"], acting_user=alice
        )
