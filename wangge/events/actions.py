"""Recording events, handing them to their subscribers, and enqueuing due periodic jobs.

These are the worker's writes; none of them acts for a person, so none is audited: the
changes that caused the events were, by the actions that recorded them.
"""

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q

from wangge.areas.models import Area
from wangge.core import schedule
from wangge.events.models import Delivery, Event, ScheduledRun
from wangge.events.subscribers import Handler, subscribers_of

logger = logging.getLogger(__name__)

# Events handed out per turn of the worker's loop: the rest wait for the next turn.
BATCH = 100


def record(
    kind: str,
    payload: dict[str, Any],
    *,
    area: Area | int | None,
    at: dt.datetime,
    key: str = "",
) -> Event | None:
    """Write an event in the caller's transaction (the outbox): it exists exactly when the
    change that caused it does. With a `key`, an event already recorded under it is not
    recorded again (None is returned)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record an event inside the transaction of the change it reports")
    area_id = area.pk if isinstance(area, Area) else area
    event = Event(kind=kind, payload=payload, area_id=area_id, created_at=at, key=key or None)
    if key:
        try:
            with transaction.atomic():
                event.save()
        except IntegrityError:
            return None
        return event
    event.save()
    return event


def _claimable(now: dt.datetime) -> Q:
    return Q(dispatched_at__isnull=True) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def dispatch_pending(now: dt.datetime) -> int:
    """Hand every undispatched event to each of its subscribers; how many were dispatched.

    An event is claimed with a conditional update (exactly one row changed, or another
    worker has it) for a lease; a worker killed while holding it leaves it to the next
    one once the lease runs out, and the deliveries already recorded are not repeated.
    """
    lease = dt.timedelta(seconds=settings.WANGGE_WORKER_LEASE_SECONDS)
    pending = (
        Event.objects.filter(_claimable(now))
        .order_by("created_at", "pk")
        .values_list("pk", flat=True)[:BATCH]
    )
    dispatched = 0
    for pk in list(pending):
        if Event.objects.filter(_claimable(now), pk=pk).update(claimed_until=now + lease) != 1:
            continue
        event = Event.objects.select_related("area").get(pk=pk)
        # Every subscriber is tried, whichever failed before it.
        delivered = [
            _deliver(event, name, handler, now) for name, handler in subscribers_of(event.kind)
        ]
        if all(delivered):
            Event.objects.filter(pk=pk).update(dispatched_at=now, claimed_until=None)
            dispatched += 1
    return dispatched


def _deliver(event: Event, subscriber: str, handler: Handler, now: dt.datetime) -> bool:
    """Deliver once: the Delivery row and the handler's writes commit together. False when
    the handler failed (the event is tried again after its lease)."""
    try:
        with transaction.atomic():
            if Delivery.objects.filter(event=event, subscriber=subscriber).exists():
                return True
            Delivery.objects.create(event=event, subscriber=subscriber, delivered_at=now)
            handler(event, now)
    except IntegrityError:
        # Another worker inserted the same delivery first: it is delivered.
        return True
    except Exception:
        logger.exception("subscriber %s failed on event %s", subscriber, event.pk)
        return False
    return True


def enqueue_due(now: dt.datetime) -> list[str]:
    """Enqueue each periodic job whose current slot has not been enqueued yet; their names.

    The slot's row and the queued task are written in one transaction (the task queue is
    in the same database), so a slot is either enqueued once or not at all.
    """
    enqueued: list[str] = []
    for job in schedule.periodic_jobs():
        slot = job.slot_at(now)
        if ScheduledRun.objects.filter(job=job.name, slot=slot).exists():
            continue
        try:
            with transaction.atomic():
                run = ScheduledRun.objects.create(job=job.name, slot=slot, enqueued_at=now)
                result = job.task.enqueue()
                run.task_id = str(result.id)
                run.save(update_fields=["task_id"])
        except IntegrityError:
            continue  # another worker took this slot
        enqueued.append(job.name)
    return enqueued


def prune(before: dt.datetime) -> int:
    """Forget dispatched events (with their deliveries) and scheduler slots older than
    `before`; how many rows went. Nothing pending is touched."""
    events, _ = Event.objects.filter(dispatched_at__lt=before).delete()
    runs, _ = ScheduledRun.objects.filter(slot__lt=before).delete()
    return events + runs
