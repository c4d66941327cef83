"""The raw statements of a batch, per database (SQLite: executemany; PostgreSQL: arrays)."""

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from wangge.core.sql import column, table
from wangge.testing.models import Tube


@dataclass(slots=True)
class TubeRow:
    """A tube's row as the batch reads and writes it (a model instance costs more)."""

    pk: int | None
    barcode: str
    round_id: int
    capacity: int
    filled: int
    status: str
    sealed_at: dt.datetime | None
    opened_at: dt.datetime | None = None
    area_id: int | None = None
    sampling_point_id: int | None = None


TUBE_COLUMNS = (
    "id",
    "barcode",
    "round_id",
    "capacity",
    "filled",
    "status",
    "sealed_at",
    "opened_at",
    "area_id",
)


class Sql:
    """The batch's large reads and writes as plain SQL, named by the models' metadata.

    The ORM prepares every value of an `__in` list and of a `bulk_create` row through its
    field, and builds a model instance per row: at 500 items a batch that was most of the
    hot path's time. Here values go to the driver as they are; the only ones that need the
    database's form are UUIDs (text on SQLite) and datetimes (UTC text on SQLite). A column
    an insert does not name gets its field's default, so a field added later is filled.

    SQLite takes `executemany` (one prepared statement). PostgreSQL takes one array per
    column (`= ANY(%s)`, `INSERT … SELECT … FROM unnest(…)`): the driver parses a
    statement's placeholders in Python, and 5,000 of them cost 40 ms a batch.
    """

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.sqlite = connection.vendor == "sqlite"
        self.native_uuid = connection.features.has_native_uuid_field
        self.quote = connection.ops.quote_name

    def uuid(self, value: uuid.UUID) -> Any:
        return value if self.native_uuid else value.hex

    def uuid_text(self, value: Any) -> str:
        """A stored client id as the 32 hex digits `uuid.UUID.hex` gives."""
        return value.hex if isinstance(value, uuid.UUID) else str(value).replace("-", "")

    def time(self, value: dt.datetime | None) -> Any:
        """Aware datetimes as Django stores them: as they are on PostgreSQL, naive UTC text
        on SQLite (what `adapt_datetimefield_value` does, five times faster)."""
        if value is None or not self.sqlite:
            return value
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    def _fields(self, model: type[Model]) -> dict[str, "Field[Any, Any]"]:
        return {field.name: field for field in model._meta.concrete_fields}

    def _array(self, field: "Field[Any, Any]") -> str:
        return f"%s::{field.cast_db_type(connection)}[]"

    def _in(self, model: type[Model], name: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        if self.sqlite:
            return f"{column(model, name)} IN ({', '.join(['%s'] * len(values))})", list(values)
        field = self._fields(model)[name]
        return f"{column(model, name)} = ANY({self._array(field)})", [pg_array(values)]

    def select_in(
        self,
        model: type[Model],
        columns: Sequence[str],
        key: str,
        values: Sequence[Any],
        *,
        also: tuple[str, Sequence[Any]] | None = None,
    ) -> list[tuple[Any, ...]]:
        """Rows of `columns` whose `key` is one of `values` (and `also` column in its list)."""
        if not values:
            return []
        names = ", ".join(column(model, name) for name in columns)
        where, params = self._in(model, key, values)
        if also is not None:
            more, more_params = self._in(model, also[0], also[1])
            where, params = f"{where} AND {more}", params + more_params
        sql = f"SELECT {names} FROM {table(model)} WHERE {where}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows

    def insert(
        self,
        model: type[Model],
        fields: Sequence[str],
        rows: list[tuple[Any, ...]],
        *,
        ignore_conflicts: bool = False,
        returning: Sequence[str] = (),
    ) -> list[tuple[Any, ...]]:
        """Insert rows of `fields` values (times already in the database's form); the
        `returning` columns of the new rows, in no particular order."""
        if not rows:
            return []
        by_name = self._fields(model)
        rest = [
            field for name, field in by_name.items() if not field.primary_key and name not in fields
        ]
        named = [by_name[name] for name in fields]
        columns = ", ".join(self.quote(str(field.column)) for field in (*named, *rest))
        defaults = [self._default(field) for field in rest]
        head = f"INSERT INTO {table(model)} ({columns}) "  # noqa: S608
        tail = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
        if returning:
            tail += " RETURNING " + ", ".join(column(model, name) for name in returning)
        with connection.cursor() as cursor:
            if not self.sqlite:
                arrays = [pg_array(column) for column in zip(*rows, strict=True)]
                unnest = ", ".join(self._array(field) for field in named)
                extra = "".join(f", %s::{field.cast_db_type(connection)}" for field in rest)
                cursor.execute(
                    f"{head}SELECT u.*{extra} FROM unnest({unnest}) AS u{tail}",  # noqa: S608
                    [*defaults, *arrays],  # in the order of their placeholders
                )
                return cursor.fetchall() if returning else []
            group = "(" + ", ".join(["%s"] * (len(named) + len(rest))) + ")"
            values = [row + tuple(defaults) for row in rows]
            if not returning:
                cursor.executemany(f"{head}VALUES {group}{tail}", values)
                return []
            # RETURNING needs one statement per chunk, within SQLite's parameter limit.
            found: list[tuple[Any, ...]] = []
            per_statement = max(1, 999 // (len(named) + len(rest)))
            for start in range(0, len(values), per_statement):
                chunk = values[start : start + per_statement]
                cursor.execute(
                    f"{head}VALUES {', '.join([group] * len(chunk))}{tail}",
                    [value for row in chunk for value in row],
                )
                found.extend(cursor.fetchall())
            return found

    def _default(self, field: "Field[Any, Any]") -> Any:
        automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = self.now if automatic else field.get_default()
        return field.get_db_prep_save(value, connection)

    def update_tubes(self, tubes: list[TubeRow]) -> None:
        """The filled tubes' new counts and states (their rows are locked by this batch)."""
        tubes_table = table(Tube)
        filled, status, sealed_at, pk = (
            column(Tube, name) for name in ("filled", "status", "sealed_at", "id")
        )
        rows = [(tube.filled, tube.status, self.time(tube.sealed_at), tube.pk) for tube in tubes]
        with connection.cursor() as cursor:
            if self.sqlite:
                cursor.executemany(
                    f"UPDATE {tubes_table} SET {filled} = %s, {status} = %s, {sealed_at} = %s "  # noqa: S608
                    f"WHERE {pk} = %s",
                    rows,
                )
                return
            fields = self._fields(Tube)
            arrays = ", ".join(
                self._array(fields[name]) for name in ("filled", "status", "sealed_at", "id")
            )
            cursor.execute(
                f"UPDATE {tubes_table} SET {filled} = v.filled, {status} = v.status, "  # noqa: S608
                f"{sealed_at} = v.sealed_at FROM unnest({arrays}) "
                f"AS v(filled, status, sealed_at, id) WHERE {tubes_table}.{pk} = v.id",
                [pg_array(column) for column in zip(*rows, strict=True)],
            )


def pg_array(values: Sequence[Any]) -> str:
    """A PostgreSQL array literal ('{1,2,NULL}') of ints, booleans, UUIDs, datetimes and
    strings, passed as one text parameter: the driver's own list adaptation quotes every
    element through a regular expression (about 10 ms a batch). Strings are double-quoted
    with backslash escapes, the array syntax's own quoting; the literal itself is then an
    ordinary bound parameter."""
    parts = []
    for value in values:
        if value is None:
            parts.append("NULL")
        elif isinstance(value, bool):
            parts.append("t" if value else "f")
        elif isinstance(value, int | uuid.UUID):
            parts.append(str(value))
        elif isinstance(value, dt.datetime):
            parts.append(value.isoformat())
        else:
            text = str(value).replace("\\", "\\\\").replace('"', '\\"')
            parts.append(f'"{text}"')
    return "{" + ",".join(parts) + "}"
