"""What storing a registration costs the database, split by index and by statement form.

    .venv/bin/python -m bench.hot_tables [--databases sqlite,postgres] [--batch 500]

Run after `bench.ingest_http`, whose databases it reads: the registrations and first
samples that run stored (the SQLite file under its work directory, the PostgreSQL database
`bench_ingest`) are inserted again, batches of `--batch`, one transaction each, into
copies of the two hot tables:

* SQLite (`executemany`, the settings' pragmas): the tables as they are, then each with
  one secondary index left out, the registration table lean (its client id's unique key
  only) and without AUTOINCREMENT: CPU µs per registration, which is what one writer
  spends inside its turn;
* PostgreSQL: the registration table as it is, filled by COPY (the raw limit), by
  `INSERT … SELECT FROM unnest(…)` with the arrays as one text literal each (as
  `wangge.core.bulk` binds them), then with `ON CONFLICT DO NOTHING`, then with
  `RETURNING`: the server's CPU µs per row (its process, from /proc) and the client's.

No timing is asserted: the figures go to docs/benchmarks.md ("What storing a registration
costs").
"""

import argparse
import os
import sqlite3
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bench import common
from bench.ingest_http import PG_NAME, SQLITE_PATH, process_cpu_seconds

REGISTRATION = "testing_registration"
SAMPLE = "testing_roundsample"


# --- SQLite ------------------------------------------------------------------------------


def _sqlite_schema(source: sqlite3.Connection, table: str) -> tuple[str, dict[str, str]]:
    """The table's CREATE statement and its indexes' (name -> CREATE INDEX)."""
    rows = source.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL",
        [table],
    ).fetchall()
    create = next(sql for kind, _name, sql in rows if kind == "table")
    return create, {name: sql for kind, name, sql in rows if kind == "index"}


def _sqlite_variants(source: sqlite3.Connection) -> list[tuple[str, list[str], list[str]]]:
    """(name, DDL, tables filled) for each schema measured."""
    registration, registration_indexes = _sqlite_schema(source, REGISTRATION)
    sample, sample_indexes = _sqlite_schema(source, SAMPLE)
    both = [REGISTRATION, SAMPLE]
    every = [registration, *registration_indexes.values(), sample, *sample_indexes.values()]
    variants = [("both tables as they are", every, both)]
    for name in [*registration_indexes, *sample_indexes]:
        kept = [ddl for ddl in every if f'"{name}"' not in ddl]
        variants.append((f"both, without {name}", kept, both))
    registration_only = [registration, *registration_indexes.values()]
    variants += [
        ("registrations as they are", registration_only, [REGISTRATION]),
        (
            "registrations without AUTOINCREMENT",
            [ddl.replace(" AUTOINCREMENT", "") for ddl in registration_only],
            [REGISTRATION],
        ),
        ("registrations lean (client id's key only)", [registration], [REGISTRATION]),
        ("first samples as they are", [sample, *sample_indexes.values()], [SAMPLE]),
    ]
    return variants


def run_sqlite(batch: int) -> list[dict[str, Any]]:
    common.setup_django(common.server_env(f"sqlite:///{SQLITE_PATH}"))
    from django.conf import settings

    pragmas = settings.DATABASES["default"]["OPTIONS"]["init_command"]
    source = sqlite3.connect(SQLITE_PATH)
    rows = {table: _rows_sqlite(source, table) for table in (REGISTRATION, SAMPLE)}
    variants = _sqlite_variants(source)
    source.close()
    target_path = SQLITE_PATH.with_name("bench_hot_tables.sqlite3")
    results = []
    for name, ddl, tables in variants:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{target_path}{suffix}").unlink(missing_ok=True)
        target = sqlite3.connect(target_path, isolation_level=None)
        target.executescript(pragmas)
        for statement in ddl:
            target.execute(statement)
        inserts = {table: _insert_sql(table, rows[table][0]) for table in tables}
        count = len(rows[REGISTRATION][1])
        started, cpu = time.perf_counter(), time.process_time()
        for start in range(0, count, batch):
            target.execute("BEGIN IMMEDIATE")
            for table in tables:
                target.executemany(inserts[table], rows[table][1][start : start + batch])
            target.execute("COMMIT")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        target.close()
        results.append(
            {"name": name, "cpu_us": 1e6 * cpu / count, "rate": count / elapsed, "rows": count}
        )
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target_path}{suffix}").unlink(missing_ok=True)
    return results


