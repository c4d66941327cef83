"""Check that no audit entry was edited or deleted: walk the hash chain from the start."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.audit.log import chain_head, verify_chain
from wangge.audit.models import AuditEntry


class Command(BaseCommand):
    help = (
        "Verify the audit log's hash chain. Exits with status 1, naming the first broken "
        "entry, when any entry was edited or deleted."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--expect-head",
            metavar="HASH",
            help="A head hash printed by an earlier run and kept outside the database: "
            "it must still be in the chain (this catches a rewrite of the whole chain).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        breaks = verify_chain()
        first = next(breaks, None)
        if first is not None:
            rest = sum(1 for _ in breaks)
            where = f"entry {first.entry_id}" if first.entry_id else "the start of the log"
            more = f" ({rest} further break(s) after it)" if rest else ""
            raise CommandError(
                f"The audit log was tampered with: first break at {where}: {first.reason}{more}.",
                returncode=1,
            )
        expected = options.get("expect_head")
        if expected and not AuditEntry.objects.filter(entry_hash=expected).exists():
            raise CommandError(
                f"The audit log does not contain the expected head {expected}: "
                "entries up to it were removed or the chain was rewritten.",
                returncode=1,
            )
        count = AuditEntry.objects.count()
        self.stdout.write(
            self.style.SUCCESS(f"The audit log is intact: {count} entries.")
            + f"\nHead: {chain_head()} (keep it elsewhere; pass it to --expect-head later)"
        )
