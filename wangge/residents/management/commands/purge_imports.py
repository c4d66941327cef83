"""Forget register uploads nobody decided on, and their encrypted files.

    wangge purge_imports [--older-than-hours 24] [--for-real]

A dry run by default. A pending import older than the limit is discarded (nothing is
imported) and its encrypted files deleted; files under WANGGE_IMPORT_DIR that belong to
no pending import (an upload interrupted half-way) are deleted too.
"""

import datetime as dt
import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from wangge.residents import actions
from wangge.residents.choices import ImportStatus
from wangge.residents.models import ImportBatch

_OURS = re.compile(r"^([0-9a-f]{32})\.(src|plan)$")


class Command(BaseCommand):
    help = (
        "Discard stale pending register imports and delete their files. Dry run unless --for-real."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--older-than-hours", type=int, default=24)
        parser.add_argument("--for-real", action="store_true", help="Discard and delete.")

    def handle(self, *args: Any, **options: Any) -> None:
        cutoff = timezone.now() - dt.timedelta(hours=options["older_than_hours"])
        real = options["for_real"]
        stale = ImportBatch.objects.filter(status=ImportStatus.PENDING, created_at__lt=cutoff)
        count = 0
        for batch in stale.order_by("pk"):
            count += 1
            if real:
                actions.discard_import(batch)
        pending = set(
            ImportBatch.objects.filter(status=ImportStatus.PENDING).values_list(
                "storage_key", flat=True
            )
        )
        orphans: list[Path] = []
        folder = Path(settings.WANGGE_IMPORT_DIR)
        if folder.is_dir():
            for path in folder.iterdir():
                match = _OURS.match(path.name)
                if match and match[1] not in pending:
                    orphans.append(path)
        if real:
            for path in orphans:
                path.unlink(missing_ok=True)
        verb = "discarded" if real else "would discard"
        self.stdout.write(f"{verb} {count} stale pending imports; {len(orphans)} orphan files")
        if not real:
            self.stdout.write("Dry run: add --for-real to act.")
