from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class UnitStatus(models.TextChoices):
    """Where a unit stands on a day, as the level above sees it."""

    CONFIRMED = "confirmed", _("Confirmed")
    CORRECTED = "corrected", _("Corrected")
    # The day is made and the deadline has not passed: the unit may still answer.
    WAITING = "waiting", pgettext_lazy("docking", "Not yet")
    # The day is made, the deadline has passed and the unit has not answered.
    LATE = "late", pgettext_lazy("docking", "Late")
    # No figures of the unit for the day: nothing to answer.
    NOT_MADE = "not_made", _("Figures not made")
