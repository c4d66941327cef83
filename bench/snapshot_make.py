"""Making a day's figures for a district of 1,000,000 residents (issue 13), against the raw
GROUP BY of the same rows.

    .venv/bin/python -m bench.snapshot_make [--residents 1000000] [--only sqlite|postgres]
                                            [--repeat 3] [--append-docs]

For each database (a SQLite file under /tmp, and the PostgreSQL database bench_snapshots
when the server answers) a child process builds the demo district (qilihe profile, N
residents), its workforce (the responsibility chain) and its testing rounds (a finished
round and one in progress over every resident), then measures, median of `--repeat`:

* `snapshots.actions.make_day(district, today)`: every collector over the district, the
  roll-up, one snapshot per area written (the areas above re-summed after the first run);
* the same for yesterday (state figures read "as of" the end of the day);
* the number of queries of one making;
* the raw floor in the same run: the plain SQL GROUP BY any making must run over the
  biggest table it reads (the round's samples per grid), and the read of the district's
  areas with their counts.

Target: minutes at most, ideally well under one.
"""

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common

SQLITE_FILE = Path(tempfile.gettempdir()) / "wangge-bench-snapshots.sqlite3"
PG_NAME = "bench_snapshots"
VAR_DIR = Path(tempfile.gettempdir()) / "wangge-bench-snapshots-var"
TARGET_SECONDS = 60.0


def _median(function: Any, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def child(args: argparse.Namespace) -> None:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from wangge.accounts.models import User
    from wangge.areas.models import Area
    from wangge.demo.generator import build_demo, get_profile
    from wangge.demo.workforce import build_demo_workforce
    from wangge.snapshots.actions import make_day
    from wangge.snapshots.models import DaySnapshot, RunTrigger
    from wangge.testing.demo import build_demo_rounds
    from wangge.testing.models import RoundSample

    call_command("migrate", verbosity=0)
    profile = get_profile("qilihe")
    started = time.perf_counter()
    built = build_demo(profile, residents=args.residents, seed=1)
    build_demo_workforce(built.district, profile, seed=1, acting_user=None)
    admin, _ = User.objects.get_or_create(
        username="bench-snapshots", defaults={"is_superuser": True, "is_staff": True}
    )
    build_demo_rounds(built.district, seed=1, acting_user=admin)
    build_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            connection.ensure_connection()
            connection.connection.autocommit = True
            cursor.execute("VACUUM ANALYZE")
        else:
            cursor.execute("ANALYZE")

    district = Area.objects.get(pk=built.district.pk)
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)

    def make(day: dt.date) -> Any:
        return make_day(district, day, trigger=RunTrigger.ON_DEMAND, acting_user=None)

    started = time.perf_counter()
    first = make(today)  # the first of the day makes the city too
    first_seconds = time.perf_counter() - started
    today_s = _median(lambda: make(today), args.repeat)
    make(yesterday)
    yesterday_s = _median(lambda: make(yesterday), args.repeat)
    with CaptureQueriesContext(connection) as captured:
        run = make(today)
    queries = len(captured.captured_queries)

    samples = RoundSample._meta.db_table
    areas = Area._meta.db_table

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT round_id, grid_id, COUNT(*) FROM {samples} "  # noqa: S608
                "WHERE counted GROUP BY round_id, grid_id"
            )
            cursor.fetchall()
            cursor.execute(
                f"SELECT id, name, kind, path, depth, resident_count, household_count "  # noqa: S608
                f"FROM {areas} WHERE path LIKE %s",
                [district.path + "%"],
            )
            cursor.fetchall()

    raw_s = _median(raw, max(args.repeat, 3))
    snapshot = DaySnapshot.objects.get(area=district, day=today, current=True)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "residents": built.residents,
                "areas": run.areas,
                "first_areas": first.areas,
                "samples": RoundSample.objects.count(),
                "build_s": round(build_seconds, 1),
                "first_s": round(first_seconds, 2),
                "today_s": round(today_s, 2),
                "yesterday_s": round(yesterday_s, 2),
                "raw_s": round(raw_s, 3),
                "queries": queries,
                "load": os.getloadavg()[0],
                "residents_figure": snapshot.figures["population.residents"],
                "sampled_figure": snapshot.figures["testing.sampled"],
            }
        )
    )


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = common.child_command("bench.snapshot_make", args, ("residents", "repeat"))
    return common.run_json_child(
        command, common.demo_env(database_url, VAR_DIR, LOG_LEVEL="WARNING")
    )


def _ratio(r: dict[str, Any]) -> str:
    return f"{r['today_s'] / max(r['raw_s'], 0.001):.1f}×"


def report(r: dict[str, Any]) -> str:
    met = "met" if r["today_s"] < TARGET_SECONDS else "MISSED"
    return (
        f"{r['vendor']}: {r['residents']:,} residents, {r['areas']:,} areas, "
        f"{r['samples']:,} samples: make today {r['today_s']} s (first of the day, the city "
        f"too: {r['first_s']} s), yesterday {r['yesterday_s']} s, {r['queries']} queries; raw "
        f"GROUP BY {r['raw_s']} s ({_ratio(r)}); load {r['load']:.1f}; target < 60 s: {met}"
    )


def append_docs(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lines = [
        "",
        "## Making a day's figures for a district of 1,000,000 residents (issue 13)",
        "",
        f"`.venv/bin/python -m bench.snapshot_make --residents {args.residents} --repeat "
        f"{args.repeat}` — 2 cores shared with other sessions' work (noisy; the load average "
        "at the end of each run is in the table). The demo district (qilihe) with its "
        "workforce and its two rounds (a finished one and one in progress over every "
        "resident). `make_day(district, day)`: every collector over the district (grouped "
        "queries), the roll-up, a snapshot per area written and the city above re-summed; "
        "yesterday reads the state figures as of the end of the day. The raw floor is the "
        "plain GROUP BY of the round samples per grid and the read of the district's areas, "
        "run on the cursor in the same process. Median of the runs.",
        "",
        "| database | residents | areas | make today | first of the day | yesterday | "
        "queries | raw floor | make ÷ raw | load | target < 60 s |",
        "|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['vendor']} | {r['residents']:,} | {r['areas']:,} | {r['today_s']} s | "
            f"{r['first_s']} s | {r['yesterday_s']} s | {r['queries']} | {r['raw_s']} s | "
            f"{_ratio(r)} | {r['load']:.1f} | "
            f"{'met' if r['today_s'] < TARGET_SECONDS else 'MISSED'} |"
        )
    common.append_docs_section(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--append-docs", action="store_true")
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
        print(report(result))
    if args.append_docs:
        append_docs(results, args)


if __name__ == "__main__":
    main()
