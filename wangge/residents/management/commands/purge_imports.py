"""Forget register uploads nobody decided on, and their encrypted files.

    wangge purge_imports [--older-than-hours 24] [--for-real]

A dry run by default. A pending import older than the limit is discarded (nothing is
imported) and its encrypted files deleted; files under WANGGE_IMPORT_DIR that belong to
no pending import (an upload interrupted half-way) are deleted too. The worker does the
same every hour (`residents.tasks`).
"""

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from wangge.residents import actions


class Command(BaseCommand):
    help = (
        "Discard stale pending register imports and delete their files. Dry run unless --for-real."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=int, default=24)
        parser.add_argument("--for-real", action="store_true", help="Discard and delete.")

    def handle(self, *args: Any, **options: Any) -> None:
        real = options["for_real"]
        purge = actions.purge_stale_imports(
            older_than=dt.timedelta(hours=options["older_than_hours"]), for_real=real
        )
        verb = "discarded" if real else "would discard"
        self.stdout.write(
            f"{verb} {purge.discarded} stale pending imports; {len(purge.orphans)} orphan files"
        )
        if not real:
            self.stdout.write("Dry run: add --for-real to act.")
