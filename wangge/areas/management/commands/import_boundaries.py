"""`wangge import_boundaries FILE.geojson [--dry-run]`: import area outlines for the map."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from wangge.areas.actions import BoundaryImportError, import_boundaries
from wangge.areas.boundaries import BoundaryFileError, read_boundary_file
from wangge.areas.boundary_plan import plan_boundary_import
from wangge.areas.choices import BoundaryOutcome
from wangge.audit.log import Actor

SHOWN_ERRORS = 50


class Command(BaseCommand):
    help = (
        "Import area outlines from a GeoJSON FeatureCollection in WGS84 longitude/latitude. "
        "Each feature names its area by a `code` property (the division code) or a `path` "
        "of names from an area down to it (七里河区/西园街道/西园社区). Every feature is "
        "checked (valid polygon, known area, one feature per area, inside its parent's "
        "outline); if any has an error nothing is imported. --dry-run only reports."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument(
            "--dry-run", action="store_true", help="Check and report; write nothing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        try:
            features = read_boundary_file(path.read_bytes())
        except OSError as exc:
            raise CommandError(_("%(path)s cannot be read.") % {"path": path}) from exc
        except BoundaryFileError as exc:
            raise CommandError(str(exc)) from exc
        plan = plan_boundary_import(features, scope=None)
        self.stdout.write(
            _("%(file)s: %(count)s features") % {"file": path.name, "count": len(features)}
        )
        for outcome, count in plan.counts().items():
            if count:
                self.stdout.write(f"  {BoundaryOutcome(outcome).label}: {count}")
        for index, message in plan.errors[:SHOWN_ERRORS]:
            self.stderr.write(
                _("  feature %(index)s: %(reason)s") % {"index": index, "reason": message}
            )
        if len(plan.errors) > SHOWN_ERRORS:
            self.stderr.write(
                _("  … and %(count)s more") % {"count": len(plan.errors) - SHOWN_ERRORS}
            )
        if not plan.ok:
            raise CommandError(_("The file has errors; nothing was imported."))
        if options["dry_run"]:
            self.stdout.write(_("Dry run: nothing was written."))
            return
        try:
            report = import_boundaries(
                features,
                acting_user=Actor(user=None, source="command", label="import_boundaries"),
                source=path.name,
            )
        except BoundaryImportError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                _("Imported %(count)s outlines: %(new)s new, %(replaced)s replaced.")
                % {"count": report.features, "new": report.new, "replaced": report.replaced}
            )
        )
