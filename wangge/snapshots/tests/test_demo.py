"""The demo's history: fourteen days, each made by make_day, one current version each."""

import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import make_resident
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.snapshots.demo import (
    DAYS,
    build_demo_history,
    demo_history_exists,
    remove_demo_snapshots,
)
from wangge.snapshots.models import DaySnapshot, RunTrigger, SnapshotRun

pytestmark = pytest.mark.django_db


def test_fourteen_days_of_every_area(tree):
    make_resident(tree["grid_a"], "甲")
    assert not demo_history_exists(tree["district"])
    written = build_demo_history(tree["district"], None)
    assert demo_history_exists(tree["district"])
    today = timezone.localdate()
    days = set(
        DaySnapshot.objects.filter(area=tree["district"], current=True).values_list(
            "day", flat=True
        )
    )
    assert days == {today - dt.timedelta(days=n) for n in range(DAYS)}
    assert written == DaySnapshot.objects.count() == DAYS * 6
    assert set(SnapshotRun.objects.values_list("trigger", flat=True)) == {RunTrigger.DEMO}
    assert AuditEntry.objects.filter(action=AuditEvent.DEMO_HISTORY).count() == 1
    assert remove_demo_snapshots(tree["city"]) == DAYS * 6
    assert not SnapshotRun.objects.exists()
