"""Writing many rows at once, on SQLite and PostgreSQL alike: the one place that knows how.

The ORM prepares every value through its field and builds a model instance per row; for
the registry import, the demo and a station's batch that was most of the time. Here values
go to the driver as they are, in the form the database stores (`BatchSql.time`,
`BatchSql.uuid`), always as bound parameters; table and column names come from the models'
metadata, quoted (`core.sql`). Each operation takes the database's own fast path:

- appending rows (`copy_rows`): COPY on PostgreSQL, one prepared INSERT run by
  `executemany` on SQLite;
- inserting with defaults, `ON CONFLICT DO NOTHING` and `RETURNING` (`BatchSql.insert`),
  reading and updating by key (`select_in`, `update`): one statement per table and batch
  whatever its size, its rows bound as one parameter each — one array per column on
  PostgreSQL (`unnest`, `= ANY`), whose driver parses a statement's placeholders in Python
  (5,000 of them cost 40 ms a batch), one JSON array of rows on SQLite (`json_each`),
  whose per-statement work (AUTOINCREMENT's counter, statement setup) is then done once
  a batch, not once a row;
- a bulk load (`bulk_load_cache`, `drop_secondary_indexes`, `create_indexes`, `analyze`).
"""

import datetime as dt
import decimal
import json
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import Any

from django.db import connection
from django.db.models import Field, Model

from wangge.core.sql import column, table

CHUNK = 5_000  # rows per executemany on SQLite, and between two progress reports
SQLITE_MAX_PARAMETERS = 999


def is_sqlite() -> bool:
    return connection.vendor == "sqlite"


def copy_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    progress: Callable[[int], object] | None = None,
) -> None:
    """Append rows of `columns` (database column names) whose values are already in the
    database's form. Both paths run on the driver's own cursor, inside Django's connection
    and so its transaction: Django's cursor wrapper would re-read every row to guess the
    parameter style. `progress` hears how many rows went, every CHUNK rows."""
    connection.ensure_connection()
    names = ", ".join(connection.ops.quote_name(name) for name in columns)
    if not is_sqlite():
        done = 0
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table(model)} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    done += 1
                    if progress is not None and done % CHUNK == 0:
                        progress(CHUNK)
        if progress is not None and done % CHUNK:
            progress(done % CHUNK)
        return
    marks = ", ".join(["?"] * len(columns))
    raw = connection.connection.cursor()
    try:
        each = iter(rows)
        while chunk := list(islice(each, CHUNK)):
            raw.executemany(f"INSERT INTO {table(model)} ({names}) VALUES ({marks})", chunk)  # noqa: S608
            if progress is not None:
                progress(len(chunk))
    finally:
        raw.close()


class BatchSql:
    """A batch's large reads and writes as plain SQL, named by the models' metadata.

    Values go to the driver as they are; the only ones that need the database's form are
    UUIDs (text on SQLite) and datetimes (UTC text on SQLite). A column an insert does not
    name gets its field's default (`now` for automatic timestamps), so a field added later
    is filled.
    """

    def __init__(self, now: dt.datetime) -> None:
        self.now = now
        self.sqlite = is_sqlite()
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
        if value.tzinfo is dt.UTC:  # what the batch decoder gives for "Z" and "+00:00"
            return value.isoformat(" ")[:-6]  # without its "+00:00"
        return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")

    def _fields(self, model: type[Model]) -> dict[str, "Field[Any, Any]"]:
        return {field.name: field for field in model._meta.concrete_fields}

    def _array(self, field: "Field[Any, Any]") -> str:
        return f"%s::{field.cast_db_type(connection)}[]"

    def _in(self, model: type[Model], name: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        if self.sqlite:
            where = f"{column(model, name)} IN (SELECT value FROM json_each(%s))"  # noqa: S608
            return where, [sqlite_json(values)]
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
        lock: bool = False,
    ) -> list[tuple[Any, ...]]:
        """Rows of `columns` whose `key` is one of `values` (and `also` column in its list).

        `lock`: on PostgreSQL the rows are locked for update, in the order of `key` (two
        transactions locking overlapping sets cannot deadlock); SQLite's writer already
        holds the whole database.
        """
        if not values:
            return []
        names = ", ".join(column(model, name) for name in columns)
        where, params = self._in(model, key, values)
        if also is not None:
            more, more_params = self._in(model, also[0], also[1])
            where, params = f"{where} AND {more}", params + more_params
        sql = f"SELECT {names} FROM {table(model)} WHERE {where}"  # noqa: S608
        if lock and not self.sqlite:
            sql += f" ORDER BY {column(model, key)} FOR UPDATE"
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows: list[tuple[Any, ...]] = cursor.fetchall()
        return rows

    def insert(
        self,
        model: type[Model],
        fields: Sequence[str],
        rows: Sequence[tuple[Any, ...]],
        *,
        ignore_conflicts: bool = False,
        returning: Sequence[str] = (),
    ) -> list[tuple[Any, ...]]:
        """Insert rows of `fields` values (in the database's form); the `returning` columns
        of the new rows, in no particular order (with `ignore_conflicts`, only of the rows
        that were inserted)."""
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
                arrays = [pg_array(values) for values in zip(*rows, strict=True)]
                unnest = ", ".join(self._array(field) for field in named)
                extra = "".join(f", %s::{field.cast_db_type(connection)}" for field in rest)
                cursor.execute(
                    f"{head}SELECT u.*{extra} FROM unnest({unnest}) AS u{tail}",  # noqa: S608
                    [*defaults, *arrays],  # in the order of their placeholders
                )
                return cursor.fetchall() if returning else []
            # One statement: the rows as one JSON array of arrays, read by json_each (the
            # WHERE resolves the grammar's ambiguity of INSERT … SELECT … ON CONFLICT).
            picks = ", ".join(f"value ->> {index}" for index in range(len(named)))
            extra = "".join(", %s" for _field in rest)
            cursor.execute(
                f"{head}SELECT {picks}{extra} FROM json_each(%s) WHERE true{tail}",  # noqa: S608
                [*defaults, sqlite_json(rows)],
            )
            return cursor.fetchall() if returning else []

    def _default(self, field: "Field[Any, Any]") -> Any:
        automatic = getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
        value = self.now if automatic else field.get_default()
        return field.get_db_prep_save(value, connection)

    def update(
        self, model: type[Model], fields: Sequence[str], rows: Sequence[tuple[Any, ...]]
    ) -> None:
        """Set `fields` of each row named by its primary key, the last value of each row
        (values in the database's form)."""
        if not rows:
            return
        pk = str(model._meta.pk.name)  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            if self.sqlite:
                sets = ", ".join(
                    f"{column(model, name)} = v.value ->> {index}"
                    for index, name in enumerate(fields)
                )
                cursor.execute(
                    f"UPDATE {table(model)} SET {sets} FROM json_each(%s) AS v "  # noqa: S608
                    f"WHERE {table(model)}.{column(model, pk)} = v.value ->> {len(fields)}",
                    [sqlite_json(rows)],
                )
                return
            by_name = self._fields(model)
            names = [*fields, pk]
            arrays = ", ".join(self._array(by_name[name]) for name in names)
            aliases = ", ".join(f"v{index}" for index in range(len(names)))
            sets = ", ".join(
                f"{column(model, name)} = v.v{index}" for index, name in enumerate(fields)
            )
            cursor.execute(
                f"UPDATE {table(model)} SET {sets} FROM unnest({arrays}) "  # noqa: S608
                f"AS v({aliases}) WHERE {table(model)}.{column(model, pk)} = v.v{len(fields)}",
                [pg_array(values) for values in zip(*rows, strict=True)],
            )


