"""`wangge workforce_summary [--area CODE]`: an area's workforce in the seeds' own form."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import translation

from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.workforce.summary import workforce_summary


class Command(BaseCommand):
    help = (
        "Print the workforce of an area (by its division code; default: every district) "
        "as the seeds put it: '9 streets, 65 communities, 1,848 staff; … in 638 compounds'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--area", help="The area's division code (default: every district).")
        parser.add_argument("--language", default="zh-hans", help="zh-hans (default) or en.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["area"]:
            areas = list(Area.objects.filter(code=options["area"]))
            if not areas:
                raise CommandError(f"No area has the code {options['area']!r}.")
        else:
            areas = list(Area.objects.filter(kind=AreaKind.DISTRICT).order_by("path"))
        with translation.override(options["language"]):
            for area in areas:
                summary = workforce_summary(area)
                self.stdout.write(f"{area.name} ({area.code or area.pk})")
                for part in summary.parts:
                    self.stdout.write(f"  {part.label}: {part.sentence()}")
                if summary.teams_sentence:
                    self.stdout.write(f"  {summary.teams_sentence}")
                if not summary.parts and not summary.teams_sentence:
                    self.stdout.write("  -")
