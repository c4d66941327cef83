from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class PostKind(models.TextChoices):
    """Where people stand guard (值守): a compound's gate, a sampling point, a checkpoint."""

    GATE = "gate", _("Compound gate")
    SAMPLING_POINT = "sampling_point", _("Sampling point")
    CHECKPOINT = "checkpoint", pgettext_lazy("post kind", "Checkpoint")
    OTHER = "other", pgettext_lazy("post kind", "Other")


class ScheduledKind(models.TextChoices):
    """What a scheduled task at a fixed place does (定时定点消杀, 巡查)."""

    DISINFECTION = "disinfection", pgettext_lazy("scheduled task", "Disinfection")
    PATROL = "patrol", pgettext_lazy("scheduled task", "Patrol")
    OTHER = "other", pgettext_lazy("scheduled task", "Other")


class PostStatus(models.TextChoices):
    """A post right now: someone checked in, someone due and late, or nobody at all."""

    MANNED = "manned", _("Manned")
    LATE = "late", _("Late")
    UNMANNED = "unmanned", _("Unmanned")
    INACTIVE = "inactive", _("Inactive")