def sqlite_json(values: Sequence[Any]) -> str:
    """Values (or rows of values) in the database's form as one JSON text for SQLite's
    `json_each`: a bound parameter, read by SQLite's own parser."""
    return json.dumps(values, ensure_ascii=False, separators=(",", ":"), default=_json_value)


def _json_value(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return value.hex
    if isinstance(value, dt.datetime):
        return value.isoformat(" ")
    if isinstance(value, dt.date | decimal.Decimal):
        return str(value)
    raise TypeError(f"{type(value).__name__} cannot go into a batch statement")


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


# --- bulk loads: most of a table new at once ---------------------------------------------


@contextmanager
def bulk_load_cache(kib: int) -> Iterator[None]:
    """SQLite: a page cache of `kib` KiB while loading, restored afterwards (PostgreSQL's
    shared buffers are the server's to size)."""
    if not is_sqlite():
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute(f"PRAGMA cache_size=-{int(kib)}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size={int(previous)}")


def _secondary_indexes(model: type[Model]) -> list[tuple[str, str]]:
    """(name, CREATE statement) of a table's indexes that no constraint owns."""
    name = model._meta.db_table
    with connection.cursor() as cursor:
        if is_sqlite():
            cursor.execute(
                "SELECT name, sql FROM sqlite_master "
                "WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [name],
            )
        else:
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
                "AND indexname NOT IN "
                "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
                [name, name],
            )
        return [(str(index), str(sql)) for index, sql in cursor.fetchall()]


def drop_secondary_indexes(models: Sequence[type[Model]]) -> list[tuple[str, str]]:
    """Drop the tables' secondary indexes before a bulk load; `create_indexes` restores them.

    Inserting a million rows one by one into indexes on random values (sealed numbers,
    resident codes, names) costs far more than sorting them once when an index is
    created. Only worth it when most of the table is new. The caller holds a
    transaction, so a failure leaves the indexes as they were; a unique index is checked
    again when it is created.
    """
    dropped = [index for model in models for index in _secondary_indexes(model)]
    with connection.cursor() as cursor:
        for name, _sql in dropped:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return dropped


def create_indexes(dropped: list[tuple[str, str]]) -> None:
    if not dropped:
        return
    with connection.cursor() as cursor:
        if not is_sqlite():
            # PostgreSQL will not index a table with foreign-key checks still queued:
            # run them now, then defer again as Django's constraints are declared.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # Sort in memory rather than on disk (for this transaction only).
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, sql in dropped:
            cursor.execute(sql)
        if not is_sqlite():
            cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def analyze(models: Sequence[type[Model]]) -> None:
    """PostgreSQL: fresh statistics after a bulk load, or the planner guesses from none
    until autovacuum comes by (SQLite's planner needs none to pick these indexes)."""
    if is_sqlite():
        return
    with connection.cursor() as cursor:
        for model in models:
            cursor.execute(f"ANALYZE {table(model)}")


def lock_for_writes(model: type[Model]) -> None:
    """Serialise writers of a table for the rest of the transaction (SQLite's IMMEDIATE
    transactions already do: one writer at a time)."""
    if not is_sqlite():
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {table(model)} IN SHARE ROW EXCLUSIVE MODE")
