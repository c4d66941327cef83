"""An area's figures of a day, frozen (一天一分析).

A *run* freezes the figures of every area of a branch for one day; each area gets a
`DaySnapshot` of that run. Making the day again (on demand, or the worker after a
correction upstream) writes a new run: every snapshot it writes has the next version and
becomes the current one, and the old versions stay as they were, so the record of what was
reported on a day never changes. Trends and day-over-day changes read snapshots only
(wangge/snapshots/selectors.py), never the raw rows.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.core.scoping import ScopedQuerySet


class RunTrigger(models.TextChoices):
    SCHEDULED = "scheduled", _("Made by the worker at the set time")
    ON_DEMAND = "on_demand", _("Made on demand")
    DEMO = "demo", _("Made by the demo")


class SnapshotRun(models.Model):
    """One making of a day's figures for a branch of the tree (`root` and all below it)."""

    scope_path_lookup = "root__path"

    root = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    day = models.DateField(_("day"))
    trigger = models.CharField(_("made"), max_length=12, choices=RunTrigger.choices)
    made_at = models.DateTimeField(_("made at"))
    # None: the worker.
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("made by"),
    )
    areas = models.PositiveIntegerField(_("areas"), default=0)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("making of a day's figures")
        verbose_name_plural = _("makings of a day's figures")
        indexes = [models.Index(fields=["day", "root"], name="snapshot_run_day_root")]

    def __str__(self) -> str:
        return f"{self.root_id} · {self.day}"


class DaySnapshot(models.Model):
    """The frozen figures of one area for one day, in one version.

    `figures` maps a figure's key (wangge/snapshots/figures.py) to a whole number, for the
    area's whole branch (a street's figure is the sum of its communities' and so on, or the
    maximum for a level). `lists` maps a list's key to the items that need action (at most
    `figures.LIST_LIMIT` each), with no personal data: areas, incident and request numbers.
    """

    scope_path_lookup = "area__path"

    run = models.ForeignKey(
        SnapshotRun, on_delete=models.PROTECT, related_name="snapshots", verbose_name=_("made")
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    day = models.DateField(_("day"))
    version = models.PositiveIntegerField(_("version"))
    current = models.BooleanField(_("current"), default=True)
    figures = models.JSONField(_("figures"), default=dict)
    lists = models.JSONField(_("lists"), default=dict)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("day's figures")
        verbose_name_plural = _("days' figures")
        constraints = [
            models.UniqueConstraint(
                fields=["area", "day", "version"], name="snapshot_area_day_version"
            ),
            models.UniqueConstraint(
                fields=["area", "day"], condition=Q(current=True), name="snapshot_one_current"
            ),
        ]
        indexes = [models.Index(fields=["day", "area"], name="snapshot_day_area")]

    def __str__(self) -> str:
        return f"{self.area_id} · {self.day} · v{self.version}"
