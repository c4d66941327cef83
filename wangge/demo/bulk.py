"""Writing the demo's households and residents in bulk, personal values sealed as usual.

Every ID number and phone goes through `wangge.core.personal_data.seal_id_number` /
`seal_phone`, exactly what `PersonalIdentity.set_id_number` / `set_phone` store; only the
way rows reach the database differs: the database's own bulk path (`wangge.core.bulk`:
executemany on SQLite, COPY on PostgreSQL) instead of one INSERT per model instance. Sealing is the
costly part (AES-GCM and HMAC per value), so it may run in worker processes.

The column lists are read from the models, so a field another app adds later is
written with its default; a new required field without one stops the build loudly.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, models
from django.db.models.fields import NOT_PROVIDED
from django.utils import timezone

from wangge.core.bulk import copy_rows
from wangge.core.personal_data import seal_id_number, seal_phone
from wangge.lib.idnumbers import IdType, disclosable_birth_year
from wangge.lib.natural import natural_sort_key
from wangge.residents.models import _CODE_ALPHABET, RESIDENT_CODE_LENGTH, Household, Resident

HOUSEHOLD_COLUMNS = (
    "id",
    "grid_id",
    "building",
    "unit",
    "room",
    "address",
    "sort_key",
    "created_at",
)
RESIDENT_COLUMNS = (
    "id",
    "household_id",
    "grid_id",
    "code",
    "name",
    "id_type",
    "id_number_cipher",
    "id_number_index",
    "id_number_masked",
    "phone_cipher",
    "phone_index",
    "phone_masked",
    "sex",
    "birth_year",
    "ethnicity",
    "status",
    "tags",
    "relation",
    "note",
    "created_at",
    "updated_at",
)
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


class GeneratorOutdated(RuntimeError):
    """A model gained a required column the demo generator does not know how to fill."""


def check_digit(body: str) -> str:
    """The 18th character of a resident ID number (GB 11643, ISO 7064 MOD 11-2)."""
    return _CHECK[sum(int(c) * w for c, w in zip(body, _WEIGHTS, strict=True)) % 11]


def resident_code(bits: int) -> str:
    """A resident code from 50 random bits: 10 characters of Crockford's base32."""
    return "".join(_CODE_ALPHABET[(bits >> shift) & 31] for shift in range(45, -1, -5))[
        :RESIDENT_CODE_LENGTH
    ]


@dataclass(frozen=True)
class Layout:
    """A table's columns as written: the ones we fill, then the others' constant defaults."""

    model: type[models.Model]
    columns: tuple[str, ...]
    extra: tuple[Any, ...]  # values of the columns we do not fill, in `columns` order
    created_at: Any  # the creation time, already in the database's format
    written_on: dt.date  # its local date: the birth years it may hold depend on it


def layout_for(model: type[models.Model], filled: Sequence[str], now: dt.datetime) -> Layout:
    known = set(filled)
    extra_columns: list[str] = []
    fields = [(field, str(field.column)) for field in model._meta.concrete_fields]
    extra_values: list[Any] = []
    for field, column in fields:
        if column in known:
            continue
        if field.has_default() or field.null:
            value = field.get_default() if field.has_default() else None
            extra_columns.append(column)
            extra_values.append(field.get_db_prep_save(value, connection))
        elif getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            extra_columns.append(column)
            extra_values.append(connection.ops.adapt_datetimefield_value(now))
        elif field.db_default is not NOT_PROVIDED:
            continue
        else:
            raise GeneratorOutdated(
                f"{model._meta.label}.{field.name} is required and has no default: "
                "teach wangge.demo.bulk to fill it"
            )
    missing = known - {column for _field, column in fields}
    if missing:
        raise GeneratorOutdated(f"{model._meta.label} has no column(s) {sorted(missing)}")
    return Layout(
        model=model,
        columns=(*filled, *extra_columns),
        extra=tuple(extra_values),
        created_at=connection.ops.adapt_datetimefield_value(now),
        written_on=timezone.localdate(now),
    )


def layouts(now: dt.datetime) -> tuple[Layout, Layout]:
    return layout_for(Household, HOUSEHOLD_COLUMNS, now), layout_for(
        Resident, RESIDENT_COLUMNS, now
    )


# A household to write: (id, grid id, building, unit, room, address).
HouseholdRow = tuple[int, int, str, str, str, str]
# A person to seal: (id, household id, grid id, people.Person).
PersonRow = tuple[int, int, int, Any]


@dataclass(frozen=True)
class Batch:
    """Households and residents ready for the database."""

    households: list[tuple[Any, ...]]
    residents: list[tuple[Any, ...]]


def prepare(
    household_layout: Layout,
    resident_layout: Layout,
    households: list[HouseholdRow],
    people: list[PersonRow],
) -> Batch:
    """Rows in column order, ID numbers and phones sealed. Runs in a worker process."""
    created = resident_layout.created_at
    written_on = resident_layout.written_on
    h_tail = (household_layout.created_at, *household_layout.extra)
    r_tail = ("", created, created, *resident_layout.extra)
    card, nothing = str(IdType.RESIDENT_CARD), str(IdType.NONE)
    fromordinal = dt.date.fromordinal
    rows: list[tuple[Any, ...]] = []
    for rid, hid, gid, p in people:
        birth = fromordinal(p.birth_ordinal)
        if p.has_id:
            body = f"{p.region}{birth.year:04d}{birth.month:02d}{birth.day:02d}{p.order:03d}"
            sealed_id = seal_id_number(card, body + check_digit(body))
            id_type = card
        else:
            sealed_id = seal_id_number(nothing, "")
            id_type = nothing
        phone = f"{p.phone_prefix}{p.phone_number:08d}" if p.phone_number >= 0 else ""
        sealed_phone = seal_phone(phone)
        rows.append(
            (
                rid,
                hid,
                gid,
                resident_code(p.code_bits),
                p.name,
                id_type,
                sealed_id.cipher,
                sealed_id.index,
                sealed_id.masked,
                sealed_phone.cipher,
                sealed_phone.index,
                sealed_phone.masked,
                p.sex,
                disclosable_birth_year(birth, written_on),
                p.ethnicity,
                p.status,
                p.tags,
                p.relation,
                *r_tail,
            )
        )
    return Batch([(*row, natural_sort_key(*row[2:5]), *h_tail) for row in households], rows)


def write_batch(household_layout: Layout, resident_layout: Layout, batch: Batch) -> None:
    """The database's own bulk path (`core.bulk.copy_rows`: COPY, or executemany)."""
    if batch.households:
        copy_rows(household_layout.model, household_layout.columns, batch.households)
    if batch.residents:
        copy_rows(resident_layout.model, resident_layout.columns, batch.residents)


def next_ids() -> tuple[int, int]:
    """The first free primary keys of households and residents."""
    household = Household.objects.aggregate(top=models.Max("id"))["top"] or 0
    resident = Resident.objects.aggregate(top=models.Max("id"))["top"] or 0
    return household + 1, resident + 1


def reset_sequences() -> None:
    """After explicit ids: PostgreSQL's sequences continue above them (SQLite needs nothing)."""
    from django.core.management.color import no_style

    statements = connection.ops.sequence_reset_sql(no_style(), [Household, Resident])
    with connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)
