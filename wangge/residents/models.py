"""The household register (户口底册): households in grids, and the residents in them."""

import datetime as dt
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.areas.models import Area
from wangge.core.personal_data import PersonalIdentity
from wangge.core.scoping import ScopedQuerySet
from wangge.lib.natural import SORT_KEY_LENGTH, natural_sort_key
from wangge.residents.choices import (
    ELDERLY_AGE,
    HOME_VISIT_TAGS,
    INFANT_AGE,
    TAG_LABELS,
    ImportStatus,
    ResidentStatus,
    Sex,
    Tag,
)

# Crockford's base32 without I, L, O, U: unambiguous on paper and to a scanner.
_CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RESIDENT_CODE_LENGTH = 10
# Each random byte's low five bits as a letter: 256 is a multiple of 32, so every letter
# is equally likely.
_CODE_LETTERS = bytes(ord(_CODE_ALPHABET[i & 31]) for i in range(256))


def new_resident_code() -> str:
    """An opaque code for the printed register: random, never derived from the ID number.

    Ten characters of a 32-letter alphabet are 50 random bits, one letter per byte of the
    operating system's generator, mapped by `bytes.translate` (an import makes 100,000).
    """
    return secrets.token_bytes(RESIDENT_CODE_LENGTH).translate(_CODE_LETTERS).decode()


class Household(models.Model):
    """An address inside one grid; every household belongs to exactly one grid."""

    scope_path_lookup = "grid__path"

    grid = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="households", verbose_name=_("grid")
    )
    building = models.CharField(_("building"), max_length=40, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    room = models.CharField(_("room"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    # Building, unit and room in the order people read them (1-1-101 before 1-1-1001),
    # for lists that page in SQL; kept by save() and by every bulk writer.
    sort_key = models.CharField(max_length=SORT_KEY_LENGTH, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "building", "unit", "room"], name="household_unique_address"
            )
        ]
        indexes = [models.Index(fields=["grid", "sort_key"], name="household_grid_order")]

    def __str__(self) -> str:
        return self.label

    def save(self, *args: Any, **kwargs: Any) -> None:
        self.sort_key = natural_sort_key(self.building, self.unit, self.room)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "sort_key"}
        super().save(*args, **kwargs)

    @property
    def label(self) -> str:
        return household_label(self.building, self.unit, self.room, self.address, self.pk)


def household_label(
    building: str | None, unit: str | None, room: str | None, address: str | None, pk: object
) -> str:
    """How a household is named in lists: building-unit-room, else its address."""
    return "-".join(part for part in (building, unit, room) if part) or address or str(pk)


class ResidentQuerySet(ScopedQuerySet):
    def expected_for_testing(self) -> "ResidentQuerySet":
        return self.filter(status=ResidentStatus.PRESENT)

    def needing_home_visit(self) -> "ResidentQuerySet":
        flagged: ResidentQuerySet = self.annotate(
            home=models.F("tags").bitand(int(HOME_VISIT_TAGS))
        ).filter(home__gt=0)
        return flagged


