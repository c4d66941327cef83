"""Checkpoints (卡口): places where every vehicle and every person in it is registered."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.areas.models import Area
from wangge.core.scoping import ScopedQuerySet


class CheckpointKind(models.TextChoices):
    ROAD = "road", _("Road")
    HIGHWAY_EXIT = "highway_exit", _("Highway exit")
    STATION = "station", _("Railway or bus station")
    COMPOUND_GATE = "compound_gate", _("Compound gate")
    OTHER = "other", _("Other")


class Checkpoint(models.Model):
    scope_path_lookup = "area__path"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="checkpoints", verbose_name=_("area")
    )
    name = models.CharField(pgettext_lazy("place", "name"), max_length=80)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CheckpointKind.choices, default=CheckpointKind.ROAD
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="checkpoint_unique_name")
        ]

    def __str__(self) -> str:
        return self.name
