"""An area's risk level is a history of settings: the current one has no end. Areas with
no setting of their own inherit (wangge/risk/selectors.py)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.core.scoping import ScopedQuerySet
from wangge.risk.choices import RiskLevel


class AreaRiskLevel(models.Model):
    """One setting of an area's level, by whom, when and why. Setting a new level ends the
    current one (`ended_at`); rows are never deleted, so the history stays whole."""

    scope_path_lookup = "area__path"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="risk_levels", verbose_name=_("area")
    )
    level = models.CharField(_("risk level"), max_length=12, choices=RiskLevel.choices)
    reason = models.CharField(_("reason"), max_length=200)
    set_at = models.DateTimeField(_("since"))
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("set by"),
    )
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("risk level")
        verbose_name_plural = _("risk levels")
        constraints = [
            models.UniqueConstraint(
                fields=["area"], condition=Q(ended_at__isnull=True), name="risk_one_current"
            )
        ]
        indexes = [models.Index(fields=["area", "set_at"], name="risk_area_set_at")]

    def __str__(self) -> str:
        return f"{self.area_id} · {self.level}"


class RiskPolicy(models.Model):
    """What a level means in practice (2022 guidance): the pool size a new round uses in
    its areas, whether their homes are sampled door to door, and when a downgrade is
    suggested. One row per level; data (defaults in wangge/risk/defaults.py), changed on
    the policies page by those who set levels."""

    level = models.CharField(_("risk level"), max_length=12, choices=RiskLevel.choices, unique=True)
    # None: the round's own pool size.
    pool_size = models.PositiveSmallIntegerField(
        _("pool size"),
        null=True,
        blank=True,
        help_text=_("Empty: the round's own pool size."),
    )
    door_to_door = models.BooleanField(_("door-to-door sampling"), default=False)
    # A downgrade is suggested after this many days without a new positive in the area
    # and below it, and this many closed rounds since with no positive; None: never.
    downgrade_after_days = models.PositiveSmallIntegerField(
        _("days without a new positive"), null=True, blank=True
    )
    downgrade_after_rounds = models.PositiveSmallIntegerField(_("negative rounds"), default=0)
    updated_at = models.DateTimeField(_("changed"), null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    class Meta:
        verbose_name = _("risk policy")
        verbose_name_plural = _("risk policies")

    def __str__(self) -> str:
        return self.level
