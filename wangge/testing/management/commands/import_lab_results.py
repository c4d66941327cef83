"""Import a laboratory's result file from the command line (as the web page does).

Dry run by default: the row-level report only. With --apply, the valid rows are imported
(recalls and positive cases follow at once); rows with problems never are.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.lib.spreadsheets import SpreadsheetError
from wangge.testing.actions.alarms import record_results_with_alarms
from wangge.testing.choices import ResultSource
from wangge.testing.lab_import import check, read_lab_file
from wangge.testing.models import Tube
from wangge.testing.selectors import results_area


class Command(BaseCommand):
    help = (
        "Check a laboratory result file (CSV or .xlsx, UTF-8 or GBK) row by row; "
        "with --apply, import its valid rows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--apply", action="store_true", help="Import the valid rows.")
        parser.add_argument(
            "--user",
            help="Act as this user, limited to the tubes they may load results for "
            "(default: the operator, on every tube).",
        )
        parser.add_argument(
            "--show", type=int, default=50, help="How many problem rows to list (default 50)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(_("%(path)s cannot be read.") % {"path": path}) from exc
        try:
            lab_file = read_lab_file(data, path.name)
        except SpreadsheetError as exc:
            raise CommandError(str(exc)) from exc
        user = None
        tubes = Tube.objects.all()
        if options["user"]:
            user = User.objects.filter(username=options["user"], is_active=True).first()
            if user is None:
                raise CommandError(
                    _("No active user is called %(name)s.") % {"name": options["user"]}
                )
            tubes = Tube.objects.visible_to(user, Perm.LOAD_RESULTS)
        report = check(lab_file, tubes)
        self.stdout.write(
            _(
                "%(file)s: %(rows)s rows — %(new)s new, %(same)s already stored (unchanged), "
                "%(bad)s not importable"
            )
            % {
                "file": path.name,
                "rows": len(report.rows),
                "new": report.accepted,
                "same": report.duplicates,
                "bad": report.rejected,
            }
        )
        for row in report.problems[: max(options["show"], 0)]:
            reason = row.reason or _("The same result is already stored.")
            self.stdout.write(
                _("  row %(row)s · %(barcode)s: %(reason)s")
                % {"row": row.row.number, "barcode": row.row.barcode or "—", "reason": reason}
            )
        if len(report.problems) > options["show"]:
            self.stdout.write(
                _("  … and %(count)s more") % {"count": len(report.problems) - options["show"]}
            )
        if not options["apply"]:
            self.stdout.write(_("Dry run: nothing was written. Add --apply to import."))
            return
        result, alarms = record_results_with_alarms(
            lab_file.items,
            tubes=tubes,
            source=ResultSource.IMPORT,
            area=results_area(user),
            acting_user=Actor(user=user, source="command", label="import_lab_results"),
        )
        for alarm in alarms:
            self.stderr.write(
                self.style.ERROR(
                    f"ALARM: {alarm.get_result_display()} result for barcode {alarm.barcode}, "
                    "which no tube has: kept as an alarm until someone finds the tube."
                )
            )
        self.stdout.write(
            self.style.SUCCESS(
                _(
                    "Imported %(results)s results; %(recalls)s people to recall, %(closed)s "
                    "recalls closed, %(cases)s positive cases."
                )
                % {
                    "results": result.accepted,
                    "recalls": result.recalls_opened,
                    "closed": result.recalls_closed,
                    "cases": result.cases_opened,
                }
            )
        )
