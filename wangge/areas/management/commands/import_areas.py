"""`wangge import_areas FILE [--apply]`: check an area-tree sheet, and import it with --apply."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wangge.areas.actions import TreeImportError, import_tree, plan_tree_import
from wangge.areas.choices import ImportOutcome
from wangge.areas.importing import TreeFileError, read_tree_file
from wangge.areas.models import Area
from wangge.audit.log import Actor

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
            raise CommandError(_("%(path)s cannot be read.") % {"path": path}) from exc
        except TreeFileError as exc:
            raise CommandError(str(exc)) from exc
        within = None
        if options["within"]:
            within = Area.objects.filter(code=options["within"]).first()
            if within is None:
                raise CommandError(
                    _("No area has the division code or id %(value)s.")
                    % {"value": options["within"]}
                )
        plan = plan_tree_import(rows, scope=None, within=within)
        counts = plan.counts()
        self.stdout.write(_("%(file)s: %(rows)s rows") % {"file": path.name, "rows": len(rows)})
        for outcome, count in counts.items():
            if count:
                self.stdout.write(f"  {ImportOutcome(outcome).label}: {count}")
        for error in plan.errors[:SHOWN_ERRORS]:
            self.stderr.write(
                _("  row %(row)s: %(reason)s") % {"row": error.line, "reason": error.message}
            )
        if len(plan.errors) > SHOWN_ERRORS:
            self.stderr.write(
                _("  … and %(count)s more") % {"count": len(plan.errors) - SHOWN_ERRORS}
            )
        if not plan.ok:
            raise CommandError(_("The sheet has errors; nothing was imported."))
        if not options["apply"]:
            self.stdout.write(_("Dry run: nothing was written. Add --apply to import."))
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
                _(
                    "Imported: %(created)s new, %(renamed)s renamed, %(coded)s codes added, "
                    "%(unchanged)s unchanged."
                )
                % {
                    "created": report.created,
                    "renamed": report.renamed,
                    "coded": report.coded,
                    "unchanged": report.unchanged,
                }
            )
        )
