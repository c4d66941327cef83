from django.db import models
from django.utils.translation import gettext_lazy as _


class TaskKind(models.TextChoices):
    """What a worker is sent to do for the day (the seeds' morning briefing)."""

    SAMPLING = "sampling", _("Sampling")
    ORDER = "order", _("Order keeping")
    REGISTRATION = "registration", _("Registration")
    DOOR_TO_DOOR = "door_to_door", _("Door-to-door testing")
    PUBLICITY = "publicity", _("Publicity")
    DISINFECTION = "disinfection", _("Disinfection")
    PATROL = "patrol", _("Patrol")
    LOGISTICS = "logistics", _("Logistics")
    SERVICE_DELIVERY = "service_delivery", _("Service delivery")


class TaskStatus(models.TextChoices):
    """Where a task stands: assigned in the morning, checked in on site, closed by evening
    as done or not done (with a reason)."""

    ASSIGNED = "assigned", _("Assigned")
    CHECKED_IN = "checked_in", _("Checked in")
    DONE = "done", _("Done")
    NOT_DONE = "not_done", _("Not done")


OPEN_STATUSES = frozenset({TaskStatus.ASSIGNED, TaskStatus.CHECKED_IN})
CLOSED_STATUSES = frozenset({TaskStatus.DONE, TaskStatus.NOT_DONE})
