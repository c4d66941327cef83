"""Retention: remove the personal parts of old closed rounds, keeping their figures.

Dry run by default (what would be removed, per round); --for-real acts. Each round is
purged in its own transaction by `actions.rounds.purge_round_records`, which freezes the
round's per-grid figures first and writes one audit entry.
"""

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from wangge.audit.log import Actor
from wangge.testing.actions.rounds import purge_round_records, purge_summary
from wangge.testing.selectors import rounds_due_for_purge


class Command(BaseCommand):
    help = (
        "Anonymise the testing records (registrations, walk-ins, samples, exemptions, home "
        "visits, the people of recalls and cases) of closed rounds older than the retention "
        "period, keeping their figures. Dry run unless --for-real."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--older-than-days",
            type=int,
            default=settings.WANGGE_RETENTION_DAYS,
            help="Rounds closed more than this many days ago (default: WANGGE_RETENTION_DAYS, "
            f"{settings.WANGGE_RETENTION_DAYS}).",
        )
        parser.add_argument("--for-real", action="store_true", help="Remove the records.")

    def handle(self, *args: Any, **options: Any) -> None:
        days: int = options["older_than_days"]
        if days < 0:
            raise CommandError("--older-than-days cannot be negative")
        due = rounds_due_for_purge(timezone.now() - dt.timedelta(days=days))
        if not due:
            self.stdout.write(f"No closed round older than {days} days has records to purge.")
            return
        actor = Actor(user=None, source="command", label="purge_testing_records")
        for round_ in due:
            closed = (
                timezone.localtime(round_.closed_at).strftime("%Y-%m-%d")
                if round_.closed_at
                else ""
            )
            summary = (
                purge_round_records(round_, acting_user=actor)
                if options["for_real"]
                else purge_summary(round_)
            )
            counts = ", ".join(f"{name} {n}" for name, n in summary.as_dict().items())
            verb = "purged" if options["for_real"] else "would purge"
            self.stdout.write(
                f"Round {round_.pk} ({round_.name}, closed {closed}): {verb} {counts}"
            )
        if not options["for_real"]:
            self.stdout.write("Dry run: nothing changed. Run again with --for-real to purge.")
        else:
            self.stdout.write(self.style.SUCCESS(f"{len(due)} rounds purged; figures kept."))
