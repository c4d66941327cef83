from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Direction(models.TextChoices):
    IN = "in", pgettext_lazy("checkpoint direction", "In")
    OUT = "out", pgettext_lazy("checkpoint direction", "Out")


class VehicleKind(models.TextChoices):
    CAR = "car", _("Car")
    TRUCK = "truck", _("Truck")
    BUS = "bus", _("Bus")
    VAN = "van", _("Van")
    MOTORCYCLE = "motorcycle", _("Motorcycle")
    OTHER = "other", _("Other vehicle")
    ON_FOOT = "on_foot", _("On foot")


class HealthCode(models.TextChoices):
    """The colour of a person's health code (健康码)."""

    GREEN = "green", _("Green")
    YELLOW = "yellow", _("Yellow")
    RED = "red", _("Red")
    NONE = "none", _("No code shown")


class PassengerAction(models.TextChoices):
    """What the checkpoint did with a person."""

    PASSED = "passed", _("Passed")
    TESTED = "tested", _("Tested on site")
    QUARANTINE = "quarantine", _("Sent to quarantine")
    TURNED_BACK = "turned_back", _("Turned back")
