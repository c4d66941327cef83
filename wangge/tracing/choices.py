from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.areas.choices import AreaKind

# Where people nobody could place in a grid wait for the staff to follow them.
COMMUNITY_KINDS = frozenset({AreaKind.COMMUNITY, AreaKind.VILLAGE})


class ListSource(models.TextChoices):
    """Where a list to trace came from."""

    ABOVE = "above", _("From above (imported)")
    GRID = "grid", _("Started by a grid")


class TracedStatus(models.TextChoices):
    """The feedback on one traced person (协查反馈)."""

    PENDING = "pending", _("Waiting for feedback")
    FOUND_PLACED = "found_placed", _("Found and placed under a measure")
    NOT_FOUND = "not_found", pgettext_lazy("traced person", "Not found")
    LEFT_AREA = "left_area", _("Left the area")
    ALREADY_CONTROLLED = "already_controlled", _("Already under control")


FEEDBACK_STATUSES = [choice for choice in TracedStatus if choice != TracedStatus.PENDING]
