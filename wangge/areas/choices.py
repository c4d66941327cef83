from django.db import models
from django.utils.translation import gettext_lazy as _


class AreaKind(models.TextChoices):
    CITY = "city", _("City")
    DISTRICT = "district", _("District / county")
    STREET = "street", _("Street")
    TOWN = "town", _("Town")
    TOWNSHIP = "township", _("Township")
    COMMUNITY = "community", _("Community")
    VILLAGE = "village", _("Village")
    GRID = "grid", _("Grid")
    COMPOUND = "compound", _("Compound")
    VILLAGE_GROUP = "village_group", _("Village group")
    BUILDING = "building", _("Building")


# The level of each kind in the tree: a child sits exactly one level below its parent.
KIND_LEVEL: dict[str, int] = {
    AreaKind.CITY: 0,
    AreaKind.DISTRICT: 1,
    AreaKind.STREET: 2,
    AreaKind.TOWN: 2,
    AreaKind.TOWNSHIP: 2,
    AreaKind.COMMUNITY: 3,
    AreaKind.VILLAGE: 3,
    AreaKind.GRID: 4,
    AreaKind.COMPOUND: 4,
    AreaKind.VILLAGE_GROUP: 4,
    AreaKind.BUILDING: 5,
}
GRID_KINDS = frozenset({AreaKind.GRID, AreaKind.COMPOUND, AreaKind.VILLAGE_GROUP})


class ImportOutcome(models.TextChoices):
    """What importing a row of an area-tree sheet does (or would do)."""

    CREATE = "create", _("New area")
    RENAME = "rename", _("Renamed")
    SET_CODE = "set_code", _("Code added")
    UNCHANGED = "unchanged", _("Unchanged")
    ERROR = "error", _("Error")


class BoundaryOutcome(models.TextChoices):
    """What importing a feature of a GeoJSON file of outlines does (or would do)."""

    NEW = "new", _("New outline")
    REPLACE = "replace", _("Outline replaced")
    ERROR = "error", _("Error")
