"""The worker's bulletins: queued once when a day is made, made for the levels below."""

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.bulletins.actions import areas_for_run, make_run_bulletins
from wangge.bulletins.models import Bulletin
from wangge.bulletins.tasks import make_day_bulletins
from wangge.bulletins.tests.factories import figures_for
from wangge.events.actions import dispatch_pending, record
from wangge.snapshots.events import SNAPSHOTS_MADE
from wangge.snapshots.models import DaySnapshot
from wangge.snapshots.tests.factories import frozen_day

DAY = dt.date(2026, 3, 1)


@pytest.fixture
def made_day(tree):
    """A day made for the street: the street, its community and two grids (and the
    district above, whose sums it changed)."""
    for name in ("district", "street", "community", "grid_a", "grid_b"):
        frozen_day(tree[name], DAY, figures_for(len(name)))
    street = DaySnapshot.objects.get(area=tree["street"], day=DAY)
    return street.run


def _publish(run):
    with transaction.atomic():
        record(
            SNAPSHOTS_MADE,
            {"run": run.pk, "root": run.root_id, "day": run.day.isoformat()},
            area=run.root_id,
            at=timezone.now(),
        )


def _queued():
    return DBTaskResult.objects.filter(task_path=make_day_bulletins.module_path)


def test_a_made_day_queues_its_bulletins_once(tree, made_day):
    _publish(made_day)
    dispatch_pending(timezone.now())
    dispatch_pending(timezone.now() + dt.timedelta(hours=1))
    assert _queued().count() == 1
    assert _queued().get().args_kwargs["args"] == [made_day.pk]
    assert not Bulletin.objects.exists()  # laid out by the task, not in the delivery


def test_the_worker_makes_the_root_the_levels_below_and_the_areas_above(tree, made_day):
    names = {snapshot.area.name for snapshot in areas_for_run(made_day, 2)}
    assert names == {"七里河区", "西园街道", "西园社区", "一号小区", "二号小区"}
    names = {snapshot.area.name for snapshot in areas_for_run(made_day, 1)}
    assert names == {"七里河区", "西园街道", "西园社区"}
    assert make_run_bulletins(made_day, levels=1) == 3
    assert set(Bulletin.objects.values_list("area__name", flat=True)) == names
    assert set(Bulletin.objects.values_list("made_by", flat=True)) == {None}
    assert AuditEntry.objects.filter(action=AuditEvent.BULLETIN_MAKE).count() == 3


def test_the_task_done_again_makes_nothing_new(tree, made_day, settings):
    settings.WANGGE_BULLETIN_LEVELS = 0
    assert make_day_bulletins.call(made_day.pk) == 2  # the street and the district
    assert make_day_bulletins.call(made_day.pk) == 2
    assert Bulletin.objects.count() == 2
    assert AuditEntry.objects.filter(action=AuditEvent.BULLETIN_MAKE).count() == 2
    assert make_day_bulletins.call(10**9) == 0  # a run since removed


def test_one_area_failing_does_not_stop_the_others(tree, made_day, monkeypatch):
    from wangge.bulletins import actions

    real = actions.make_bulletin

    def failing(area, day, **kwargs):
        if area.name == "西园街道":
            raise RuntimeError("disk full")
        return real(area, day, **kwargs)

    monkeypatch.setattr(actions, "make_bulletin", failing)
    assert make_run_bulletins(made_day, levels=1) == 2
    assert set(Bulletin.objects.values_list("area__name", flat=True)) == {"七里河区", "西园社区"}
