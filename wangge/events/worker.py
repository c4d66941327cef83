"""The background worker: one loop that runs due periodic jobs, queued tasks and drains.

Each turn of the loop, at the time its clock gives:
1. enqueues the periodic jobs whose current slot is not enqueued yet (`core.schedule`);
2. runs every ready task of the django-tasks database queue (django-tasks-db's own worker,
   in batch mode: it claims each task under a row lock, so several workers share the
   queue);
3. calls every drain (events to their subscribers, then messages to their channels).
It sleeps only when a turn found nothing to do. Tests drive `turn()` with a fake clock.
"""

import datetime as dt
import logging
import threading
from collections.abc import Callable

from django.db import close_old_connections
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.management.commands.db_worker import Worker as TaskWorker

from wangge.core import schedule
from wangge.events.actions import enqueue_due

logger = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


class Worker:
    """Runs the turns of the loop until `stop()` is called."""

    def __init__(
        self, *, clock: Clock | None = None, interval: float = 1.0, worker_id: str = ""
    ) -> None:
        # Looked up at each turn, so that a test's fake `timezone.now` is the worker's too.
        self.clock = clock or (lambda: timezone.now())
        self.interval = interval
        self.worker_id = worker_id or get_random_string(16)
        self._stopping = threading.Event()
        self._tasks = TaskWorker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id=self.worker_id,
            excluded_queue_names=[],
        )

    def turn(self) -> int:
        """One turn of the loop; how many things it did (jobs, tasks, drained rows)."""
        now = self.clock()
        done = len(enqueue_due(now))
        done += self._run_tasks()
        for name, drain in schedule.drains():
            handled = drain(now)
            if handled:
                logger.info("drain %s handled %d", name, handled)
            done += handled
        return done

    def _run_tasks(self) -> int:
        # The library's worker counts the tasks it ran (the version is pinned in pyproject).
        before = self._tasks._run_tasks
        self._tasks.run()
        return self._tasks._run_tasks - before

    def run(self) -> None:
        """Turn until stopped, resting `interval` seconds after a turn with nothing to do."""
        logger.info("worker %s started", self.worker_id)
        while not self._stopping.is_set():
            close_old_connections()
            if not self.turn():
                self._stopping.wait(self.interval)
        logger.info("worker %s stopped", self.worker_id)

    def stop(self) -> None:
        self._stopping.set()


def uses_database_queue() -> bool:
    """Whether the default task backend is the database queue this worker drains."""
    from django_tasks import task_backends

    return isinstance(task_backends["default"], DatabaseBackend)
