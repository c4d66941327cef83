"""The worker's job: once a day, after the set time, for every tree; never twice."""

import datetime as dt

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from wangge.core import schedule
from wangge.snapshots.actions import make_scheduled, snapshot_time
from wangge.snapshots.models import DaySnapshot, RunTrigger, SnapshotRun
from wangge.snapshots.tests.helpers import make

pytestmark = pytest.mark.django_db


def at(hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(hour, minute)))


def test_nothing_before_the_set_time(tree, settings):
    settings.WANGGE_SNAPSHOT_AT = "18:00"
    assert make_scheduled(at(17, 59)) == 0
    assert not SnapshotRun.objects.exists()


def test_once_after_the_set_time_for_every_tree(tree, other_tree, settings):
    settings.WANGGE_SNAPSHOT_AT = "18:00"
    assert make_scheduled(at(18, 0)) == 2
    assert make_scheduled(at(18, 5)) == 0
    assert make_scheduled(at(23, 55)) == 0
    runs = SnapshotRun.objects.filter(trigger=RunTrigger.SCHEDULED)
    assert sorted(run.root_id for run in runs) == sorted([tree["city"].pk, other_tree["city"].pk])
    assert all(run.made_by is None for run in runs)
    assert DaySnapshot.objects.filter(area=tree["grid_a"], current=True).count() == 1


def test_a_making_on_demand_does_not_stand_for_the_workers(tree, settings):
    settings.WANGGE_SNAPSHOT_AT = "18:00"
    make(tree["community"], now=at(10))
    assert make_scheduled(at(18, 1)) == 1
    assert DaySnapshot.objects.get(area=tree["grid_a"], current=True).version == 2


def test_the_job_is_registered_every_five_minutes():
    job = next(job for job in schedule.periodic_jobs() if job.name == "snapshots.daily")
    assert job.every == dt.timedelta(minutes=5)


@pytest.mark.parametrize("text", ["18:00", "0:05", "23:59", " 07:30 "])
def test_the_set_time_reads_hours_and_minutes(text):
    hours, minutes = text.strip().split(":")
    assert snapshot_time(text) == dt.time(int(hours), int(minutes))


@pytest.mark.parametrize("text", ["", "18", "24:00", "18:60", "18:0", "6pm", "１８:００", "-1:00"])
def test_a_bad_set_time_fails_loudly(text):
    with pytest.raises(ImproperlyConfigured):
        snapshot_time(text)


@given(st.text(max_size=8))
def test_any_text_is_a_time_or_a_clear_error(text):
    try:
        value = snapshot_time(text)
    except ImproperlyConfigured:
        return
    assert value.strftime("%H:%M") == f"{int(text.strip().split(':')[0]):02d}:{text.strip()[-2:]}"


@given(st.times())
def test_every_time_of_day_reads_back(value):
    assert snapshot_time(value.strftime("%H:%M")) == value.replace(second=0, microsecond=0)
