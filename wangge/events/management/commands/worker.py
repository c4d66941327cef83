"""Run the background worker: periodic jobs, queued tasks, events and outbound messages.

    wangge worker [--interval 1] [--once]

In production run it as a service beside the application server (docs/operations.md);
`make demo` and `make serve` start it. SIGINT or SIGTERM stops it after the current turn.
"""

import signal
from types import FrameType
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.events.worker import Worker, uses_database_queue


class Command(BaseCommand):
    help = "Run the background worker (periodic jobs, queued tasks, events, notifications)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--interval",
            type=float,
            default=1.0,
            help="Seconds to rest after a turn that found nothing to do (default 1).",
        )
        parser.add_argument("--once", action="store_true", help="Run one turn, then exit.")

    def handle(self, *args: Any, **options: Any) -> None:
        if not uses_database_queue():
            raise CommandError("the worker drains the database task queue: set TASKS to it")
        if options["interval"] <= 0:
            raise CommandError("--interval must be positive")
        worker = Worker(interval=options["interval"])
        if options["once"]:
            done = worker.turn()
            self.stdout.write(f"One turn: {done} things done.")
            return

        def stop(signum: int, frame: FrameType | None) -> None:
            worker.stop()

        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        self.stdout.write(f"Worker {worker.worker_id} running (Ctrl-C stops it).")
        worker.run()
