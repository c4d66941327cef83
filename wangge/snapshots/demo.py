"""The demo district's daily analysis: fourteen days of frozen figures (today and the
thirteen before), each made by the real `make_day` (trigger DEMO) over the demo's own rows.

The other apps' demos write mostly today's and yesterday's rows (a round that ran over the
last three days, incidents and requests of the last hours). So that the trends have a
shape, the checkpoints get lighter traffic on the twelve days before, registered through
`checkpoints.actions.register_entries` as a device uploads it; every other figure of a past
day is what the apps' rows say it was (docs/architecture.md: which figures a past day made
later can give exactly).
"""

import datetime as dt
import random

from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.checkpoints.actions import register_entries
from wangge.checkpoints.checkpoint_items import EntryIn
from wangge.checkpoints.demo import HIGHWAY, ORIGINS, PROFILE, ROAD, VEHICLES, _person, _plate
from wangge.checkpoints.models import Checkpoint
from wangge.core.scoping import subtree_q
from wangge.lib.uuid7 import uuid7
from wangge.snapshots.actions import Acting, make_day
from wangge.snapshots.models import DaySnapshot, RunTrigger, SnapshotRun

DAYS = 14
# The checkpoints' traffic before yesterday, as a share of the demo's yesterday: a week
# of it rising to the level of the last two days.
EARLIER_SHARE = [0.35, 0.38, 0.4, 0.45, 0.42, 0.5, 0.55, 0.6, 0.58, 0.65, 0.72, 0.8]
BATCH = 100


def demo_history_exists(district: Area) -> bool:
    return SnapshotRun.objects.filter(
        root=district, trigger=RunTrigger.DEMO, day=timezone.localdate()
    ).exists()


def remove_demo_snapshots(area: Area) -> int:
    """Delete the figures made for `area` and below (a reset, before the areas go); how
    many snapshots."""
    deleted, by_model = DaySnapshot.objects.filter(subtree_q([area.path], "area__path")).delete()
    SnapshotRun.objects.filter(subtree_q([area.path], "root__path")).delete()
    return by_model.get(DaySnapshot._meta.label, 0)


def _earlier_traffic(district: Area, registrar: User, today: dt.date, seed: int) -> int:
    """Checkpoint entries of the twelve days before yesterday (all green, no fever: the
    alerts of the demo are today's)."""
    checkpoints = list(
        Checkpoint.objects.filter(
            subtree_q([district.path], "area__path"), name__in=[HIGHWAY, ROAD]
        ).order_by("name")
    )
    if not checkpoints:
        return 0
    rng = random.Random(seed + 14)  # noqa: S311 - synthetic data, reproducible by its seed
    zone = timezone.get_current_timezone()
    items: list[dict[str, object]] = []
    first = today - dt.timedelta(days=DAYS - 1)
    for offset, share in enumerate(EARLIER_SHARE):
        day = first + dt.timedelta(days=offset)
        for hour, count in enumerate(PROFILE):
            start = dt.datetime.combine(day, dt.time(hour), tzinfo=zone)
            for checkpoint in checkpoints:
                weight = 1.0 if checkpoint.name == HIGHWAY else 0.5
                for _ in range(round(count * weight * share * rng.uniform(0.7, 1.2))):
                    kind = rng.choice(VEHICLES)
                    size = 1 if kind in ("truck", "motorcycle") else rng.choice([1, 1, 2, 3])
                    items.append(
                        {
                            "client_id": str(uuid7()),
                            "checkpoint_id": checkpoint.pk,
                            "at": (start + dt.timedelta(seconds=rng.randrange(3600))).isoformat(),
                            "direction": "in" if rng.random() < 0.6 else "out",
                            "plate": _plate(rng),
                            "vehicle_kind": kind,
                            "origin": rng.choice(ORIGINS),
                            "destination": "市区",
                            "people": [_person(rng, []) for _ in range(size)],
                        }
                    )
    stored = 0
    for start_at in range(0, len(items), BATCH):
        batch = [EntryIn.model_validate(item) for item in items[start_at : start_at + BATCH]]
        answers = register_entries(batch, checkpoint_scope=registrar, acting_user=registrar)
        stored += sum(1 for answer in answers.results if answer.status == "accepted")
    return stored


def build_demo_history(
    district: Area,
    acting_user: Acting,
    *,
    registrar: User | None = None,
    seed: int = 1,
    now: dt.datetime | None = None,
) -> int:
    """Make the district's figures of today and the thirteen days before, oldest first
    (after the earlier checkpoint traffic when `registrar`, the demo's checkpoint officer,
    is given); how many snapshots were written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    entries = _earlier_traffic(district, registrar, today, seed) if registrar is not None else 0
    written = 0
    for offset in range(DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=offset)
        run = make_day(district, day, trigger=RunTrigger.DEMO, acting_user=acting_user, now=now)
        written += run.areas
    log.record(
        acting_user,
        AuditEvent.DEMO_HISTORY,
        obj=district,
        area_path=district.path,
        details={"days": DAYS, "snapshots": written, "checkpoint_entries": entries},
    )
    return written
