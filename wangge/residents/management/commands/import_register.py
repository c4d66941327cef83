"""Import a household register from the command line, with a progress bar.

    wangge import_register FILE --area <division code or id> --user <username> [--apply]

A dry run by default: the file is checked and the report's summary printed, nothing is
written. With --apply the valid rows are imported, all or nothing, through the same
actions as the web upload (and audited as that user). --report writes the sheet with
its problem column to an .xlsx file.
"""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from tqdm import tqdm

from wangge.accounts.audit import Actor
from wangge.accounts.models import User
from wangge.accounts.roles import Perm
from wangge.areas.models import Area
from wangge.residents import actions, exports, importing
from wangge.residents.errors import RegistryError

ERRORS_PRINTED = 20


class _Bar:
    """A tqdm bar driven by the importer's progress callbacks."""

    def __init__(self, description: str, enabled: bool) -> None:
        self.bar = tqdm(desc=description, unit=" rows", disable=not enabled, leave=True)

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
        raise CommandError(f"no area with division code or id {value!r}")
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

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        area = _find_area(options["area"])
        user = User.objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {options['user']!r}")
        if not user.has_area_permission(Perm.IMPORT_REGISTRY, area):
            raise CommandError(f"{user.username} may not import registers into {area.name}")
        data = path.read_bytes()
        show = not options["no_progress"]
        checking = _Bar("checking", show)
        try:
            if options["apply"]:
                batch = actions.stage_import(
                    data, path.name, area, acting_user=user, progress=checking
                )
                checking.close()
                errors = importing.load_plan(batch.storage_key).errors
                self._summary(
                    batch.rows_total,
                    batch.rows_skipped,
                    batch.rows_valid,
                    batch.rows_new,
                    batch.rows_updated,
                    batch.rows_unchanged,
                    errors,
                )
                self._report(options["report"], data, path.name, errors)
                if not batch.rows_valid:
                    actions.discard_import(batch)
                    self.stdout.write("Nothing to import.")
                    return
                importing_bar = _Bar("importing", show)
                done = actions.apply_import(
                    batch,
                    acting_user=Actor(user=user, source="command line"),
                    progress=importing_bar,
                )
                importing_bar.close()
                self.stdout.write(
                    self.style.SUCCESS(
                        f"Imported: {done.rows_new} new, {done.rows_updated} updated, "
                        f"{done.rows_unchanged} unchanged."
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
                )
                self._report(options["report"], data, path.name, analysis.errors)
                self.stdout.write("Dry run: nothing was written. Add --apply to import.")
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
        errors: list[importing.RowError],
    ) -> None:
        self.stdout.write(
            f"Rows: {total} (and {skipped} blank or totals rows skipped)\n"
            f"Valid: {valid} — new {new}, updated {updated}, unchanged {unchanged}\n"
            f"Rows with errors: {len(errors)}"
        )
        for error in errors[:ERRORS_PRINTED]:
            column = f" · {error.column}" if error.column else ""
            self.stdout.write(f"  row {error.row}{column}: {error.message}")
        if len(errors) > ERRORS_PRINTED:
            self.stdout.write(f"  … and {len(errors) - ERRORS_PRINTED} more (see --report)")

    def _report(
        self, target: Path | None, data: bytes, name: str, errors: list[importing.RowError]
    ) -> None:
        if target is None:
            return
        target.write_bytes(exports.report_workbook(data, name, errors))
        self.stdout.write(f"Report written to {target}")
