"""`wangge import_areas FILE [--apply]`: check an area-tree sheet, and import it with --apply."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.accounts.audit import Actor
from wangge.areas.actions import TreeImportError, import_tree, plan_tree_import
from wangge.areas.choices import ImportOutcome
from wangge.areas.importing import TreeFileError, read_tree_file
from wangge.areas.models import Area

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import an area tree from CSV or .xlsx (columns: code, name, kind, parent code; "
        "区划代码, 名称, 类型, 上级代码). A dry run that reports every row unless --apply; "
        "with --apply all rows are imported or, if any row has an error, none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--apply", action="store_true", help="Write the changes.")
        parser.add_argument(
            "--within", metavar="CODE", help="Only allow changes below the area with this code."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            rows = read_tree_file(path.read_bytes(), path.name)
        except OSError as exc:
            raise CommandError(f"cannot read {path}: {exc}") from exc
        except TreeFileError as exc:
            raise CommandError(str(exc)) from exc
        within = None
        if options["within"]:
            within = Area.objects.filter(code=options["within"]).first()
            if within is None:
                raise CommandError(f"no area has the code {options['within']}")
        plan = plan_tree_import(rows, scope=None, within=within)
        counts = plan.counts()
        summary = ", ".join(
            f"{count} {ImportOutcome(outcome).label}" for outcome, count in counts.items() if count
        )
        self.stdout.write(f"{path.name}: {len(rows)} rows — {summary or 'nothing'}")
        for error in plan.errors[:SHOWN_ERRORS]:
            self.stderr.write(f"row {error.line}: {error.message}")
        if len(plan.errors) > SHOWN_ERRORS:
            self.stderr.write(f"… and {len(plan.errors) - SHOWN_ERRORS} more errors")
        if not plan.ok:
            raise CommandError("The sheet has errors; nothing was imported.")
        if not options["apply"]:
            self.stdout.write("Dry run: nothing was written. Run again with --apply to import.")
            return
        try:
            report = import_tree(
                rows,
                acting_user=Actor(user=None, source="command", label="import_areas"),
                within=within,
                source=path.name,
            )
        except TreeImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Imported: {report.created} new, {report.renamed} renamed, "
                f"{report.coded} codes added, {report.unchanged} unchanged."
            )
        )
