from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class TaskKind(models.TextChoices):
    """What a worker is sent to do for the day (the seeds' morning briefing)."""

    SAMPLING = "sampling", pgettext_lazy("task kind", "Sampling")
    ORDER = "order", pgettext_lazy("task kind", "Order keeping")
    REGISTRATION = "registration", pgettext_lazy("task kind", "Registration")
    DOOR_TO_DOOR = "door_to_door", pgettext_lazy("task kind", "Door-to-door testing")
    PUBLICITY = "publicity", pgettext_lazy("task kind", "Publicity")
    DISINFECTION = "disinfection", pgettext_lazy("task kind", "Disinfection")
    PATROL = "patrol", pgettext_lazy("task kind", "Patrol")
    LOGISTICS = "logistics", pgettext_lazy("task kind", "Logistics")
    SERVICE_DELIVERY = "service_delivery", pgettext_lazy("task kind", "Service delivery")


class TaskStatus(models.TextChoices):
    """Where a task stands: assigned in the morning, checked in on site, closed by evening
    as done or not done (with a reason)."""

    ASSIGNED = "assigned", _("Assigned")
    CHECKED_IN = "checked_in", _("Checked in")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


OPEN_STATUSES = frozenset({TaskStatus.ASSIGNED, TaskStatus.CHECKED_IN})
CLOSED_STATUSES = frozenset({TaskStatus.DONE, TaskStatus.NOT_DONE})
