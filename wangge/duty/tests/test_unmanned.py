"""Unmanned posts raise incidents, driven by a fake clock (the `clock` fixture starts at
16:00:30 local time)."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone

from wangge.duty import actions
from wangge.duty.choices import PostStatus
from wangge.duty.selectors import post_rows
from wangge.duty.tests.factories import make_post, make_shift
from wangge.duty.unmanned import raise_unmanned
from wangge.events.worker import Worker as BackgroundWorker
from wangge.incidents.choices import IncidentKind, IncidentSource
from wangge.incidents.models import Incident
from wangge.workforce.tests.factories import make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def guards(tree):
    return [make_worker(tree["community"], f"守门{i}") for i in range(3)]


def covered_post(area, guards, name="北门"):
    """A post with three 8-hour shifts covering today: 00-08, 08-16, 16-24."""
    post = make_post(area, name)
    for guard, start in zip(guards, ("00:00", "08:00", "16:00"), strict=True):
        make_shift(post, guard, start, 8)
    return post


def test_a_worker_late_by_the_setting_raises_one_incident(clock, tree, guards):
    post = covered_post(tree["grid_a"], guards)
    clock.advance(minutes=13)  # 16:13: not yet 15 minutes late
    assert raise_unmanned(clock.now) == 0
    assert post_rows([post], clock.now)[0].status == PostStatus.LATE
    clock.advance(minutes=2)  # 16:15:30
    assert raise_unmanned(clock.now) == 1
    incident = Incident.objects.get()
    assert incident.kind == IncidentKind.UNMANNED_POST
    assert incident.source == IncidentSource.POST_UNMANNED
    assert incident.area == tree["grid_a"]
    assert incident.source_key.startswith(f"duty:{post.pk}:")
    assert guards[2].name in incident.description
    assert post_rows([post], clock.now)[0].status == PostStatus.UNMANNED
    # Checked again: nothing raised twice.
    assert raise_unmanned(clock.advance(minutes=5)) == 0
    assert Incident.objects.count() == 1


def test_a_checked_in_worker_mans_the_post(clock, tree, guards):
    post = covered_post(tree["grid_a"], guards)
    shift = post.shifts.get(worker=guards[2])
    actions.check_in(shift, acting_user=None)
    assert raise_unmanned(clock.advance(minutes=30)) == 0
    assert post_rows([post], clock.now)[0].status == PostStatus.MANNED


@override_settings(WANGGE_DUTY_LATE_MINUTES=40)
def test_the_lateness_is_a_setting(clock, tree, guards):
    covered_post(tree["grid_a"], guards)
    assert raise_unmanned(clock.advance(minutes=30)) == 0
    assert raise_unmanned(clock.advance(minutes=10)) == 1


def test_a_gap_in_the_roster_raises_at_once_and_once(clock, tree, guards):
    post = make_post(tree["grid_a"], "南门")
    make_shift(post, guards[0], "08:00", 8)  # ended at 16:00; nobody from 16:00
    make_shift(post, guards[1], "20:00", 4)
    assert raise_unmanned(clock.now) == 1
    incident = Incident.objects.get()
    assert ":gap:" in incident.source_key
    assert "16:00" in incident.description and "20:00" in incident.description
    assert raise_unmanned(clock.advance(hours=1)) == 0
    # At 20:00 the evening shift starts; its worker is late 15 minutes later: a new incident.
    assert raise_unmanned(clock.advance(hours=3, minutes=15)) == 1


def test_inactive_posts_and_covered_posts_raise_nothing(clock, tree, guards):
    make_post(tree["grid_a"], "旧门", active=False)
    post = covered_post(tree["grid_b"], guards)
    for shift in post.shifts.all():
        shift.checked_in_at = shift.starts_at
        shift.save()
    assert raise_unmanned(clock.now) == 0


# The worker's task queue runs tasks on their own connection: a real transaction.
@pytest.mark.django_db(transaction=True)
def test_the_background_worker_runs_the_check(clock, tree, guards):
    covered_post(tree["grid_a"], guards)
    clock.advance(minutes=20)
    BackgroundWorker().turn()
    assert Incident.objects.filter(source=IncidentSource.POST_UNMANNED).count() == 1


def test_the_status_of_a_post_with_no_shift_now_is_unmanned(clock, tree):
    post = make_post(tree["grid_a"])
    assert post_rows([post], timezone.now())[0].status == PostStatus.UNMANNED
    assert post_rows([post], timezone.now())[0].gaps[0][1] - post_rows([post], timezone.now())[
        0
    ].gaps[0][0] == dt.timedelta(days=1)
