"""How fast `wangge demo` builds a district, against the database's own bulk insert.

    .venv/bin/python -m bench.demo_generate [--residents 1000000] [--profile qilihe]
                                            [--only sqlite|postgres]

For each database (a SQLite file under /tmp, and the PostgreSQL database bench_demo when
the server answers) a child process builds the demo district from scratch — areas,
households, residents with sealed ID numbers and phones, counts, logins, audit — and
keeps the rows it wrote. Then it deletes them and writes the very same prepared rows
again with the database's own bulk path, the raw limit: executemany on SQLite, COPY on
PostgreSQL, in the same batches, (a) into the indexed tables as they are and (b) with
the secondary indexes dropped and built again afterwards, as the generator does.
The build is reported as a ratio to those.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

SQLITE_FILE = Path("/tmp/wangge-bench-demo.sqlite3")  # noqa: S108 - a throwaway benchmark file
PG_ADMIN_URL = "postgres://postgres@127.0.0.1:5432/postgres"
PG_URL = "postgres://postgres@127.0.0.1:5432/bench_demo"
VAR_DIR = Path("/tmp/wangge-bench-var")  # noqa: S108 - the benchmark's own demo secrets


def _child_env(database_url: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="wangge.settings",
        WANGGE_DEMO="true",
        WANGGE_VAR_DIR=str(VAR_DIR),
    )
    return env


def fresh_sqlite() -> str:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{SQLITE_FILE}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{SQLITE_FILE}"


def fresh_postgres(name: str = "bench_demo") -> str | None:
    try:
        import psycopg
    except ImportError:
        return None
    try:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    return PG_URL.rsplit("/", 1)[0] + "/" + name


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, object]:
    command = [
        sys.executable,
        "-m",
        "bench.demo_generate",
        "--child",
        "--residents",
        str(args.residents),
        "--profile",
        args.profile,
    ]
    output = subprocess.run(
        command, env=_child_env(database_url), check=False, capture_output=True, text=True
    )
    sys.stderr.write(output.stderr)
    output.check_returncode()
    result: dict[str, object] = json.loads(output.stdout.strip().splitlines()[-1])
    return result


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from wangge.demo import bulk
    from wangge.demo.generator import build_demo, bulk_load_settings, get_profile
    from wangge.residents.models import Household, Resident

    call_command("migrate", verbosity=0)
    profile = get_profile(args.profile)
    kept: list[bulk.Batch] = []
    result = build_demo(profile, residents=args.residents, keep=kept)
    build = result.seconds
    layouts = bulk.layouts(timezone.now())

    def clear() -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {Resident._meta.db_table}")  # noqa: S608
            cursor.execute(f"DELETE FROM {Household._meta.db_table}")  # noqa: S608
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("VACUUM")

    def raw_write(drop_indexes: bool) -> float:
        clear()
        started = time.perf_counter()
        with bulk_load_settings(), transaction.atomic():
            dropped = bulk.drop_secondary_indexes([Household, Resident]) if drop_indexes else []
            raw = connection.connection
            if connection.vendor == "sqlite":
                cursor = raw.cursor()
                households = layouts[0].insert_sql.replace("%s", "?")
                residents = layouts[1].insert_sql.replace("%s", "?")
                for batch in kept:
                    cursor.executemany(households, batch.households)
                    cursor.executemany(residents, batch.residents)
            else:
                for batch in kept:
                    bulk.write_batch(layouts[0], layouts[1], batch)
            bulk.create_indexes(dropped)
        return time.perf_counter() - started

    indexed = raw_write(drop_indexes=False)
    deferred = raw_write(drop_indexes=True)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "residents": result.residents,
                "households": result.households,
                "areas": result.areas,
                "build_seconds": round(build, 2),
                "steps": {k: round(v, 2) for k, v in result.timings.seconds.items()},
                "raw_indexed_seconds": round(indexed, 2),
                "raw_deferred_seconds": round(deferred, 2),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--profile", default="qilihe")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return
    results = []
    if args.only in (None, "sqlite"):
        results.append(run_child(fresh_sqlite(), args))
    if args.only in (None, "postgres"):
        url = fresh_postgres()
        if url is None:
            print("PostgreSQL at 127.0.0.1:5432 is unreachable: skipped")
        else:
            results.append(run_child(url, args))
    for result in results:
        build = float(result["build_seconds"])  # type: ignore[arg-type]
        indexed = float(result["raw_indexed_seconds"])  # type: ignore[arg-type]
        deferred = float(result["raw_deferred_seconds"])  # type: ignore[arg-type]
        rate = int(result["residents"]) / build  # type: ignore[call-overload]
        print(
            f"{result['vendor']}: {result['residents']:,} residents, {result['households']:,} "
            f"households, {result['areas']:,} areas — build {build:.1f} s ({rate:,.0f} "
            f"residents/s); raw bulk insert of the same rows: {indexed:.1f} s into indexed "
            f"tables (build = {build / indexed:.2f}×), {deferred:.1f} s with indexes built "
            f"afterwards (build = {build / deferred:.2f}×)"
        )
        print(f"  steps: {result['steps']}")


if __name__ == "__main__":
    main()
