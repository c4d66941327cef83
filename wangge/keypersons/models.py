"""Key persons (重点人群): a person under a measure, from its start until release.

A key person is a resident of the registry when one matches (`resident`), else their own
name, document and phone, sealed like a resident's. `area` is the grid responsible for
them (the community's, when no grid is known)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.areas.models import Area
from wangge.core.personal_data import PersonalIdentity
from wangge.core.scoping import ScopedQuerySet
from wangge.keypersons.choices import Category, KeyPersonSource, KeyPersonStatus, Measure
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
