from enum import IntFlag

from django.db import models
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    UNKNOWN = "U", _("Unknown")


class ResidentStatus(models.TextChoices):
    PRESENT = "present", _("Present")
    AWAY = "away", _("Away")
    HOSPITALISED = "hospitalised", _("Hospitalised")
    MOVED_OUT = "moved_out", _("Moved out")
    DECEASED = "deceased", _("Deceased")


class Tag(IntFlag):
    """Stored tags of a resident (age tags such as 80+ and infant derive from the birth year)."""

    BEDRIDDEN = 1
    LIMITED_MOBILITY = 2
    FLOATING = 4
    PREGNANT = 8
    UNDER_TREATMENT = 16
    DISABLED = 32


TAG_LABELS = {
    Tag.BEDRIDDEN: _("Bedridden"),
    Tag.LIMITED_MOBILITY: _("Limited mobility"),
    Tag.FLOATING: _("Floating population"),
    Tag.PREGNANT: _("Pregnant"),
    Tag.UNDER_TREATMENT: _("Under treatment"),
    Tag.DISABLED: _("Disabled"),
}
# Residents with these tags are sampled at home (上门核酸).
HOME_VISIT_TAGS = Tag.BEDRIDDEN | Tag.LIMITED_MOBILITY
ELDERLY_AGE = 80
INFANT_AGE = 3


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("Being checked")
    FAILED = "failed", _("Could not be read")
    PENDING = "pending", _("Waiting for a decision")
    APPLIED = "applied", _("Imported")
    DISCARDED = "discarded", _("Discarded")
