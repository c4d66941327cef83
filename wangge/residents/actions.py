"""State changes of the registry. Atomic, audited; views, commands and importers call these.

`ResidentData.clean` is the one validator of a person's details: the forms, the register
import and the demo all go through it. The register import's reading and checking lives
in `importing`; applying or discarding an uploaded register are actions here.
"""

import datetime as dt
import operator
import os
import re
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Count, Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.audit.models import AuditEntry
from wangge.core import bulk
from wangge.core.permissions import Perm
from wangge.core.personal_data import id_number_lookups, seal_id_number, seal_phone
from wangge.core.scoping import require_in_scope
from wangge.lib import idnumbers, phones, spreadsheets
from wangge.lib.idnumbers import IdType
from wangge.lib.natural import natural_sort_key
from wangge.residents import importing, selectors, vocabulary
from wangge.residents.choices import ImportStatus, ResidentStatus, Sex, Tag
from wangge.residents.errors import RegistryError
from wangge.residents.models import (
    Household,
    ImportBatch,
    Resident,
    ResidentQuerySet,
    new_resident_code,
)

__all__ = [
    "GONE",
    "clean_text",
    "RegistryError",
    "ResidentData",
    "apply_import",
    "begin_import",
    "call_resident",
    "check_import",
    "create_household",
    "discard_import",
    "find_residents",
    "get_or_create_household",
    "move_resident",
    "recheck_import",
    "refresh_area_counts",
    "register_resident",
    "reveal_identity",
    "stage_import",
    "update_resident",
]

# Residents no longer living in a grid are kept in the register but not counted in it.
GONE = (ResidentStatus.MOVED_OUT, ResidentStatus.DECEASED)

_ID_ERRORS = {
    "excel_number": "id_excel_number",
    "unexpected_number": "id_unexpected",
    "missing": "id_missing",
    "old_format": "id_old_format",
    "length": "id_length",
    "characters": "id_characters",
    "birth_date": "id_birth_date",
    "checksum": "id_checksum",
    "checksum_zeros": "id_checksum_zeros",
    "format": "id_format",
}


