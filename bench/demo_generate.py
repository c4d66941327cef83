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
import time
from pathlib import Path

from bench import common

SQLITE_FILE = Path("/tmp/wangge-bench-demo.sqlite3")  # noqa: S108 - a throwaway benchmark file
PG_NAME = "bench_demo"
VAR_DIR = Path("/tmp/wangge-bench-var")  # noqa: S108 - the benchmark's own demo secrets


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, object]:
    command = common.child_command("bench.demo_generate", args, ("residents", "profile"))
    return common.run_verbose_child(command, common.demo_env(database_url, VAR_DIR))


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from wangge.core.bulk import bulk_load_cache, create_indexes, drop_secondary_indexes
    from wangge.demo import bulk
    from wangge.demo.generator import SQLITE_BUILD_CACHE_KIB, build_demo, get_profile
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
        with bulk_load_cache(SQLITE_BUILD_CACHE_KIB), transaction.atomic():
            dropped = drop_secondary_indexes([Household, Resident]) if drop_indexes else []
            for batch in kept:
                bulk.write_batch(layouts[0], layouts[1], batch)
            create_indexes(dropped)
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
    args = common.parse_or_child(parser, child)
    if args is None:
        return
    results = common.run_each(
        args.only,
        lambda: common.fresh_sqlite(SQLITE_FILE),
        lambda: common.optional_postgres(PG_NAME),
        lambda url: run_child(url, args),
    )
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
