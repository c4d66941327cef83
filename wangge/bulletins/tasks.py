"""The bulletins' background work: the day's bulletins once a day's figures are frozen.

The SNAPSHOTS_MADE subscriber only queues this task (in the delivery's transaction, so it is
queued exactly once per made day); the task lays the bulletins out one by one, each in its
own short transaction, outside the event's delivery and its lease.
"""

import datetime as dt

from django_tasks import task

from wangge.bulletins.actions import make_run_bulletins
from wangge.events.models import Event
from wangge.snapshots.models import RunTrigger, SnapshotRun


@task()
def make_day_bulletins(run_id: int) -> int:
    """The bulletins of a made day's root and the levels below it; how many.

    The demo's history (fourteen days made at once) gets only its root's bulletins here, so
    a fresh demo does not keep the worker busy for many minutes; the others are made when
    first downloaded."""
    run = SnapshotRun.objects.select_related("root").filter(pk=run_id).first()
    if run is None:
        return 0
    return make_run_bulletins(run, levels=0 if run.trigger == RunTrigger.DEMO else None)


def on_snapshots_made(event: Event, now: dt.datetime) -> None:
    """SNAPSHOTS_MADE: queue the day's bulletins."""
    run_id = event.payload.get("run")
    if isinstance(run_id, int):
        make_day_bulletins.enqueue(run_id)
