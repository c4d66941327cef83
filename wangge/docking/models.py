"""A unit's answer on its day's figures (一天一对接).

The units are the streets (towns, townships) and communities (villages). Each answers once
a day, by the deadline (WANGGE_DOCKING_DEADLINE): it confirms the figures of the snapshot
it read, or corrects some of them, each correction with its reason. The snapshot itself is
never changed: a correction sits beside it, and the level above sees both.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.core.scoping import ScopedQuerySet
from wangge.snapshots.figures import FIGURE_BY_KEY
from wangge.snapshots.models import DaySnapshot

UNIT_KINDS = frozenset(
    {AreaKind.STREET, AreaKind.TOWN, AreaKind.TOWNSHIP, AreaKind.COMMUNITY, AreaKind.VILLAGE}
)


class Answer(models.TextChoices):
    CONFIRMED = "confirmed", _("Confirmed")
    CORRECTED = "corrected", _("Corrected")


class Docking(models.Model):
    """A unit's answer for a day: the version it read, what it says, who and when."""

    scope_path_lookup = "area__path"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("unit")
    )
    day = models.DateField(_("day"))
    snapshot = models.ForeignKey(
        DaySnapshot, on_delete=models.PROTECT, related_name="+", verbose_name=_("figures read")
    )
    answer = models.CharField(_("answer"), max_length=12, choices=Answer.choices)
    comment = models.TextField(_("comment"), blank=True)
    answered_at = models.DateTimeField(_("answered at"))
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("answered by"),
    )
    # Answered after the day's deadline.
    late = models.BooleanField(_("late"), default=False)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("docking")
        verbose_name_plural = _("dockings")
        constraints = [
            models.UniqueConstraint(fields=["area", "day"], name="docking_one_per_unit_day")
        ]
        indexes = [models.Index(fields=["day", "area"], name="docking_day_area")]

    def __str__(self) -> str:
        return f"{self.area_id} · {self.day} · {self.answer}"


class Correction(models.Model):
    """One figure a unit says is wrong: the snapshot's value, the right one, and why."""

    docking = models.ForeignKey(
        Docking, on_delete=models.CASCADE, related_name="corrections", verbose_name=_("docking")
    )
    figure = models.CharField(_("figure"), max_length=40)
    reported = models.IntegerField(_("as reported"))
    corrected = models.IntegerField(_("corrected to"))
    reason = models.CharField(_("reason"), max_length=200)

    class Meta:
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        constraints = [
            models.UniqueConstraint(fields=["docking", "figure"], name="correction_one_per_figure")
        ]

    def __str__(self) -> str:
        return f"{self.figure}: {self.reported} → {self.corrected}"

    @property
    def label(self) -> object:
        """The figure's label in the catalogue (its key if the catalogue no longer has it)."""
        figure = FIGURE_BY_KEY.get(self.figure)
        return figure.label if figure is not None else self.figure
