"""The demo's checkpoints: two of them, a day of traffic through the action, alerts that
made key persons and incidents; a reset removes them all."""

import datetime as dt

from django.utils import timezone

from tests.factories import UserFactory, grant, make_resident
from wangge.checkpoints import selectors
from wangge.checkpoints.demo import (
    build_demo_checkpoints,
    demo_checkpoints_exist,
    remove_demo_checkpoints,
)
from wangge.checkpoints.models import Checkpoint, CheckpointEntry, CheckpointPassenger
from wangge.core.permissions import Role
from wangge.incidents.models import Incident
from wangge.keypersons.models import KeyPerson


def test_the_demo_builds_two_checkpoints_with_alerts_and_removes_them(tree, clock):
    # The fake clock stands at 16:00 local, after the demo's 15:00: its entries are all in
    # the past, whatever the hour the suite runs at (the API refuses a time ahead of now).
    for n in range(5):
        make_resident(tree["grid_a"], f"居民{n}", room=f"5{n}")
    officer = grant(UserFactory(username="demo_officer"), Role.CHECKPOINT_OFFICER, tree["district"])
    zone = timezone.get_current_timezone()
    now = dt.datetime.combine(timezone.localdate(), dt.time(15, 0), tzinfo=zone)
    stored = build_demo_checkpoints(tree["district"], seed=1, registrar=officer, now=now)
    assert demo_checkpoints_exist(tree["district"])
    assert Checkpoint.objects.count() == 2
    assert stored == CheckpointEntry.objects.count() > 300
    assert CheckpointPassenger.objects.filter(alert=True).count() == 3
    assert KeyPerson.objects.count() == 3
    assert Incident.objects.filter(source="checkpoints.alert").count() == 3
    assert KeyPerson.objects.filter(resident__isnull=False).count() >= 1  # a resident's fever
    rows = selectors.hourly_volumes(list(Checkpoint.objects.all()), timezone.localdate())
    start, _end = selectors.day_bounds(timezone.localdate())
    assert rows[-1].total.vehicles == CheckpointEntry.objects.filter(at__gte=start).count() > 0
    remove_demo_checkpoints(tree["district"])
    assert not demo_checkpoints_exist(tree["district"])
    assert CheckpointEntry.objects.count() == 0
    assert KeyPerson.objects.count() == 0
