"""Verify the references the database does not check (foreign keys without a constraint)."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from wangge.core.integrity import orphans


class Command(BaseCommand):
    help = (
        "Verify that no row of a table whose references carry no database constraint (the "
        "registrations and first samples of rounds) names a row that does not exist. Exits "
        "with status 1 and a report of the orphans when one does."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        references = orphans()
        broken = [ref for ref in references if ref.count]
        for ref in broken:
            shown = ", ".join(str(pk) for pk in ref.examples)
            self.stderr.write(f"{ref.label}: {ref.count} row(s) name a missing row (e.g. {shown})")
        if broken:
            total = sum(ref.count for ref in broken)
            raise CommandError(
                f"{total} orphan(s) in {len(broken)} of {len(references)} references.",
                returncode=1,
            )
        self.stdout.write(
            self.style.SUCCESS(f"Every reference holds: {len(references)} references checked.")
        )