# Line breaks and tabs (a note typed with Alt+Enter in Excel) become spaces; any other
# control character (NUL cannot even be stored by PostgreSQL) is refused.
_LAYOUT = re.compile(r"[\t\n\r\v\f]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_text(value: object, field_name: str, limit: int | None = None) -> str:
    """A text cell or field as stored: normalised, line breaks as spaces, no control
    characters (RegistryError naming `field_name`), cut to `limit`."""
    if value is None:
        return ""
    text = idnumbers.normalise_text(spreadsheets.as_text(value))  # type: ignore[arg-type]
    if _CONTROL.search(text):
        text = _LAYOUT.sub(" ", text)
        if _CONTROL.search(text):
            raise RegistryError("control_characters", field=field_name)
    return text[:limit] if limit is not None else text


_ALL_TAGS = sum(int(tag) for tag in Tag)


def _tags(value: object) -> int:
    """Stored tags as a set of Tag flags; anything else is refused (never a 500)."""
    if value is None or value == "":
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        tags = value
    elif isinstance(value, str) and value.strip().isdigit():
        tags = int(value)
    else:
        raise RegistryError("tags_invalid", field="tags")
    if tags < 0 or tags & ~_ALL_TAGS:
        raise RegistryError("tags_invalid", field="tags")
    return tags


@dataclass(slots=True)
class ResidentData:
    """A person's details as validated input: canonical ID number and phone, derived facts.

    Slotted: an import holds 100,000 of them, and fewer objects means less work for the
    garbage collector.
    """

    name: str
    id_type: str = IdType.RESIDENT_CARD
    # Personal data stays out of reprs, so a traceback or a log line cannot carry it.
    id_number: str = field(default="", repr=False)
    sex: str = Sex.UNKNOWN
    # The full date is read to check it and to derive the year; only the year is stored.
    birth_date: dt.date | None = field(default=None, repr=False)
    phone: str = field(default="", repr=False)
    ethnicity: str = ""
    status: str = ResidentStatus.PRESENT
    tags: int = 0
    relation: str = ""
    note: str = ""
    # A stored birth year to keep when no birth date is given (an edit that leaves it).
    kept_birth_year: int | None = None

    def birth_year_as_of(self, written_on: dt.date) -> int | None:
        """The birth year to store for a record first written on `written_on`."""
        if self.birth_date is not None:
            return idnumbers.disclosable_birth_year(self.birth_date, written_on)
        return self.kept_birth_year

    @classmethod
    def clean(cls, **raw: object) -> "ResidentData":
        """Validate and normalise; raise RegistryError with the first problem found.

        Accepts what forms and sheets give: 男/女 or M/F, 在住/外出 … or status codes,
        居民身份证/护照/无 … or ID type codes, dates as dates or text. An ID number given
        as a number (an Excel cell that lost digits) is refused, never stored. With no ID
        type, a number means a resident ID card and no number with a birth date means a
        person without a document (a newborn). `kept_birth_year` (the stored year, from an
        edit form) stands when neither a birth date nor a resident card gives one.
        """
        name = clean_text(raw.get("name"), "name")
        if not name:
            raise RegistryError("name_missing", field="name")
        if len(name) > 60:
            raise RegistryError("name_too_long", field="name")
        id_value = raw.get("id_number")
        if isinstance(id_value, int | float) and not isinstance(id_value, bool):
            raise RegistryError("id_excel_number", field="id_number")
        id_text = "" if id_value is None else str(id_value)
        id_type = vocabulary.id_type_code(str(raw.get("id_type") or ""))
        if id_type is None:
            raise RegistryError("id_type_unknown", field="id_type")
        try:
            birth_date = spreadsheets.as_date(raw.get("birth_date"))  # type: ignore[arg-type]
        except ValueError as exc:
            raise RegistryError("birth_date_invalid", field="birth_date") from exc
        if not id_type:
            if idnumbers.normalise(id_text):
                id_type = IdType.RESIDENT_CARD
            elif birth_date is not None:
                id_type = IdType.NONE
            else:
                raise RegistryError("id_missing", field="id_number")
        number = _valid_id_number(id_type, id_text)
        try:
            phone = phones.validate(clean_text(raw.get("phone"), "phone"))
        except phones.PhoneError as exc:
            raise RegistryError("phone_invalid", field="phone") from exc
        sex = vocabulary.sex_code(str(raw.get("sex") or ""))
        if sex is None:
            raise RegistryError("sex_unknown", field="sex")
        status = vocabulary.status_code(str(raw.get("status") or ""))
        if status is None:
            raise RegistryError("status_unknown", field="status")
        if id_type == IdType.RESIDENT_CARD:
            card_sex, card_birth = _card_facts(number)
            if sex not in (Sex.UNKNOWN, card_sex):
                raise RegistryError("sex_mismatch", field="sex")
            if birth_date not in (None, card_birth):
                raise RegistryError("birth_date_mismatch", field="birth_date")
            sex, birth_date = card_sex, card_birth
        elif birth_date is not None and birth_date > timezone.localdate():
            raise RegistryError("birth_date_future", field="birth_date")
        kept_year = raw.get("kept_birth_year")
        return cls(
            name=name,
            id_type=id_type,
            id_number=number,
            sex=sex,
            birth_date=birth_date,
            phone=phone,
            ethnicity=clean_text(raw.get("ethnicity"), "ethnicity", 20),
            status=status,
            tags=_tags(raw.get("tags")),
            relation=clean_text(raw.get("relation"), "relation", 20),
            note=clean_text(raw.get("note"), "note", 200),
            kept_birth_year=kept_year if isinstance(kept_year, int) else None,
        )

    def apply_to(self, resident: Resident) -> None:
        resident.name = self.name
        resident.set_id_number(self.id_type, self.id_number)
        resident.set_phone(self.phone)
        resident.sex = self.sex
        resident.birth_year = self.birth_year_as_of(resident.written_on)
        resident.ethnicity = self.ethnicity
        resident.status = self.status
        resident.tags = self.tags
        resident.relation = self.relation
        resident.note = self.note


def _card_facts(number: str) -> tuple[str, dt.date]:
    """Sex and birth date as a validated 18-digit number states them.

    The same facts as `idnumbers.resident_card_facts`, read straight from the digits: the
    number is already validated, and an import reads 100,000 of them.
    """
    born = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    return (Sex.MALE if int(number[16]) % 2 else Sex.FEMALE), born


def _valid_id_number(id_type: str, text: str) -> str:
    try:
        return idnumbers.validate(IdType(id_type), text)
    except idnumbers.IdNumberError as exc:
        raise RegistryError(_ID_ERRORS.get(exc.code, "id_format"), field="id_number") from exc


# A building written 1号楼 / 1栋 / 1幢 is building 1; 2单元 is unit 2; 301室 is room 301.
_BUILDING_SUFFIX = re.compile(r"(号楼|号|栋|幢|楼)$")
_UNIT_SUFFIX = re.compile(r"单元$")
_ROOM_SUFFIX = re.compile(r"(室|号)$")


def household_key(
    building: object = "", unit: object = "", room: object = "", address: object = ""
) -> tuple[str, str, str]:
    """The (building, unit, room) that identify a household within its grid.

    Suffixes people add are dropped so that 1号楼 and 1栋 are one building. With no
    building, unit or room the address stands for the house (a village house number).
    """
    b = _BUILDING_SUFFIX.sub("", clean_text(building, "building"))[:40]
    u = _UNIT_SUFFIX.sub("", clean_text(unit, "unit"))[:20]
    r = _ROOM_SUFFIX.sub("", clean_text(room, "room"))[:40]
    if not (b or u or r):
        r = clean_text(address, "address")[:40]
    return b, u, r


def get_or_create_household(
    grid: Area, *, building: str = "", unit: str = "", room: str = "", address: str = ""
) -> Household:
    """The household at this address in this grid, created if new (no audit: an address)."""
    if not grid.is_grid:
        raise RegistryError("not_a_grid", field="grid")
    building, unit, room = household_key(building, unit, room, address)
    household, _created = Household.objects.get_or_create(
        grid=grid, building=building, unit=unit, room=room, defaults={"address": address[:200]}
    )
    return household


@transaction.atomic
def create_household(
    grid: Area,
    *,
    building: str = "",
    unit: str = "",
    room: str = "",
    address: str = "",
    acting_user: "User | Actor | None",
) -> Household:
    """A new household (an address) in a grid, as a worker registers a new home."""
    require_in_scope(log.scope_holder(acting_user), Perm.EDIT_REGISTRY, [grid])
    if not grid.is_grid:
        raise RegistryError("not_a_grid", field="grid")
    key = household_key(building, unit, room, address)
    if not any(key):
        raise RegistryError("household_missing", field="room")
    if Household.objects.filter(grid=grid, building=key[0], unit=key[1], room=key[2]).exists():
        raise RegistryError("household_exists", field="room")
    household = Household.objects.create(
        grid=grid,
        building=key[0],
        unit=key[1],
        room=key[2],
        address=clean_text(address, "address", 200),
    )
    log.record(acting_user, AuditEvent.HOUSEHOLD_CREATE, obj=household, area_path=grid.path)
    return household


def refresh_area_counts(grid_ids: Iterable[int]) -> None:
    """Recompute the own counts of these grids (the tree's rolled-up figures read them)."""
    ids = sorted(set(grid_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        residents = dict(
            Resident.objects.filter(grid_id__in=chunk)
            .exclude(status__in=GONE)
            .order_by()
            .values("grid_id")
            .annotate(n=Count("pk"))
            .values_list("grid_id", "n")
        )
        households = dict(
            Household.objects.filter(grid_id__in=chunk)
            .order_by()
            .values("grid_id")
            .annotate(n=Count("pk", filter=Q(members__isnull=False), distinct=True))
            .values_list("grid_id", "n")
        )
        # registry_changed_at tells open testing rounds to recount these grids.
        now = timezone.now()
        for grid_id in chunk:
            Area.objects.filter(pk=grid_id).update(
                resident_count=residents.get(grid_id, 0),
                household_count=households.get(grid_id, 0),
                registry_changed_at=now,
            )


def find_by_id_number(id_type: str, number: str) -> Resident | None:
    return Resident.objects.filter(id_number_index__in=id_number_lookups(id_type, number)).first()


@transaction.atomic
def register_resident(
    household: Household, data: ResidentData, *, acting_user: "User | Actor | None"
) -> Resident:
    """Add a person to a household. One person is one resident: a known ID is refused."""
    require_in_scope(log.scope_holder(acting_user), Perm.EDIT_REGISTRY, [household.grid])
    if data.id_number and find_by_id_number(data.id_type, data.id_number) is not None:
        raise RegistryError("already_registered", field="id_number")
    resident = Resident(household=household, grid_id=household.grid_id)
    data.apply_to(resident)
    resident.save()
    refresh_area_counts([household.grid_id])
    log.record(acting_user, AuditEvent.RESIDENT_CREATE, obj=resident, area_path=household.grid.path)
    return resident


_TRACKED = ("name", "sex", "birth_year", "ethnicity", "status", "tags", "relation", "note")


@transaction.atomic
def update_resident(
    resident: Resident, data: ResidentData, *, acting_user: "User | Actor | None"
) -> Resident:
    """Change a person's details; their ID may not collide with another resident's.

    The audit entry names the fields that changed (never the ID number or phone).
    """
    require_in_scope(log.scope_holder(acting_user), Perm.EDIT_REGISTRY, [resident.grid])
    if data.id_number:
        other = find_by_id_number(data.id_type, data.id_number)
        if other is not None and other.pk != resident.pk:
            raise RegistryError("already_registered", field="id_number")
    before = {name: getattr(resident, name) for name in _TRACKED}
    old_id_index, old_phone_index = resident.id_number_index, resident.phone_index
    old_status = resident.status
    data.apply_to(resident)
    resident.save()
    changed = [name for name in _TRACKED if getattr(resident, name) != before[name]]
    if resident.id_number_index != old_id_index:
        changed.append("id_number")
    if resident.phone_index != old_phone_index:
        changed.append("phone")
    refresh_area_counts([resident.grid_id])
    log.record(
        acting_user,
        AuditEvent.RESIDENT_UPDATE,
        obj=resident,
        area_path=resident.grid.path,
        details={
            "changed": changed,
            "before": {"status": old_status, "name": before["name"]},
            "after": {"status": resident.status, "name": resident.name},
        },
    )
    return resident


@transaction.atomic
def move_resident(
    resident: Resident, household: Household, *, acting_user: "User | Actor | None"
) -> Resident:
    """Move a person to another household (perhaps in another grid): the actor keeps the
    registers of both."""
    require_in_scope(
        log.scope_holder(acting_user), Perm.EDIT_REGISTRY, [resident.grid, household.grid]
    )
    old_grid = resident.grid_id
    resident.household = household
    resident.grid_id = household.grid_id
    resident.save(update_fields=["household", "grid", "updated_at"])
    refresh_area_counts([old_grid, household.grid_id])
    log.record(
        acting_user,
        AuditEvent.RESIDENT_MOVE,
        obj=resident,
        area_path=household.grid.path,
        details={"from_grid": old_grid, "to_grid": household.grid_id},
    )
    return resident


def find_residents(user: User, query: str, *, acting_user: "User | Actor") -> ResidentQuerySet:
    """The residents a search box query finds in the user's scope.

    A search by ID number or phone tells whether that number is someone's here, so it is
    audited like a reveal: who searched and which kind of lookup, never the number. That
    makes trying the candidates of someone's number through the search box visible.
    """
    terms = selectors.search_terms(query)
    if terms is not None and terms.lookups:
        paths = user.scope_paths(Perm.VIEW_REGISTRY) or [""]
        common = os.path.commonprefix(paths)
        log.record(
            acting_user,
            AuditEvent.RESIDENT_SEARCH,
            area_path=common[: len(common) - len(common) % Area.steplen],
            details={"lookups": [str(lookup) for lookup in terms.lookups]},
        )
    return selectors.residents_matching(user, terms)


def reveal_identity(resident: Resident, field_name: str, *, acting_user: "User | Actor") -> str:
    """One person's full ID number or phone, for someone allowed to see it; always audited."""
    require_in_scope(log.scope_holder(acting_user), Perm.REVEAL_PERSONAL, [resident.grid])
    value = resident.reveal_id_number() if field_name == "id_number" else resident.reveal_phone()
    log.record(
        acting_user,
        AuditEvent.RESIDENT_REVEAL,
        obj=resident,
        area_path=resident.grid.path,
        details={"field": field_name},
    )
    return value


# A person at work calls one resident after another, a minute or more each; many more
# calls than this in the window is someone collecting numbers through the call button.
CALLS_PER_WINDOW = 30
CALL_WINDOW = dt.timedelta(minutes=10)


@transaction.atomic
def call_resident(resident: Resident, *, acting_user: "User | Actor") -> str:
    """The number to dial for a resident, for someone who contacts the residents of their
    grid: audited as a call (who called whom, never the number) and limited per person, so
    that the call button never becomes a way to read numbers in bulk."""
    require_in_scope(log.scope_holder(acting_user), Perm.CONTACT_RESIDENTS, [resident.grid])
    number = resident.reveal_phone()
    if not number:
        raise RegistryError("no_phone")
    caller = acting_user.user if isinstance(acting_user, Actor) else acting_user
    recent = AuditEntry.objects.filter(
        actor=caller, action=AuditEvent.RESIDENT_CALL, at__gte=timezone.now() - CALL_WINDOW
    ).count()
    if recent >= CALLS_PER_WINDOW:
        raise RegistryError("call_limit")
    log.record(acting_user, AuditEvent.RESIDENT_CALL, obj=resident, area_path=resident.grid.path)
    return number


# ---------------------------------------------------------------------------------------
# The register import: upload → report → apply the valid rows, or nothing.


def stage_import(
    data: bytes,
    file_name: str,
    area: Area,
    *,
    acting_user: User,
    progress: "importing.Progress | None" = None,
) -> ImportBatch:
    """Check an uploaded register and keep it, encrypted, until the uploader decides.

    Nothing in the registry changes (so nothing is audited yet); the batch holds the
    counts and the first errors, and only its uploader can see it.
    """
    require_in_scope(acting_user, Perm.IMPORT_REGISTRY, [area])
    analysis = importing.analyse(data, file_name, area, progress=progress)
    importing.enter_stage(progress, "store")
    key = importing.new_storage_key()
    importing.store_source(key, data)
    importing.store_plan(key, analysis)
    try:
        return ImportBatch.objects.create(
            uploaded_by=acting_user,
            area=area,
            file_name=file_name[:200],
            storage_key=key,
            **importing.batch_fields(analysis),
        )
    except Exception:
        importing.delete_files(key)
        raise


def begin_import(data: bytes, file_name: str, area: Area, *, acting_user: User) -> ImportBatch:
    """Keep an uploaded register, encrypted, and have the background worker check it
    (`tasks.check_import`): a large register takes longer than a web request may.

    The batch is "checking" until then; its page follows the worker's progress.
    """
    from wangge.residents import tasks

    require_in_scope(acting_user, Perm.IMPORT_REGISTRY, [area])
    key = importing.new_storage_key()
    importing.store_source(key, data)
    try:
        with transaction.atomic():
            batch = ImportBatch.objects.create(
                uploaded_by=acting_user,
                area=area,
                file_name=file_name[:200],
                storage_key=key,
                status=ImportStatus.CHECKING,
                stage="read",
            )
            tasks.check_import.enqueue(batch.pk)  # the queue is in this database: atomic
    except Exception:
        importing.delete_files(key)
        raise
    return batch


class _BatchProgress:
    """The check's progress written to its batch, at most about once a second (the page
    polls it); the stage at once."""

    def __init__(self, batch_id: int) -> None:
        self.batch_id = batch_id
        self.done = 0
        self.total: int | None = None
        self.stage_name = "read"
        self._written = 0.0

    def stage(self, name: str, total: int | None = None) -> None:
        self.stage_name, self.done, self.total = name, 0, total
        self._write()

    def __call__(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self.total = total
        self.done += done
        if time.monotonic() - self._written >= 1.0:
            self._write()

    def _write(self) -> None:
        self._written = time.monotonic()
        ImportBatch.objects.filter(pk=self.batch_id, status=ImportStatus.CHECKING).update(
            stage=self.stage_name, progress_done=self.done, progress_total=self.total
        )


def check_import(batch_id: int) -> ImportBatch:
    """The worker's part of `begin_import`: check the kept register and store the plan;
    the batch then waits for its uploader's decision, or says why the file was refused."""
    batch: ImportBatch = ImportBatch.objects.select_related("area").get(pk=batch_id)
    if batch.status != ImportStatus.CHECKING:
        return batch  # a retry after it was done
    try:
        data = importing.load_source(batch.storage_key)
        analysis = importing.analyse(
            data, batch.file_name, batch.area, progress=_BatchProgress(batch.pk)
        )
        importing.store_plan(batch.storage_key, analysis, replace=True)
    except RegistryError as exc:
        batch.status = ImportStatus.FAILED
        batch.failure = [exc.code, exc.params]
        batch.decided_at = timezone.now()
        batch.save(update_fields=["status", "failure", "decided_at"])
        importing.delete_files(batch.storage_key)
        return batch
    for name, value in importing.batch_fields(analysis).items():
        setattr(batch, name, value)
    batch.status = ImportStatus.PENDING
    batch.stage = ""
    batch.save()
    return batch


def recheck_import(batch: ImportBatch, *, progress: "importing.Progress | None" = None) -> None:
    """Check a pending register again against the registry as it is now."""
    if batch.status != ImportStatus.PENDING:
        raise RegistryError("import_not_pending")
    data = importing.load_source(batch.storage_key)
    analysis = importing.analyse(data, batch.file_name, batch.area, progress=progress)
    importing.store_plan(batch.storage_key, analysis, replace=True)
    for name, value in importing.batch_fields(analysis).items():
        setattr(batch, name, value)
    batch.save()


@transaction.atomic
def apply_import(
    batch: ImportBatch,
    *,
    acting_user: "User | Actor",
    progress: "importing.Progress | None" = None,
    grid_confirmed: bool = False,
) -> ImportBatch:
    """Import the valid rows of a checked register, all of them or none.

    A sheet whose grid column names another grid than the chosen one is imported into the
    chosen grid only once the uploader confirmed it (`grid_confirmed`).

    The rows are matched against the registry again inside this transaction; if that
    finds a problem the check did not (someone registered one of these people since),
    nothing is written and RegistryError("import_stale") asks for a new check. One audit
    entry records the counts, never who was imported.
    """
    locked: ImportBatch = (
        ImportBatch.objects.select_for_update(of=("self",)).select_related("area").get(pk=batch.pk)
    )
    require_in_scope(log.scope_holder(acting_user), Perm.IMPORT_REGISTRY, [locked.area])
    if locked.status != ImportStatus.PENDING:
        raise RegistryError("import_not_pending")
    if locked.needs_grid_confirmation and not grid_confirmed:
        raise RegistryError("grid_not_confirmed")
    with importing.collector_paused():
        kept = importing.load_plan(locked.storage_key)
        importing.enter_stage(progress, "match", len(kept.rows))
        plan = importing.plan_rows(kept.rows, locked.area, kept.present)
        if plan.errors:
            raise RegistryError("import_stale")
        if progress is not None:
            progress(0, len(plan.new) + len(plan.updates))
        try:
            with transaction.atomic():
                touched = _write_plan(plan, progress=progress)
        except IntegrityError as exc:
            # Someone registered one of these people between our reads and our writes.
            raise RegistryError("import_stale") from exc
    importing.enter_stage(progress, "counts")
    refresh_area_counts(touched)
    locked.status = ImportStatus.APPLIED
    locked.decided_at = timezone.now()
    locked.rows_new = len(plan.new)
    locked.rows_updated = len(plan.updates)
    locked.rows_unchanged = plan.unchanged
    locked.save()
    log.record(
        acting_user,
        AuditEvent.RESIDENTS_IMPORT,
        obj=locked,
        area_path=locked.area.path,
        details={
            "rows": locked.rows_total,
            "new": locked.rows_new,
            "updated": locked.rows_updated,
            "unchanged": locked.rows_unchanged,
            "errors": locked.rows_error,
        },
    )
    key = locked.storage_key
    transaction.on_commit(lambda: importing.delete_files(key))
    return locked


@transaction.atomic
def discard_import(batch: ImportBatch) -> ImportBatch:
    """Import nothing: forget the uploaded register (its encrypted files are deleted)."""
    locked: ImportBatch = ImportBatch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != ImportStatus.PENDING:
        raise RegistryError("import_not_pending")
    locked.status = ImportStatus.DISCARDED
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "decided_at"])
    key = locked.storage_key
    transaction.on_commit(lambda: importing.delete_files(key))
    return locked


# The files an import leaves under WANGGE_IMPORT_DIR: its storage key and what they hold.
_IMPORT_FILE = re.compile(r"^([0-9a-f]{32})\.(src|plan)$")


@dataclass(frozen=True)
class ImportPurge:
    """What purging stale imports discarded (or would discard)."""

    discarded: int
    orphans: list[Path]


def purge_stale_imports(*, older_than: dt.timedelta, for_real: bool) -> ImportPurge:
    """Discard register uploads left pending longer than `older_than` and delete files of
    the import folder that belong to no pending import (an upload interrupted half-way).
    Nothing changes unless `for_real`."""
    cutoff = timezone.now() - older_than
    stale = list(ImportBatch.objects.filter(status=ImportStatus.PENDING, created_at__lt=cutoff))
    # A check the worker never finished (it was stopped): said failed, its file deleted.
    stuck = ImportBatch.objects.filter(status=ImportStatus.CHECKING, created_at__lt=cutoff)
    if for_real:
        for batch in stale:
            discard_import(batch)
        stuck.update(
            status=ImportStatus.FAILED, failure=["import_expired", {}], decided_at=timezone.now()
        )
    # The files of a batch being checked are kept too: its worker is reading them.
    pending = set(
        ImportBatch.objects.filter(
            status__in=[ImportStatus.PENDING, ImportStatus.CHECKING]
        ).values_list("storage_key", flat=True)
    )
    orphans: list[Path] = []
    folder = Path(settings.WANGGE_IMPORT_DIR)
    if folder.is_dir():
        for path in sorted(folder.iterdir()):
            match = _IMPORT_FILE.match(path.name)
            if match and match[1] not in pending:
                orphans.append(path)
    if for_real:
        for path in orphans:
            path.unlink(missing_ok=True)
    return ImportPurge(discarded=len(stale), orphans=orphans)


_WRITE_BATCH = 2000
_T = TypeVar("_T")


def batched(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    """Consecutive slices of at most `size` items (itertools.batched is Python 3.12+)."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _write_plan(
    plan: "importing.Plan",
    *,
    progress: "importing.Progress | None" = None,
) -> set[int]:
    """Write a plan's households, new residents and changes; the grids it touched."""
    needed = [row.household_key for row in plan.new]
    needed += [row.household_key for row, _resident, _fields in plan.updates]
    importing.enter_stage(progress, "households")
    households = _households_for(needed, plan.addresses)
    touched: set[int] = {row.grid_id for row in plan.new}
    now = timezone.now()
    importing.enter_stage(progress, "residents", len(plan.new))
    _insert_residents(plan.new, households, now, progress)
    if plan.updates:
        importing.enter_stage(progress, "updates", len(plan.updates))
    for chunk_updates in batched(plan.updates, _WRITE_BATCH):
        changed: list[Resident] = []
        names: set[str] = {"updated_at"}
        residents_by_pk = Resident.objects.in_bulk([stored.pk for _, stored, _ in chunk_updates])
        for row, stored, fields in chunk_updates:
            resident = residents_by_pk[stored.pk]
            touched.add(resident.grid_id)  # the grid a moved person leaves
            _apply_fields(resident, row, fields, households)
            resident.updated_at = now
            touched.add(resident.grid_id)
            for name in fields:
                names.add(_MODEL_FIELDS[name])
                names.update(_EXTRA_MODEL_FIELDS.get(name, ()))
            changed.append(resident)
        Resident.objects.bulk_update(changed, sorted(names), batch_size=500)
        if progress is not None:
            progress(len(chunk_updates))
    return touched


def _insert_residents(
    rows: Sequence["importing.ValidRow"],
    households: Mapping[tuple[int, str, str, str], int],
    now: dt.datetime,
    progress: "importing.Progress | None" = None,
) -> None:
    """Insert new residents (`core.bulk.copy_rows`: COPY on PostgreSQL, prepared batches
    on SQLite).

    This is bulk_create without building a model instance per row and compiling an
    INSERT per 45 rows (SQLite's parameter limit): for 100,000 rows that overhead alone
    exceeded the time openpyxl takes to read the file. One COPY lets PostgreSQL index the
    rows while Python seals the next ones. The values are what the model would write:
    every concrete field, its default where the row gives nothing, ID number and phone
    sealed by `personal_data`, timestamps as the backend stores them.
    """
    columns = [f for f in Resident._meta.concrete_fields if not f.primary_key]
    values = _resident_values(rows, households, now, columns)
    bulk.copy_rows(Resident, [str(f.column) for f in columns], values, progress=progress)


def _resident_values(
    rows: Sequence["importing.ValidRow"],
    households: Mapping[tuple[int, str, str, str], int],
    now: dt.datetime,
    columns: Sequence[Any],
) -> Iterator[tuple[Any, ...]]:
    """Each new resident's column values, in `columns` order, as the backend takes them."""
    stamp = connection.ops.adapt_datetimefield_value(now)
    written_on = timezone.localdate(now)
    defaults = {
        f.attname: f.get_db_prep_save(f.get_default(), connection)
        for f in columns
        if f.attname not in _INSERTED
    }
    # The row's values as one dict, put in column order by one C call.
    in_order = operator.itemgetter(*(f.attname for f in columns))
    for row in rows:
        data = row.data
        sealed_id = seal_id_number(data.id_type, data.id_number)
        sealed_phone = seal_phone(data.phone)
        yield in_order(
            {
                **defaults,
                "household_id": households[row.household_key],
                "grid_id": row.grid_id,
                "code": new_resident_code(),
                "name": data.name,
                "sex": data.sex,
                "birth_year": data.birth_year_as_of(written_on),
                "ethnicity": data.ethnicity,
                "status": data.status,
                "tags": data.tags,
                "relation": data.relation,
                "note": data.note,
                "id_type": str(data.id_type),
                "id_number_cipher": sealed_id.cipher,
                "id_number_index": sealed_id.index,
                "id_number_masked": sealed_id.masked,
                "phone_cipher": sealed_phone.cipher,
                "phone_index": sealed_phone.index,
                "phone_masked": sealed_phone.masked,
                "created_at": stamp,
                "updated_at": stamp,
            }
        )


# The columns an import gives a new resident; any other field takes its default.
_INSERTED = frozenset(
    {
        "household_id",
        "grid_id",
        "code",
        "name",
        "sex",
        "birth_year",
        "ethnicity",
        "status",
        "tags",
        "relation",
        "note",
        "id_type",
        "id_number_cipher",
        "id_number_index",
        "id_number_masked",
        "phone_cipher",
        "phone_index",
        "phone_masked",
        "created_at",
        "updated_at",
    }
)


# Which model columns a changed field writes.
_MODEL_FIELDS: Mapping[str, str] = {
    "name": "name",
    "id_number": "id_number_cipher",
    "phone": "phone_cipher",
    "sex": "sex",
    "birth_year": "birth_year",
    "ethnicity": "ethnicity",
    "status": "status",
    "tags": "tags",
    "relation": "relation",
    "note": "note",
    "household": "household",
}
_EXTRA_MODEL_FIELDS: Mapping[str, tuple[str, ...]] = {
    "id_number": ("id_type", "id_number_index", "id_number_masked"),
    "phone": ("phone_index", "phone_masked"),
    "household": ("grid",),
}


def _apply_fields(
    resident: Resident,
    row: "importing.ValidRow",
    fields: Iterable[str],
    households: Mapping[tuple[int, str, str, str], int],
) -> None:
    data = row.data
    for name in fields:
        if name == "id_number":
            resident.set_id_number(data.id_type, data.id_number)
        elif name == "phone":
            resident.set_phone(data.phone)
        elif name == "household":
            resident.household_id = households[row.household_key]
            resident.grid_id = row.grid_id
        elif name == "birth_year":
            resident.birth_year = data.birth_year_as_of(resident.written_on)
        else:
            setattr(resident, name, getattr(data, name))


def _households_for(
    keys: Iterable[tuple[int, str, str, str]], addresses: Mapping[tuple[int, str, str, str], str]
) -> dict[tuple[int, str, str, str], int]:
    """The household id of every (grid, building, unit, room), creating the missing ones."""
    wanted = set(keys)
    found: dict[tuple[int, str, str, str], int] = {}
    grid_ids = sorted({key[0] for key in wanted})
    for chunk in batched(grid_ids, 500):
        for pk, grid_id, building, unit, room in Household.objects.filter(
            grid_id__in=chunk
        ).values_list("pk", "grid_id", "building", "unit", "room"):
            key = (grid_id, building, unit, room)
            if key in wanted:
                found[key] = pk
    missing = sorted(key for key in wanted if key not in found)
    if not missing:
        return found
    # Appended by the database's bulk path (bulk_create built a model per household and
    # was a tenth of a 100,000-row import), then read back for their ids.
    stamp = connection.ops.adapt_datetimefield_value(timezone.now())
    bulk.copy_rows(
        Household,
        ["grid_id", "building", "unit", "room", "address", "sort_key", "created_at"],
        (
            (
                key[0],
                key[1],
                key[2],
                key[3],
                addresses.get(key, "")[:200],
                natural_sort_key(*key[1:]),
                stamp,
            )
            for key in missing
        ),
    )
    added = set(missing)
    for chunk in batched(sorted({key[0] for key in missing}), 500):
        for pk, grid_id, building, unit, room in Household.objects.filter(
            grid_id__in=chunk
        ).values_list("pk", "grid_id", "building", "unit", "room"):
            key = (grid_id, building, unit, room)
            if key in added:
                found[key] = pk
    return found
