"""Key persons (重点人群): a person under a measure, from its start until release.

A key person is a resident of the registry when one matches (`resident`), else their own
name, document and phone, sealed like a resident's. `area` is the grid responsible for
them (the community's, when no grid is known)."""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.areas.models import Area
from wangge.core.personal_data import PersonalIdentity
from wangge.core.scoping import ScopedQuerySet
from wangge.keypersons.choices import (
    Category,
    KeyPersonSource,
    KeyPersonStatus,
    Measure,
    ScheduledResult,
)
from wangge.residents.models import Household, Resident


class KeyPerson(PersonalIdentity):
    scope_path_lookup = "area__path"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="key_persons", verbose_name=_("grid")
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_person_records",
        verbose_name=_("resident"),
    )
    # Where a home measure is served (a service request comes from it).
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="key_persons",
        verbose_name=_("household"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    address = models.CharField(_("address"), max_length=200, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=KeyPersonStatus.choices,
        default=KeyPersonStatus.UNDER_MEASURE,
    )
    started_on = models.DateField(_("start"))
    planned_end_on = models.DateField(_("planned end"))
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    source = models.CharField(
        _("source"), max_length=12, choices=KeyPersonSource.choices, default=KeyPersonSource.MANUAL
    )
    # One event places one person once (a checkpoint entry's person, a traced person, a
    # positive result): the retry of a source finds the key person it made.
    source_key = models.CharField(max_length=80, null=True, blank=True, unique=True)  # noqa: DJ001
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("entered by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # An open flag (a temperature at or above the fever line, symptoms to look at) holds
    # the release until someone who follows the person clears it with a note.
    flagged_at = models.DateTimeField(_("flagged"), null=True, blank=True)
    flag_reason = models.CharField(_("flag"), max_length=200, blank=True)
    released_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("released by"),
    )
    release_note = models.CharField(_("release note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("key person")
        verbose_name_plural = _("key persons")
        indexes = [
            models.Index(fields=["area", "status"], name="keyperson_area_status"),
            models.Index(
                fields=["resident"],
                condition=Q(status=KeyPersonStatus.UNDER_MEASURE),
                name="keyperson_resident_open",
            ),
        ]

    def __str__(self) -> str:
        return self.name


# A temperature outside these bounds is a typing slip (3.7, 73), refused, never stored.
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")
# At or above this a check flags the person (the guidance's fever line).
FEVER_AT = Decimal("37.3")


class MeasurePolicy(models.Model):
    """What a measure prescribes: how long it lasts, on which days a test is due (day 1 is
    the day the measure starts) and whether the grid checks health every day. Data with
    defaults (keypersons/defaults.py); people with MANAGE_CONTROL change it. A change
    applies to people placed afterwards: a placement copies the schedule into its own
    scheduled tests."""

    measure = models.CharField(_("measure"), max_length=20, choices=Measure.choices, unique=True)
    duration_days = models.PositiveSmallIntegerField(
        _("duration (days)"), validators=[MinValueValidator(1), MaxValueValidator(60)]
    )
    test_days = models.JSONField(_("test days"), default=list)
    daily_checks = models.BooleanField(_("daily health checks"), default=True)
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
        verbose_name = _("measure policy")
        verbose_name_plural = _("measure policies")
        ordering = ["measure"]

    def __str__(self) -> str:
        return str(self.get_measure_display())


class ScheduledTest(models.Model):
    """One test a key person's measure prescribes (day N of the measure, due on its date),
    and, once taken, when and where it was sampled and its result. Written at placement
    from the policy, so a later change of the policy leaves the people already placed as
    they were."""

    scope_path_lookup = "key_person__area__path"

    key_person = models.ForeignKey(
        KeyPerson, on_delete=models.CASCADE, related_name="tests", verbose_name=_("key person")
    )
    day = models.PositiveSmallIntegerField(_("day"))
    due_on = models.DateField(_("due"))
    sampled_at = models.DateTimeField(_("sampled"), null=True, blank=True)
    result = models.CharField(
        _("result"), max_length=10, choices=ScheduledResult.choices, blank=True
    )
    place = models.CharField(_("where"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheduled test")
        verbose_name_plural = _("scheduled tests")
        ordering = ["key_person", "day"]
        constraints = [
            models.UniqueConstraint(fields=["key_person", "day"], name="scheduled_test_day_once")
        ]
        indexes = [
            models.Index(
                fields=["due_on"],
                condition=Q(sampled_at__isnull=True),
                name="scheduled_test_untaken_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.key_person} · D{self.day}"

    def is_overdue(self, today: dt.date) -> bool:
        return self.sampled_at is None and self.due_on < today


class HealthCheck(models.Model):
    """A daily health check of a key person by the grid: temperature and symptoms, by whom
    and when. One at or above FEVER_AT flags the person."""

    scope_path_lookup = "key_person__area__path"

    key_person = models.ForeignKey(
        KeyPerson,
        on_delete=models.CASCADE,
        related_name="health_checks",
        verbose_name=_("key person"),
    )
    checked_on = models.DateField(_("day"))
    checked_at = models.DateTimeField(_("checked"))
    temperature = models.DecimalField(
        _("temperature (°C)"),
        max_digits=3,
        decimal_places=1,
        validators=[MinValueValidator(TEMPERATURE_MIN), MaxValueValidator(TEMPERATURE_MAX)],
    )
    symptoms = models.JSONField(_("symptoms"), default=list, blank=True)
    other_symptoms = models.CharField(_("other symptoms"), max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("health check")
        verbose_name_plural = _("health checks")
        constraints = [
            models.CheckConstraint(
                condition=Q(temperature__gte=TEMPERATURE_MIN, temperature__lte=TEMPERATURE_MAX),
                name="health_check_temperature_plausible",
            )
        ]
        indexes = [
            models.Index(fields=["key_person", "checked_on"], name="health_check_person_day")
        ]

    def __str__(self) -> str:
        return f"{self.key_person} · {self.checked_on} · {self.temperature}"

    @property
    def fever(self) -> bool:
        return self.temperature >= FEVER_AT