class Resident(PersonalIdentity):
    """One person in the registry, in one household. ID type + number identify them.

    `grid` repeats the household's grid so that scoping and the per-grid figures of a
    round need no join through households; the residents' actions keep it equal.
    """

    scope_path_lookup = "grid__path"

    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="members", verbose_name=_("household")
    )
    # Every index is paid for on each of an import's 100,000 inserts, and the keyed hashes
    # land on random pages: no index twice. (grid, status) below serves lookups by grid;
    # the unique constraints index the ID number and the code; on PostgreSQL a field-level
    # index or unique=True would add a second "_like" index that nothing queries.
    grid = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("grid"), db_index=False
    )
    id_number_index = models.CharField(max_length=48, null=True, editable=False)  # noqa: DJ001
    phone_index = models.CharField(max_length=48, null=True, editable=False)  # noqa: DJ001
    code = models.CharField(
        _("resident code"), max_length=RESIDENT_CODE_LENGTH, default=new_resident_code
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices, default=Sex.UNKNOWN)
    # Only the year, and not in the first days of the year the record was written
    # (lib.idnumbers.disclosable_birth_year): the full date is inside the encrypted ID
    # number, and beside the sex a full date would narrow the number to a few hundred.
    birth_year = models.PositiveSmallIntegerField(_("birth year"), null=True, blank=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=ResidentStatus.choices, default=ResidentStatus.PRESENT
    )
    tags = models.PositiveIntegerField(_("tags"), default=0)
    relation = models.CharField(_("relation to head"), max_length=20, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ResidentQuerySet.as_manager()

    class Meta:
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            models.UniqueConstraint(
                fields=["id_number_index"],
                condition=Q(id_number_index__isnull=False),
                name="resident_unique_id_number",
            ),
            models.UniqueConstraint(fields=["code"], name="resident_unique_code"),
        ]
        indexes = [
            models.Index(fields=["grid", "status"], name="resident_grid_status"),
            models.Index(fields=["name"], name="resident_name"),
            models.Index(fields=["phone_index"], name="resident_phone_index"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def written_on(self) -> dt.date:
        """The day this record was first written (today for a new one): a birth is not
        after it, which is what `disclosable_birth_year` reckons with."""
        return timezone.localdate(self.created_at) if self.created_at else timezone.localdate()

    def age(self, on: dt.date | None = None) -> int | None:
        """Age in years as this year minus the birth year: the birthday itself is not known."""
        if self.birth_year is None:
            return None
        return (on or timezone.localdate()).year - self.birth_year

    def tag_labels(self) -> list[Any]:
        labels: list[Any] = [label for tag, label in TAG_LABELS.items() if self.tags & tag]
        age = self.age()
        if age is not None and age >= ELDERLY_AGE:
            labels.insert(0, _("80+"))
        if age is not None and age < INFANT_AGE:
            labels.insert(0, _("Infant"))
        return labels

    @property
    def needs_home_visit(self) -> bool:
        return bool(Tag(self.tags) & HOME_VISIT_TAGS)


class ImportBatchQuerySet(ScopedQuerySet):
    def of_uploader(self, user: Any) -> "ImportBatchQuerySet":
        """A batch is its uploader's alone: nobody else sees a register they did not upload."""
        mine: ImportBatchQuerySet = self.filter(uploaded_by=user)
        return mine


class ImportBatch(models.Model):
    """An uploaded household register between the check and the uploader's decision.

    The file holds plain ID numbers, so it is never kept as it came: the original and the
    checked rows are stored encrypted under WANGGE_IMPORT_DIR with the random
    `storage_key` as their name, and deleted when the batch is applied or discarded. The
    batch itself keeps only counts and the first errors (row, column, reason: nothing
    personal), for the report page.
    """

    scope_path_lookup = "area__path"

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    file_name = models.CharField(_("file"), max_length=200, blank=True)
    storage_key = models.CharField(max_length=64, unique=True, editable=False)
    sheet_name = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=0)
    columns = models.JSONField(_("columns"), default=dict)
    ignored_columns = models.JSONField(_("ignored columns"), default=list)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_skipped = models.PositiveIntegerField(_("blank and total rows"), default=0)
    rows_valid = models.PositiveIntegerField(_("valid rows"), default=0)
    rows_new = models.PositiveIntegerField(_("new residents"), default=0)
    rows_updated = models.PositiveIntegerField(_("updated residents"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("unchanged residents"), default=0)
    rows_error = models.PositiveIntegerField(_("rows with errors"), default=0)
    first_errors = models.JSONField(_("first errors"), default=list)
    # What the check says once about the whole sheet, [code, params] each; a grid name that
    # differs from the chosen grid's must be confirmed before the rows are imported.
    notices = models.JSONField(_("notices"), default=list)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    decided_at = models.DateTimeField(_("decided"), null=True, blank=True)
    # A large register is checked by the background worker (status "checking"): the stage
    # it is at and how far, for the page's progress bar; why it failed, [code, params].
    stage = models.CharField(max_length=20, blank=True, editable=False)
    progress_done = models.PositiveIntegerField(default=0, editable=False)
    progress_total = models.PositiveIntegerField(null=True, blank=True, editable=False)
    failure = models.JSONField(default=list, blank=True, editable=False)

    objects = ImportBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("register import")
        verbose_name_plural = _("register imports")
        indexes = [models.Index(fields=["uploaded_by", "status"], name="import_uploader_status")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_status_display()})"

    @property
    def is_pending(self) -> bool:
        return self.status == ImportStatus.PENDING

    @property
    def is_checking(self) -> bool:
        return self.status == ImportStatus.CHECKING

    @property
    def progress_percent(self) -> int | None:
        if not self.progress_total:
            return None
        return min(100, 100 * self.progress_done // self.progress_total)

    @property
    def needs_grid_confirmation(self) -> bool:
        return any(code == "grid_name_differs" for code, _params in self.notices)
