"""`wangge export_areas [--root CODE] FILE`: the area tree as CSV or .xlsx (by the extension)."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from wangge.areas.actions import export_tree
from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.core.scoping import subtree_q


class Command(BaseCommand):
    help = (
        "Write the area tree (or the subtree below --root CODE) to FILE, .csv or .xlsx, in "
        "the columns import_areas reads back: 区划代码, 名称, 类型, 上级代码."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path)
        parser.add_argument("--root", metavar="CODE", help="Only the subtree below this code.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["file"]
        fmt = path.suffix.lower().lstrip(".")
        if fmt not in ("csv", "xlsx"):
            raise CommandError("the file name must end in .csv or .xlsx")
        if options["root"]:
            root = Area.objects.filter(code=options["root"]).first()
            if root is None:
                raise CommandError(f"no area has the code {options['root']}")
            roots = [root]
        else:
            roots = list(Area.objects.filter(depth=1))
        data = export_tree(
            roots, fmt=fmt, acting_user=Actor(user=None, source="command", label="export_areas")
        )
        path.write_bytes(data)
        count = (
            Area.objects.filter(subtree_q([roots[0].path])).count()
            if len(roots) == 1
            else Area.objects.count()
        )
        self.stdout.write(f"Wrote {count} areas to {path}.")
