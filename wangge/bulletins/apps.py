"""The daily bulletin (日报): an area's day as a PDF and an Excel workbook."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "wangge.bulletins"
    verbose_name = _("Daily bulletins")

    def ready(self) -> None:
        from wangge.bulletins import contributions
        from wangge.bulletins.tasks import on_snapshots_made
        from wangge.core import nav
        from wangge.events.subscribers import subscribe
        from wangge.snapshots.events import SNAPSHOTS_MADE

        subscribe(SNAPSHOTS_MADE, "bulletins.make", on_snapshots_made)
        nav.register(contributions.links)
