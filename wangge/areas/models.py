"""The area tree: city → district → street/township → community/village → grid → building."""

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from wangge.areas.choices import GRID_KINDS, KIND_LEVEL, AreaKind
from wangge.core.scoping import ScopedQuerySet, subtree_q


class AreaQuerySet(MP_NodeQuerySet, ScopedQuerySet):  # type: ignore[misc]
    def grids(self) -> "AreaQuerySet":
        return self.filter(kind__in=GRID_KINDS)  # type: ignore[no-any-return]

    def within(self, area: "Area") -> "AreaQuerySet":
        """The area and everything below it: one indexed range on the path."""
        return self.filter(subtree_q([area.path]))  # type: ignore[no-any-return]


class AreaManager(MP_NodeManager):  # type: ignore[misc]
    def get_queryset(self) -> AreaQuerySet:
        return AreaQuerySet(self.model, using=self._db).order_by("path")

    def within(self, area: "Area") -> AreaQuerySet:
        return self.get_queryset().within(area)

    def visible_to(self, user: Any, permission: str) -> AreaQuerySet:
        return self.get_queryset().visible_to(user, permission)  # type: ignore[no-any-return]


class Area(MP_Node):  # type: ignore[misc]
    """A node of the one area tree. Grids (compounds, village groups) hold the households.

    `resident_count` and `household_count` are this node's own figures (non-zero on grids
    only), kept by the residents' actions so that counts of any subtree are one SUM over
    an indexed path range instead of a scan of the registry.
    """

    steplen = 4
    scope_path_lookup = "path"

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=AreaKind.choices)
    code = models.CharField(
        _("division code"),
        max_length=12,
        null=True,
        blank=True,
        unique=True,
        help_text=_("Official division code (GB/T 2260, or the 12-digit statistical code)."),
    )
    resident_count = models.PositiveIntegerField(default=0, editable=False)
    household_count = models.PositiveIntegerField(default=0, editable=False)
    # When the registry of this grid last changed: testing rounds recompute their expected
    # figures for grids changed since they last counted.
    registry_changed_at = models.DateTimeField(null=True, editable=False)

    objects = AreaManager()

    class Meta:
        verbose_name = _("area")
        verbose_name_plural = _("areas")
        constraints = [
            # Sibling names are unique: the parent's path plus the name identifies a node.
            models.UniqueConstraint(
                Substr("path", 1, models.F("depth") * 4 - 4),
                "name",
                name="area_unique_name_per_parent",
            ),
        ]
        indexes = [models.Index(fields=["kind", "path"], name="area_kind_path")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_grid(self) -> bool:
        return self.kind in GRID_KINDS

    @property
    def level(self) -> int:
        return KIND_LEVEL[self.kind]

    def ancestors_and_self(self) -> list["Area"]:
        paths = [self.path[:i] for i in range(self.steplen, len(self.path) + 1, self.steplen)]
        return list(Area.objects.filter(path__in=paths).order_by("depth"))

    def subtree_totals(self) -> dict[str, int]:
        """Residents, households and grids in this subtree, in one query."""
        totals = Area.objects.within(self).aggregate(
            residents=Sum("resident_count"),
            households=Sum("household_count"),
            grids=models.Count("pk", filter=Q(kind__in=GRID_KINDS)),
        )
        return {key: value or 0 for key, value in totals.items()}


class AreaBoundary(models.Model):
    """Where an area lies on the ground: its outline, for the map.

    One per area, imported from GeoJSON (`wangge import_boundaries`, the boundaries page) or
    drawn by the demo. `geometry` is a GeoJSON Polygon or MultiPolygon in WGS84 longitude /
    latitude, valid (no self-intersection) and, within a small tolerance, inside its parent's
    outline: the importer refuses anything else. The bounding box is kept beside it so that
    the map frames an area without reading its outline, and `points` (the number of
    positions) says when an outline is worth simplifying before it is sent to a browser.
    """

    area = models.OneToOneField(
        Area, on_delete=models.CASCADE, related_name="boundary", verbose_name=_("area")
    )
    geometry = models.JSONField(_("outline"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    points = models.PositiveIntegerField(default=0)
    imported_at = models.DateTimeField(_("imported at"))
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("imported by"),
    )
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("area boundary")
        verbose_name_plural = _("area boundaries")

    def __str__(self) -> str:
        return f"{self.area_id}"

    @property
    def bbox(self) -> tuple[float, float, float, float]:
        """(west, south, east, north)."""
        return (self.min_lon, self.min_lat, self.max_lon, self.max_lat)
