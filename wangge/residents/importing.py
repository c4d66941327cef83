"""The household register import: read a sheet, check every row, plan what it changes.

    upload → analyse (read, validate, match against the registry) → report
           → the uploader chooses: apply the valid rows (actions.apply_import) or nothing

Every row goes through `ResidentData.clean`, the registry's one validator, plus its
household (building / unit / room / address) and grid. A person is matched to the
registry by ID number through the blind index (`id_number_lookups`), or, without a
number, by name within the same household. A row whose data equals what is stored is
"unchanged" and is not written, so importing the same sheet twice changes nothing.

Between the check and the decision the upload is kept only encrypted (AES-GCM with the
data keyring, like every ID number at rest) under WANGGE_IMPORT_DIR: the original file,
for the downloadable report, and the checked rows, for the apply step.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import gc
import json
import operator
import threading
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol, TypeVar, runtime_checkable

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.core.personal_data import id_number_lookups, phone_lookups
from wangge.core.scoping import is_within, subtree_q
from wangge.core.staging import StagedUploadGone, Staging
from wangge.lib import spreadsheets
from wangge.lib.idnumbers import IdType
from wangge.lib.spreadsheets import Row, SpreadsheetError
from wangge.residents import actions, errors, vocabulary
from wangge.residents.choices import ResidentStatus
from wangge.residents.errors import RegistryError
from wangge.residents.models import Resident


class Progress(Protocol):
    """Told how many more rows are done, and once, first, how many there may be."""

    def __call__(self, done: int, total: int | None = None) -> None: ...


@runtime_checkable
class StagedProgress(Progress, Protocol):
    """A progress that is also told when the import moves on to its next stage (the
    command's bars, the page's progress, the benchmark's timings)."""

    def stage(self, name: str, total: int | None = None) -> None: ...


# The stages of an import, in order, as the command and the page name them.
STAGES: Mapping[str, Any] = {
    "read": _("reading the file"),
    "check": _("checking rows"),
    "match": _("matching the registry"),
    "store": _("keeping the file encrypted"),
    "households": _("writing households"),
    "residents": _("writing new residents"),
    "updates": _("updating residents"),
    "counts": _("updating counts"),
}


def enter_stage(progress: Progress | None, name: str, total: int | None = None) -> None:
    """Tell `progress` (if it listens for stages) that stage `name` begins."""
    if isinstance(progress, StagedProgress):
        progress.stage(name, total)


HouseholdKey = tuple[int, str, str, str]  # grid id, building, unit, room

# How many errors a batch keeps for its report page (all of them are in the report file).
FIRST_ERRORS = 100
_LOOKUP_CHUNK = 1000
# Reading a person in a pass over the area costs about a sixth of probing the index for
# them (PostgreSQL, 100,000 residents): a register naming at least a sixth of the area's
# residents is matched by the pass.
_PROBES_PER_READ = 6
_PROGRESS_STEP = 1000

# What the report page calls each recognised column.
FIELD_LABELS: Mapping[str, Any] = {
    "seq": _("Sequence number"),
    "name": _("Name"),
    "id_type": _("ID type"),
    "id_number": _("ID number"),
    "sex": _("Sex"),
    "birth_date": _("Birth date"),
    "age": _("Age (not imported: derived from the birth date)"),
    "phone": _("Phone"),
    "ethnicity": _("Ethnicity"),
    "grid": _("Grid"),
    "building": _("Building"),
    "unit": _("Unit"),
    "room": _("Room"),
    "address": _("Address"),
    "category": _("Category (tags)"),
    "status": _("Status"),
    "relation": _("Relation to head"),
    "note": _("Note"),
}
HOUSEHOLD_FIELDS = ("building", "unit", "room", "address")
# Sheet columns → the resident fields they fill (the others are kept as stored).
_PRESENT = {
    "sex": "sex",
    "birth_date": "birth_year",
    "phone": "phone",
    "ethnicity": "ethnicity",
    "status": "status",
    "relation": "relation",
    "note": "note",
    "category": "tags",
}


@dataclass(frozen=True)
class RowError:
    """Why one row of the sheet cannot be imported: its row number, column and reason."""

    row: int
    field: str
    column: str
    code: str
    params: Mapping[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def message(self) -> str:
        return errors.render(self.code, self.params)

    def to_json(self) -> list[Any]:
        return [self.row, self.field, self.column, self.code, dict(self.params)]

    @classmethod
    def from_json(cls, value: Sequence[Any]) -> RowError:
        return cls(int(value[0]), str(value[1]), str(value[2]), str(value[3]), dict(value[4]))


@dataclass(slots=True)
class ValidRow:
    """A row that passed every check: the person, their grid and their household."""

    row: int
    data: actions.ResidentData
    grid_id: int
    building: str
    unit: str
    room: str
    address: str
    # The row itself says where the person is (a status, category or remarks word): it
    # sets the status even when the sheet has no status column.
    status_stated: bool = False

    @property
    def household_key(self) -> HouseholdKey:
        return (self.grid_id, self.building, self.unit, self.room)

    @property
    def address_label(self) -> str:
        """The household as the report names it (as `Household.label` does)."""
        return "-".join(part for part in (self.building, self.unit, self.room) if part) or (
            self.address
        )

    def identity(self) -> tuple[str, ...]:
        """Who this row is: the document, or for a person without one, name and home."""
        if self.data.id_number:
            return (self.data.id_type, self.data.id_number)
        return (IdType.NONE, str(self.grid_id), self.building, self.unit, self.room, self.data.name)

    def to_json(self) -> list[Any]:
        d = self.data
        birth = d.birth_date.isoformat() if d.birth_date else None
        return [
            self.row,
            d.name,
            d.id_type,
            d.id_number,
            d.sex,
            birth,
            d.phone,
            d.ethnicity,
            d.status,
            d.tags,
            d.relation,
            d.note,
            self.grid_id,
            self.building,
            self.unit,
            self.room,
            self.address,
            self.status_stated,
        ]

    @classmethod
    def from_json(cls, v: Sequence[Any]) -> ValidRow:
        # Rows come back from our own authenticated, encrypted file: already validated.
        data = actions.ResidentData(
            name=v[1],
            id_type=v[2],
            id_number=v[3],
            sex=v[4],
            birth_date=dt.date.fromisoformat(v[5]) if v[5] else None,
            phone=v[6],
            ethnicity=v[7],
            status=v[8],
            tags=v[9],
            relation=v[10],
            note=v[11],
        )
        return cls(v[0], data, v[12], v[13], v[14], v[15], v[16], v[17])


@dataclass
class Plan:
    """What applying a set of valid rows would do to the registry."""

    new: list[ValidRow] = field(default_factory=list)
    updates: list[tuple[ValidRow, Stored, tuple[str, ...]]] = field(default_factory=list)
    unchanged: int = 0
    ok: list[ValidRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    addresses: dict[HouseholdKey, str] = field(default_factory=dict)


@dataclass
class Analysis:
    """The checked sheet: its layout, its valid rows, its errors, and what it would change."""

    file_name: str
    area: Area
    sheet_name: str
    header_row: int
    columns: dict[str, str]
    ignored_columns: list[str]
    present: frozenset[str]
    rows_total: int
    rows_skipped: int
    plan: Plan
    errors: list[RowError]
    # About the whole sheet, said once: [code, params] (grid_name_differs).
    notices: list[list[Any]] = field(default_factory=list)

    @property
    def rows(self) -> list[ValidRow]:
        return self.plan.ok


class GridResolver:
    """Finds each row's grid: by name (or division code) inside the chosen area.

    Without a grid column every row goes to the chosen area, which must then be a grid.
    Into a chosen grid, a sheet whose grid column names another grid (its own spelling of
    this one, "3组" for "三组") is one grid's register: its rows go into the chosen grid and
    `others` collects the names read, for a single notice; the analysis decides.
    """

    def __init__(self, area: Area, has_column: bool) -> None:
        self.area = area
        if not has_column and not area.is_grid:
            raise RegistryError("grid_column_needed", field="grid")
        self.by_name: dict[str, list[int]] = {}
        self.by_code: dict[str, int] = {}
        self.names: dict[int, str] = {int(area.pk): area.name}
        self.others: dict[str, list[int]] = {}  # a name read → the rows that give it
        if has_column:
            for pk, name, code in (
                Area.objects.within(area).grids().values_list("pk", "name", "code")
            ):
                self.by_name.setdefault(_name_key(name), []).append(pk)
                self.names[pk] = name
                if code:
                    self.by_code[code] = pk
        self._cache: dict[str, int | RegistryError] = {}

    def resolve(self, cell: spreadsheets.Cell, row: int = 0) -> int:
        text = spreadsheets.as_text(cell)
        if not text:
            if self.area.is_grid:
                return int(self.area.pk)
            raise RegistryError("grid_missing", field="grid")
        found = self._cache.get(text)
        if found is None:
            found = self._lookup(text)
            self._cache[text] = found
        if isinstance(found, RegistryError):
            if self.area.is_grid:
                self.others.setdefault(text[:40], []).append(row)
                return int(self.area.pk)
            raise found
        return found

    def _lookup(self, text: str) -> int | RegistryError:
        ids = self.by_name.get(_name_key(text))
        if not ids:
            code_match = self.by_code.get(text.strip())
            return (
                code_match
                if code_match is not None
                else RegistryError("grid_unknown", field="grid")
            )
        if len(ids) > 1:
            return RegistryError("grid_ambiguous", field="grid")
        return ids[0]


def _name_key(name: str) -> str:
    return "".join(unicodedata.normalize("NFKC", name).split()).lower()


class _Cells(NamedTuple):
    """A row's cell for each field (None where the sheet has no such column)."""

    seq: spreadsheets.Cell
    name: spreadsheets.Cell
    id_type: spreadsheets.Cell
    id_number: spreadsheets.Cell
    sex: spreadsheets.Cell
    birth_date: spreadsheets.Cell
    age: spreadsheets.Cell
    phone: spreadsheets.Cell
    ethnicity: spreadsheets.Cell
    grid: spreadsheets.Cell
    building: spreadsheets.Cell
    unit: spreadsheets.Cell
    room: spreadsheets.Cell
    address: spreadsheets.Cell
    category: spreadsheets.Cell
    status: spreadsheets.Cell
    relation: spreadsheets.Cell
    note: spreadsheets.Cell


class _Columns:
    """Where each field is in this sheet's rows, and its column's name."""

    def __init__(self, fields: Mapping[str, int], names: Sequence[str] = ()) -> None:
        self.names = {key: names[index] for key, index in fields.items() if index < len(names)}
        # A row is cut (or padded with blanks) to the fields' columns plus one blank, which
        # a field the sheet lacks reads: all of a row's cells are then taken by one
        # itemgetter call (an import does this 100,000 times).
        self.width = max(fields.values(), default=-1) + 1
        self._blanks: tuple[spreadsheets.Cell, ...] = (None,) * (self.width + 1)
        self._pick = operator.itemgetter(*(fields.get(key, self.width) for key in _Cells._fields))

    def cells(self, row: Row) -> _Cells:
        cells = row.cells
        width = self.width
        padded = cells[:width] + self._blanks[min(len(cells), width) :]
        return _Cells._make(self._pick(padded))


def _check_row(
    row: Row,
    cols: _Columns,
    grids: GridResolver,
    homes: dict[tuple[Any, ...], tuple[str, str, str]] | None = None,
) -> ValidRow:
    """One sheet row as a valid row, or RegistryError naming the field at fault.

    `homes` caches household keys by their raw cells (members of a household repeat them).
    """
    cells = cols.cells(row)
    id_cell = cells.id_number
    if spreadsheets.stored_as_number(id_cell):
        # Excel keeps 15 significant digits: an 18-digit number stored as a number is corrupt.
        raise RegistryError("id_excel_number", field="id_number")
    category = spreadsheets.as_text(cells.category)
    note = spreadsheets.as_text(cells.note)
    status = _stated_status(cols, spreadsheets.as_text(cells.status), category, note)
    data = actions.ResidentData.clean(
        name=cells.name,
        id_type=spreadsheets.as_text(cells.id_type),
        id_number=spreadsheets.as_text(id_cell),
        sex=spreadsheets.as_text(cells.sex),
        birth_date=cells.birth_date,
        phone=cells.phone,
        ethnicity=cells.ethnicity,
        status=status or "",
        tags=vocabulary.tags_from_text(category, note),
        relation=cells.relation,
        note=note,
    )
    grid_id = grids.resolve(cells.grid, row.number)
    address = actions.clean_text(cells.address, "address", 200)
    raw = (cells.building, cells.unit, cells.room, address)
    key = homes.get(raw) if homes is not None else None
    if key is None:
        key = actions.household_key(*raw)
        if homes is not None:
            homes[raw] = key
    building, unit, room = key
    if not (building or unit or room):
        raise RegistryError("household_missing", field="household")
    return ValidRow(row.number, data, grid_id, building, unit, room, address, status is not None)


def _stated_status(cols: _Columns, status_text: str, category: str, note: str) -> str | None:
    """The status a row states in its status, category or remarks column; None if none.

    Columns that disagree about whether the person lives here (状态 在家, 备注 已故) are
    refused naming both; otherwise the strongest statement is kept (正常 and 外出务工: away;
    外出 and 住院: in hospital).
    """
    status = vocabulary.status_code(status_text) if status_text else None
    if status_text and status is None:
        raise RegistryError("status_unknown", field="status")
    said = ("status", status_text)
    for key, text in (("category", category), ("note", note)):
        found = vocabulary.status_in_text(text) if text else None
        if found is None:
            continue
        code, word = found
        if status is None:
            status, said = code, (key, word)
        elif status == ResidentStatus.PRESENT and vocabulary.contradicts_present(said[1], code):
            raise RegistryError(
                "status_contradiction",
                field="status",
                first=cols.names.get(said[0], ""),
                first_word=said[1][:20],
                second=cols.names.get(key, ""),
                second_word=word,
            )
        elif vocabulary.ABSENCE_RANK[code] > vocabulary.ABSENCE_RANK.get(status, 0):
            status, said = code, (key, word)
    return status


_pause_lock = threading.Lock()
_pauses = 0
_collector_was_enabled = False


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a register is read or written.

    Reading a sheet churns through millions of short-lived objects while the checked
    rows pile up; every full collection then walks them all again. On 100,000 rows that
    cost about a third of the whole import. The rows hold no reference cycles (reference
    counting frees what they drop), so the collector is paused for the bulk work and
    resumed after it; nested or concurrent imports share one pause.
    """
    global _pauses, _collector_was_enabled
    with _pause_lock:
        if _pauses == 0:
            _collector_was_enabled = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _pause_lock:
            _pauses -= 1
            if _pauses == 0 and _collector_was_enabled:
                gc.enable()


def analyse(
    data: bytes, file_name: str, area: Area, *, progress: Progress | None = None
) -> Analysis:
    """Read and check a register against the registry; changes nothing.

    Raises RegistryError for a file that cannot be imported at all (unreadable, no
    header, no ID number column …); problems of single rows are in the result.
    """
    with collector_paused():
        try:
            return _analyse(data, file_name, area, progress)
        except SpreadsheetError as exc:  # at the start, or a limit met while reading rows
            raise RegistryError("file_" + exc.code, **exc.params) from exc


def _analyse(data: bytes, file_name: str, area: Area, progress: Progress | None) -> Analysis:
    if not data:
        raise RegistryError("file_empty")
    enter_stage(progress, "read")
    table = spreadsheets.read_table(data, file_name)
    header = table.header
    enter_stage(progress, "check", table.rows_estimate)
    if progress is not None:
        progress(0, table.rows_estimate)
    if "id_number" not in header.fields:
        raise RegistryError("no_id_column", field="id_number")
    if not any(key in header.fields for key in HOUSEHOLD_FIELDS):
        raise RegistryError("no_household_columns", field="household")
    grids = GridResolver(area, "grid" in header.fields)
    cols = _Columns(header.fields, header.names)
    present = frozenset(target for key, target in _PRESENT.items() if key in header.fields)
    if "note" in header.fields:
        present |= {"tags"}

    def column_of(field_name: str) -> str:
        if field_name == "household":
            names = [header.column_name(key) for key in HOUSEHOLD_FIELDS]
            return " / ".join(name for name in names if name)
        return header.column_name(field_name)

    valid: list[ValidRow] = []
    problems: list[RowError] = []
    seen: dict[tuple[str, ...], ValidRow] = {}
    homes: dict[tuple[Any, ...], tuple[str, str, str]] = {}
    total = 0
    for row in table.rows():
        total += 1
        if progress is not None and total % _PROGRESS_STEP == 0:
            progress(_PROGRESS_STEP)
        try:
            checked = _check_row(row, cols, grids, homes)
        except RegistryError as exc:
            problems.append(
                RowError(row.number, exc.field, column_of(exc.field), exc.code, exc.params)
            )
            continue
        identity = checked.identity()
        first = seen.get(identity)
        if first is not None:
            problems.append(_duplicate(checked, first, grids, column_of))
            continue
        seen[identity] = checked
        valid.append(checked)
    if progress is not None:
        progress(total % _PROGRESS_STEP)
    notices: list[list[Any]] = []
    if len(grids.others) == 1:
        # One grid's register under another name: said once, imported on confirmation.
        notices.append(["grid_name_differs", {"read": next(iter(grids.others)), "grid": area.name}])
    elif grids.others:
        # Rows of several other grids cannot all be the chosen grid's: each is refused.
        elsewhere = {number for rows in grids.others.values() for number in rows}
        valid = [row for row in valid if row.row not in elsewhere]
        problems.extend(
            RowError(number, "grid", column_of("grid"), "grid_not_chosen", {"grid": area.name})
            for number in sorted(elsewhere)
        )
    enter_stage(progress, "match", len(valid))
    plan = plan_rows(valid, area, present, column_of=column_of)
    problems.extend(plan.errors)
    problems.sort(key=lambda error: error.row)
    return Analysis(
        file_name=file_name,
        area=area,
        sheet_name=table.sheet_name,
        header_row=header.row,
        columns={key: header.names[index] for key, index in header.fields.items()},
        ignored_columns=list(header.ignored),
        present=present,
        rows_total=total,
        rows_skipped=table.skipped_blank + table.skipped_totals,
        plan=plan,
        errors=problems,
        notices=notices,
    )


def _duplicate(
    row: ValidRow, first: ValidRow, grids: GridResolver, column_of: Callable[[str], str]
) -> RowError:
    """A second row for a person already on an earlier row: a plain repeat, or, at another
    address, a conflict naming both addresses (only the earlier row is imported)."""
    field_name = "id_number" if row.data.id_number else "name"
    if row.household_key == first.household_key:
        return RowError(
            row.row, field_name, column_of(field_name), "duplicate_in_sheet", {"row": first.row}
        )
    here, there = row.address_label, first.address_label
    if row.grid_id != first.grid_id:
        here = f"{grids.names.get(row.grid_id, '')} {here}".strip()
        there = f"{grids.names.get(first.grid_id, '')} {there}".strip()
    return RowError(
        row.row,
        "household",
        column_of("household"),
        "two_addresses",
        {"row": first.row, "first": there, "second": here},
    )


_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class Stored(NamedTuple):
    """What the plan needs to know of a registered person (read as plain values, fast)."""

    pk: int
    id_number_index: str | None
    name: str
    sex: str
    birth_year: int | None
    ethnicity: str
    status: str
    tags: int
    relation: str
    note: str
    phone_index: str | None
    grid_id: int
    building: str
    unit: str
    room: str
    grid_path: str
    created_at: dt.datetime

    @property
    def household_key(self) -> HouseholdKey:
        return (self.grid_id, self.building, self.unit, self.room)


_STORED_COLUMNS = (
    "pk",
    "id_number_index",
    "name",
    "sex",
    "birth_year",
    "ethnicity",
    "status",
    "tags",
    "relation",
    "note",
    "phone_index",
    "household__grid_id",
    "household__building",
    "household__unit",
    "household__room",
    "grid__path",
    "created_at",
)


def _stored(queryset: Any) -> Iterator[Stored]:
    for values in queryset.order_by().values_list(*_STORED_COLUMNS):
        yield Stored._make(values)


def plan_rows(
    rows: Sequence[ValidRow],
    area: Area,
    present: frozenset[str],
    *,
    column_of: Callable[[str], str] | None = None,
) -> Plan:
    """Match valid rows to the registry: which are new, which change someone, which not.

    Reads only. A person registered outside `area` is not touched (they must be moved by
    someone who may); a registered person claimed by two rows is reported on the second.
    """
    column = column_of or (lambda name: "")
    found: dict[int, Stored] = {}
    wanted: dict[str, int] = {}
    for i, row in enumerate(rows):
        if row.data.id_number:
            for candidate in id_number_lookups(row.data.id_type, row.data.id_number):
                wanted[candidate] = i
    if wanted and len(rows) * _PROBES_PER_READ >= area.subtree_totals()["residents"]:
        # A register of most of the area (an updated one, imported again): its people are
        # read in one pass over the area, several times faster than an index probe each
        # (docs/benchmarks.md); those not found there are probed below.
        numbered = Resident.objects.filter(
            subtree_q([area.path], "grid__path"), id_number_index__isnull=False
        )
        for person in _stored(numbered):
            index = wanted.get(str(person.id_number_index))
            if index is not None:
                found[index] = person
    probes = [candidate for candidate, i in wanted.items() if i not in found]
    for chunk in _chunks(probes, _LOOKUP_CHUNK):
        for person in _stored(Resident.objects.filter(id_number_index__in=chunk)):
            found[wanted[str(person.id_number_index)]] = person
    # Without a number (or not found by it: a newborn who has since got one), a person is
    # the resident of the same name, without a number, in the same household.
    unmatched = [(i, row) for i, row in enumerate(rows) if i not in found]
    if unmatched:
        homes: dict[tuple[Any, ...], Stored] = {}
        grid_ids = sorted({row.grid_id for _, row in unmatched})
        for grid_chunk in _chunks(grid_ids, 500):
            unnumbered = Resident.objects.filter(
                grid_id__in=grid_chunk, id_number_index__isnull=True
            ).order_by("pk")
            for person in _stored(unnumbered):
                homes.setdefault((*person.household_key, person.name), person)
        for i, row in unmatched:
            match = homes.get((*row.household_key, row.data.name))
            if match is not None:
                found[i] = match

    plan = Plan()
    claimed: dict[int, int] = {}
    # Residents imported together share their creation time: its local date (a time zone
    # conversion of several microseconds) is worked out once for all of them.
    days: dict[dt.datetime, dt.date] = {}

    def written_on(created_at: dt.datetime) -> dt.date:
        day = days.get(created_at)
        if day is None:
            day = days[created_at] = timezone.localdate(created_at)
        return day

    for i, row in enumerate(rows):
        stored = found.get(i)
        if stored is None:
            plan.new.append(row)
            plan.ok.append(row)
            plan.addresses.setdefault(row.household_key, row.address)
            continue
        if not is_within(stored.grid_path, area.path):
            plan.errors.append(
                RowError(row.row, "id_number", column("id_number"), "registered_elsewhere")
            )
            continue
        first = claimed.get(stored.pk)
        if first is not None:
            plan.errors.append(
                RowError(row.row, "name", column("name"), "duplicate_in_sheet", {"row": first})
            )
            continue
        claimed[stored.pk] = row.row
        changes = changed_fields(row, stored, present, written_on=written_on)
        if changes:
            plan.updates.append((row, stored, changes))
            plan.addresses.setdefault(row.household_key, row.address)
        else:
            plan.unchanged += 1
        plan.ok.append(row)
    return plan


def changed_fields(
    row: ValidRow,
    stored: Stored,
    present: frozenset[str],
    *,
    written_on: Callable[[dt.datetime], dt.date],
) -> tuple[str, ...]:
    """The fields a row would change; fields the sheet has no column for are left alone.

    `written_on` gives the local date of a record's creation time (its birth year rule).
    """
    data = row.data
    changes: list[str] = []
    if stored.name != data.name:
        changes.append("name")
    if data.id_number and stored.id_number_index is None:
        changes.append("id_number")
    if "phone" in present:
        same_phone = (
            stored.phone_index in phone_lookups(data.phone)
            if data.phone
            else stored.phone_index is None
        )
        if not same_phone:
            changes.append("phone")
    derived = data.id_type == IdType.RESIDENT_CARD
    if (derived or "sex" in present) and stored.sex != data.sex:
        changes.append("sex")
    if (derived or "birth_year" in present) and stored.birth_year != data.birth_year_as_of(
        written_on(stored.created_at)
    ):
        changes.append("birth_year")
    for name in ("ethnicity", "status", "tags", "relation", "note"):
        given = name in present or (name == "status" and row.status_stated)
        if given and getattr(stored, name) != getattr(data, name):
            changes.append(name)
    if stored.household_key != row.household_key:
        changes.append("household")
    return tuple(changes)


def batch_fields(analysis: Analysis) -> dict[str, Any]:
    """The ImportBatch columns that describe a checked sheet (nothing personal)."""
    plan = analysis.plan
    return {
        "sheet_name": analysis.sheet_name[:100],
        "header_row": analysis.header_row,
        "columns": analysis.columns,
        "ignored_columns": analysis.ignored_columns,
        "rows_total": analysis.rows_total,
        "rows_skipped": analysis.rows_skipped,
        "rows_valid": len(plan.ok),
        "rows_new": len(plan.new),
        "rows_updated": len(plan.updates),
        "rows_unchanged": plan.unchanged,
        "rows_error": len(analysis.errors),
        "first_errors": [error.to_json() for error in analysis.errors[:FIRST_ERRORS]],
        "notices": analysis.notices,
    }


# ---------------------------------------------------------------------------------------
# Encrypted storage between the check and the decision (wangge.core.staging). The files
# live as long as their ImportBatch: `purge_imports` expires them with it.

_SOURCE = "src"
_PLAN = "plan"
_FORMAT = 2  # 2: a row says whether it stated its status
STAGING = Staging(purpose="import", folder="", max_age_seconds=None)


def new_storage_key() -> str:
    return STAGING.new_token()


def store_source(key: str, data: bytes) -> None:
    """Keep the uploaded file, encrypted, for the downloadable report."""
    STAGING.write(key, data, part=_SOURCE)


def _read(key: str, kind: str) -> bytes:
    try:
        return STAGING.read(key, part=kind)
    except StagedUploadGone as exc:
        raise RegistryError("import_expired") from exc


def load_source(key: str) -> bytes:
    return _read(key, _SOURCE)


@dataclass(frozen=True)
class StoredPlan:
    """The checked rows as the apply step reads them back."""

    rows: list[ValidRow]
    present: frozenset[str]
    errors: list[RowError]


def store_plan(key: str, analysis: Analysis, *, replace: bool = False) -> None:
    """Keep the valid rows and the errors, encrypted, until the uploader decides."""
    payload = {
        "v": _FORMAT,
        "present": sorted(analysis.present),
        "rows": [row.to_json() for row in analysis.rows],
        "errors": [error.to_json() for error in analysis.errors],
    }
    plan = json.dumps(payload, separators=(",", ":")).encode()
    STAGING.write(key, plan, part=_PLAN, replace=replace)


def load_plan(key: str) -> StoredPlan:
    payload = json.loads(_read(key, _PLAN))
    if payload.get("v") != _FORMAT:  # checked by an older version: check it again
        raise RegistryError("import_expired")
    return StoredPlan(
        rows=[ValidRow.from_json(row) for row in payload["rows"]],
        present=frozenset(payload["present"]),
        errors=[RowError.from_json(error) for error in payload["errors"]],
    )


def delete_files(key: str) -> None:
    STAGING.delete(key, parts=(_SOURCE, _PLAN))
