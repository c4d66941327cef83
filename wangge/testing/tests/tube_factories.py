"""Test helpers for tubes: fill a tube with people the way ingestion stores them, seal it."""

import itertools

from django.utils import timezone

from wangge.lib.uuid7 import uuid7
from wangge.testing.choices import TubeStatus
from wangge.testing.models import Registration, Tube, WalkIn
from wangge.testing.tests.factories import mark_sampled

_barcodes = itertools.count(1)


def make_tube(round_, area, *people, capacity=None, status=TubeStatus.SEALED, barcode=None):
    """A tube of the round opened in `area`, holding these residents / walk-ins."""
    now = timezone.now()
    tube = Tube.objects.create(
        barcode=barcode or f"T{next(_barcodes):08d}",
        round=round_,
        capacity=capacity or round_.pool_size,
        area=area,
        opened_at=now,
        sealed_at=None if status == TubeStatus.OPEN else now,
        status=status,
    )
    for person in people:
        add_to_tube(tube, person)
    return tube


def add_to_tube(tube, person, *, sampled_at=None):
    """Registration + Tube.filled + RoundSample, as the station upload writes them."""
    walk_in = person if isinstance(person, WalkIn) else None
    resident = None if walk_in else person
    Registration.objects.create(
        client_id=uuid7(),
        round=tube.round,
        tube=tube,
        resident=resident,
        walk_in=walk_in,
        sampled_at=sampled_at or timezone.now(),
    )
    Tube.objects.filter(pk=tube.pk).update(filled=tube.filled + 1)
    tube.filled += 1
    if resident is not None:
        mark_sampled(tube.round, resident)
    return tube


def make_walk_in(round_, area, name="访客"):
    walk_in = WalkIn(client_id=uuid7(), round=round_, area=area, name=name)
    walk_in.set_phone("13800001111")
    walk_in.save()
    return walk_in
