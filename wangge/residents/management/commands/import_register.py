"""Import a household register from the command line, with a progress bar.

    wangge import_register FILE --area <division code or id> --user <username> [--apply]

A dry run by default: the file is checked and the report's summary printed, nothing is
written. With --apply the valid rows are imported, all or nothing, through the same
actions as the web upload (and audited as that user). --report writes the sheet with
its problem column to an .xlsx file. A sheet whose grid column names another grid than
the chosen one goes into the chosen grid only with --into-chosen-grid.

Everything it prints is in the active language (LANGUAGE_CODE, zh-Hans by default), so a
reason is never a Chinese sentence inside an English line.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.residents import actions, errors, exports, importing
from wangge.residents.errors import RegistryError

ERRORS_PRINTED = 20


class _Bar:
    """tqdm bars driven by the importer's progress callbacks: one bar a stage (reading,
    checking, matching … writing), each left on screen with its time."""

    def __init__(self, description: str, enabled: bool) -> None:
        self.enabled = enabled
        self.bar = tqdm(desc=description, unit=" rows", disable=not enabled, leave=True)

    def stage(self, name: str, total: int | None = None) -> None:
        self.bar.close()
        self.bar = tqdm(
            desc=str(importing.STAGES.get(name, name)),
            total=total,
            unit=" rows",
            disable=not self.enabled,
            leave=True,
        )

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.bar.total = total
            self.bar.refresh()
        if done:
            self.bar.update(done)

    def close(self) -> None:
        self.bar.close()


def _find_area(value: str) -> Area:
    area: Area | None = Area.objects.filter(code=value).first()
    if area is None and value.isdigit():
        area = Area.objects.filter(pk=int(value)).first()
    if area is None:
        raise CommandError(_("No area has the division code or id %(value)s.") % {"value": value})
    return area


class Command(BaseCommand):
    help = "Check (and with --apply import) a household register from .xlsx or .csv."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--area", required=True, help="division code or id of the area")
        parser.add_argument("--user", required=True, help="who imports (audited as them)")
        parser.add_argument("--apply", action="store_true", help="import the valid rows")
        parser.add_argument("--report", type=Path, help="write the problem report (.xlsx)")
        parser.add_argument("--no-progress", action="store_true", help="no progress bar")
        parser.add_argument(
            "--into-chosen-grid",
            action="store_true",
            help="import into the chosen grid a sheet whose grid column names it otherwise",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(_("%(path)s is not a file.") % {"path": path})
        area = _find_area(options["area"])
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(_("No active user is called %(name)s.") % {"name": options["user"]})
        if not user.has_area_permission(Perm.IMPORT_REGISTRY, area):
            raise CommandError(
                _("%(user)s may not import registers into %(area)s.")
                % {"user": user.username, "area": area.name}
            )
        data = path.read_bytes()
        show = not options["no_progress"]
        checking = _Bar(_("checking"), show)
        try:
            if options["apply"]:
                batch = actions.stage_import(
                    data, path.name, area, acting_user=user, progress=checking
                )
                checking.close()
                problems = importing.load_plan(batch.storage_key).errors
                self._summary(
                    batch.rows_total,
                    batch.rows_skipped,
                    batch.rows_valid,
                    batch.rows_new,
                    batch.rows_updated,
                    batch.rows_unchanged,
                    problems,
                    batch.notices,
                )
                self._report(options["report"], data, path.name, problems)
                if not batch.rows_valid:
                    actions.discard_import(batch)
                    self.stdout.write(_("Nothing to import."))
                    return
                importing_bar = _Bar(_("importing"), show)
                try:
                    done = actions.apply_import(
                        batch,
                        acting_user=Actor(user=user, source="command line"),
                        progress=importing_bar,
                        grid_confirmed=options["into_chosen_grid"],
                    )
                except RegistryError:
                    actions.discard_import(batch)
                    raise
                importing_bar.close()
                self.stdout.write(
                    self.style.SUCCESS(
                        _("Imported: %(new)s new, %(updated)s updated, %(unchanged)s unchanged.")
                        % {
                            "new": done.rows_new,
                            "updated": done.rows_updated,
                            "unchanged": done.rows_unchanged,
                        }
                    )
                )
            else:
                analysis = importing.analyse(data, path.name, area, progress=checking)
                checking.close()
                plan = analysis.plan
                self._summary(
                    analysis.rows_total,
                    analysis.rows_skipped,
                    len(plan.ok),
                    len(plan.new),
                    len(plan.updates),
                    plan.unchanged,
                    analysis.errors,
                    analysis.notices,
                )
                self._report(options["report"], data, path.name, analysis.errors)
                self.stdout.write(_("Dry run: nothing was written. Add --apply to import."))
        except RegistryError as exc:
            raise CommandError(exc.message) from exc
        finally:
            checking.close()

    def _summary(
        self,
        total: int,
        skipped: int,
        valid: int,
        new: int,
        updated: int,
        unchanged: int,
        problems: list[importing.RowError],
        notices: list[list[Any]],
    ) -> None:
        self.stdout.write(
            _(
                "Rows: %(total)s (and %(skipped)s blank or totals rows skipped)\n"
                "Valid: %(valid)s — new %(new)s, updated %(updated)s, unchanged %(unchanged)s\n"
                "Rows with errors: %(errors)s"
            )
            % {
                "total": total,
                "skipped": skipped,
                "valid": valid,
                "new": new,
                "updated": updated,
                "unchanged": unchanged,
                "errors": len(problems),
            }
        )
        for code, params in notices:
            self.stdout.write(errors.render(code, params))
        for error in problems[:ERRORS_PRINTED]:
            line = (
                _("  row %(row)s · %(column)s: %(reason)s")
                if error.column
                else _("  row %(row)s: %(reason)s")
            )
            self.stdout.write(
                line % {"row": error.row, "column": error.column, "reason": error.message}
            )
        if len(problems) > ERRORS_PRINTED:
            self.stdout.write(
                _("  … and %(count)s more (see --report)")
                % {"count": len(problems) - ERRORS_PRINTED}
            )

    def _report(
        self, target: Path | None, data: bytes, name: str, errors: list[importing.RowError]
    ) -> None:
        if target is None:
            return
        target.write_bytes(exports.report_workbook(data, name, errors))
        self.stdout.write(_("Report written to %(path)s") % {"path": target})