def _rows_sqlite(source: sqlite3.Connection, table: str) -> tuple[list[str], list[Any]]:
    columns = [f'"{row[1]}"' for row in source.execute(f'PRAGMA table_info("{table}")')]
    columns = [name for name in columns if name != '"id"']
    rows = source.execute(f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY id').fetchall()  # noqa: S608
    return columns, rows


def _insert_sql(table: str, columns: list[str]) -> str:
    return f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({", ".join("?" * len(columns))})'  # noqa: S608


# --- PostgreSQL --------------------------------------------------------------------------


def run_postgres(batch: int) -> list[dict[str, Any]]:
    import psycopg

    from wangge.core.bulk import pg_array

    with psycopg.connect(common.postgres_url(PG_NAME), autocommit=True) as connection:
        types = connection.execute(
            "SELECT column_name, format_type(a.atttypid, a.atttypmod) FROM "
            "information_schema.columns c JOIN pg_attribute a ON a.attrelid = %s::regclass "
            "AND a.attname = c.column_name WHERE c.table_name = %s AND column_name <> 'id' "
            "ORDER BY ordinal_position",
            [REGISTRATION, REGISTRATION],
        ).fetchall()
        names = ", ".join(f'"{name}"' for name, _type in types)
        rows = connection.execute(
            f"SELECT {names} FROM {REGISTRATION} ORDER BY id"  # noqa: S608
        ).fetchall()
        copy = "raw_hot_registration"
        unnest = ", ".join(f"%s::{kind}[]" for _name, kind in types)
        insert = f"INSERT INTO {copy} ({names}) SELECT * FROM unnest({unnest})"  # noqa: S608

        def copy_in(chunk: Sequence[Any]) -> None:
            with connection.cursor().copy(f"COPY {copy} ({names}) FROM STDIN") as writer:
                for row in chunk:
                    writer.write_row(row)

        def statement(tail: str) -> Callable[[Sequence[Any]], None]:
            def run(chunk: Sequence[Any]) -> None:
                arrays = [pg_array(column) for column in zip(*chunk, strict=True)]
                cursor = connection.execute(insert + tail, arrays)
                if "RETURNING" in tail:
                    cursor.fetchall()

            return run

        forms = [
            ("COPY (the raw limit)", copy_in),
            ("INSERT … unnest", statement("")),
            ("INSERT … unnest ON CONFLICT DO NOTHING", statement(" ON CONFLICT DO NOTHING")),
            (
                "INSERT … unnest ON CONFLICT DO NOTHING RETURNING",
                statement(" ON CONFLICT DO NOTHING RETURNING client_id"),
            ),
        ]
        backend = connection.info.backend_pid
        results = []
        for name, fill in forms:
            connection.execute(f"DROP TABLE IF EXISTS {copy}")
            connection.execute(f"CREATE TABLE {copy} (LIKE {REGISTRATION} INCLUDING ALL)")
            server, client = process_cpu_seconds(backend), time.process_time()
            started = time.perf_counter()
            for start in range(0, len(rows), batch):
                with connection.transaction():
                    fill(rows[start : start + batch])
            elapsed = time.perf_counter() - started
            server = process_cpu_seconds(backend) - server
            client = time.process_time() - client
            results.append(
                {
                    "name": name,
                    "cpu_us": 1e6 * server / len(rows),
                    "client_us": 1e6 * client / len(rows),
                    "rate": len(rows) / elapsed,
                    "rows": len(rows),
                }
            )
        connection.execute(f"DROP TABLE {copy}")
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--batch", type=int, default=500)
    args = parser.parse_args()
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    for backend in args.databases.split(","):
        results = run_sqlite(args.batch) if backend == "sqlite" else run_postgres(args.batch)
        print(f"{backend}: {results[0]['rows']:,} registrations, batches of {args.batch}")
        for result in results:
            client = f", client {result['client_us']:.1f} µs" if "client_us" in result else ""
            print(
                f"  {result['name']:<55} {result['cpu_us']:6.1f} µs a registration{client}"
                f" ({result['rate']:,.0f}/s)"
            )
    print(f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
