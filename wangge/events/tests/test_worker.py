"""The worker and its scheduler, driven turn by turn with a fake clock (no sleeping)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django_tasks_db.models import DBTaskResult

from wangge.core import schedule
from wangge.events.models import ScheduledRun
from wangge.events.tests.fixtures import RUNS, note_the_time
from wangge.events.worker import Worker

pytestmark = pytest.mark.django_db(transaction=True)

JOB = "tests.note_the_time"


@pytest.fixture
def job(monkeypatch):
    RUNS.clear()
    monkeypatch.setitem(
        schedule._jobs,
        JOB,
        schedule.PeriodicJob(name=JOB, every=dt.timedelta(minutes=5), task=note_the_time),
    )
    yield
    RUNS.clear()


def test_a_periodic_job_runs_once_per_slot_however_many_workers_turn(clock, job):
    first, second = Worker(worker_id="one"), Worker(worker_id="two")
    first.turn()
    second.turn()
    clock.advance(minutes=1)
    first.turn()
    second.turn()
    assert RUNS == [clock.now - dt.timedelta(minutes=1)]
    assert ScheduledRun.objects.filter(job=JOB).count() == 1


def test_the_next_slot_runs_again_and_missed_slots_are_caught_up_once(clock, job):
    worker = Worker()
    worker.turn()
    clock.advance(minutes=5)
    worker.turn()
    assert len(RUNS) == 2
    # The worker was down for an hour: the hour's twelve slots are one run, not twelve.
    clock.advance(hours=1)
    worker.turn()
    worker.turn()
    assert len(RUNS) == 3
    slots = list(
        ScheduledRun.objects.filter(job=JOB).order_by("slot").values_list("slot", flat=True)
    )
    assert slots == [
        dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 8, 5, tzinfo=dt.UTC),
        dt.datetime(2026, 3, 1, 9, 5, tzinfo=dt.UTC),
    ]


def test_slots_are_aligned_so_every_worker_agrees_on_them():
    job = schedule.PeriodicJob(name="x", every=dt.timedelta(hours=1), task=note_the_time)
    at = dt.datetime(2026, 3, 1, 8, 59, 59, tzinfo=dt.UTC)
    assert job.slot_at(at) == dt.datetime(2026, 3, 1, 8, 0, tzinfo=dt.UTC)
    assert job.slot_at(at + dt.timedelta(seconds=1)) == dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)


def test_every_app_job_runs_on_an_empty_database(clock):
    Worker().turn()
    names = set(ScheduledRun.objects.values_list("job", flat=True))
    assert {
        "events.prune_worker_records",
        "residents.purge_stale_imports",
        "testing.purge_old_rounds",
        "testing.refresh_open_rounds",
        "testing.report_overdue_recalls",
    } <= names
    assert not DBTaskResult.objects.exclude(status="SUCCESSFUL").exists()


def test_the_worker_command_runs_one_turn(clock, job, capsys):
    call_command("worker", "--once")
    assert "One turn" in capsys.readouterr().out
    assert len(RUNS) == 1


def test_a_queued_task_runs_on_the_next_turn(clock):
    result = note_the_time.enqueue()
    RUNS.clear()
    Worker().turn()
    assert DBTaskResult.objects.get(pk=result.id).status == "SUCCESSFUL"
    assert RUNS == [clock.now]
