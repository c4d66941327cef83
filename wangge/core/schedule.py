"""What the background worker runs besides queued tasks, contributed by the apps.

Core imports no app, so each app registers its work in its AppConfig.ready():

- a **periodic job**: a django-tasks `Task` taking no arguments, due once per slot of its
  interval (slots are aligned on the Unix epoch, so every worker agrees on them). The worker
  (`wangge.events.worker`) writes one row per (job, slot) under a unique key before it
  enqueues the task, so two workers never run a slot twice and a slot missed while no worker
  ran is caught up once, not once per missed slot.
- a **drain**: a function the worker calls on every turn of its loop with the current time,
  for outboxes that must move within seconds (events to subscribers, messages to channels).
  A drain claims its rows itself and returns how many it handled.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django_tasks.base import Task


@dataclass(frozen=True)
class PeriodicJob:
    """A task due once per `every`, at the slots `slot_at` computes."""

    name: str
    every: dt.timedelta
    task: "Task[[], Any]"

    def slot_at(self, now: dt.datetime) -> dt.datetime:
        """The start of the slot `now` falls in (aligned on the epoch, in UTC)."""
        step = int(self.every.total_seconds())
        seconds = int(now.timestamp())
        return dt.datetime.fromtimestamp(seconds - seconds % step, tz=dt.UTC)


Drain = Callable[[dt.datetime], int]

_jobs: dict[str, PeriodicJob] = {}
_drains: dict[str, Drain] = {}


def register_periodic(name: str, every: dt.timedelta, task: "Task[[], Any]") -> None:
    """Run `task` once per `every` (idempotent: registering again replaces the job)."""
    if every < dt.timedelta(seconds=1):
        raise ValueError("a periodic job runs at most once a second")
    _jobs[name] = PeriodicJob(name=name, every=every, task=task)


def register_drain(name: str, drain: Drain) -> None:
    """Call `drain(now)` on every turn of the worker's loop."""
    _drains[name] = drain


def periodic_jobs() -> list[PeriodicJob]:
    return sorted(_jobs.values(), key=lambda job: job.name)


def drains() -> list[tuple[str, Drain]]:
    return sorted(_drains.items())
