"""Live coverage of a round over a million residents, against the database's raw scan.

    .venv/bin/python -m bench.coverage [--residents 1000000] [--only sqlite|postgres]
                                       [--repeat 7] [--append-docs]

For each database (a SQLite file under /tmp, and the PostgreSQL database bench_coverage
when the server answers) a child process:

* builds the demo district (`wangge.demo.generator.build_demo`, the qilihe profile) with
  N residents, and its testing rounds (`wangge.testing.demo.build_demo_rounds`): a
  finished round with about 97 % of the expected residents sampled, and a round in progress;
* measures, as the round's page does it, the median of `--repeat` runs of
  - the district summary: `selectors.coverage(round, district)` (the district's figures and
    each street's) — target under 1 s;
  - `actions.rounds.refresh_stale_grids`, which the page runs first (nothing stale);
  - one grid's untested list (`selectors.untested_residents`, the largest grid, as the
    page lists it: the count and the first 100 rows, and as the export reads it: all rows)
    — target under 50 ms;
* measures the raw limit in the same run: the one aggregate any coverage computation must
  make (people sampled per grid, a GROUP BY over the round's samples) and the read of the
  grid's residents, as plain SQL; the figures are reported as ratios to those;
* prints the query plans (EXPLAIN QUERY PLAN / EXPLAIN ANALYZE) of the measured queries.
"""

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import common

SQLITE_FILE = Path(tempfile.gettempdir()) / "wangge-bench-coverage.sqlite3"
PG_NAME = "bench_coverage"
VAR_DIR = Path(tempfile.gettempdir()) / "wangge-bench-coverage-var"
TARGET_SUMMARY = 1.0
TARGET_UNTESTED = 0.050


def _median(function: Any, repeat: int) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def _plan(sql: str, params: Any) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return [" ".join(str(part) for part in row) for row in cursor.fetchall()]


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, reset_queries
    from django.db.models import Count

    from wangge.accounts.models import User
    from wangge.areas.choices import GRID_KINDS
    from wangge.areas.models import Area
    from wangge.core.permissions import Perm
    from wangge.demo.generator import build_demo, get_profile
    from wangge.residents.models import Resident
    from wangge.testing.actions.rounds import refresh_stale_grids
    from wangge.testing.choices import RoundStatus
    from wangge.testing.demo import build_demo_rounds
    from wangge.testing.models import Round, RoundSample
    from wangge.testing.selectors import coverage, untested_residents

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    built = build_demo(get_profile("qilihe"), residents=args.residents, seed=1)
    district_seconds = time.perf_counter() - started
    admin, _ = User.objects.get_or_create(
        username="bench-coverage", defaults={"is_superuser": True, "is_staff": True}
    )
    started = time.perf_counter()
    build_demo_rounds(built.district, seed=1, acting_user=admin)
    rounds_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        # What autovacuum does soon after a bulk load: statistics, and the visibility map
        # that lets the "not sampled" probe read the index alone.
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
            cursor.execute("ANALYZE")

    district = Area.objects.get(pk=built.district.pk)
    finished = Round.objects.get(status=RoundStatus.CLOSED, scope__area=district)
    current = Round.objects.get(status=RoundStatus.OPEN, scope__area=district)
    visible = Resident.objects.visible_to(admin, Perm.VIEW_REGISTRY)

    summary_s, result = _median(lambda: coverage(finished, district), args.repeat)
    summary_open_s, _ = _median(lambda: coverage(current, district), args.repeat)
    refresh_s, _ = _median(lambda: refresh_stale_grids(current), args.repeat)

    grid = (
        Area.objects.filter(path__startswith=district.path, kind__in=GRID_KINDS)
        .order_by("-resident_count")
        .first()
    )
    assert grid is not None

    def page() -> int:
        queryset = untested_residents(current, grid, visible)
        count = queryset.count()
        list(queryset[:100])
        return count

    def export() -> int:
        return len(list(untested_residents(current, grid, visible)))

    untested_page_s, untested_count = _median(page, args.repeat)
    untested_all_s, _ = _median(export, args.repeat)

    samples_table = RoundSample._meta.db_table
    raw_sql = (
        f"SELECT grid_id, COUNT(*) FROM {samples_table} "  # noqa: S608
        "WHERE round_id = %s AND counted GROUP BY grid_id"
    )

    def raw_read(sql: str, param: int) -> Callable[[], int]:
        """The plain-SQL query as a measured function: the rows it returns, counted."""

        def read() -> int:
            with connection.cursor() as cursor:
                cursor.execute(sql, [param])
                return len(cursor.fetchall())

        return read

    raw_summary_s, _ = _median(raw_read(raw_sql, finished.pk), args.repeat)
    residents_sql = (
        f"SELECT id, name, household_id, phone_masked FROM {Resident._meta.db_table} "  # noqa: S608
        "WHERE grid_id = %s"
    )
    raw_grid_s, grid_residents = _median(raw_read(residents_sql, grid.pk), args.repeat)

    # The plans of the queries measured (what to index if a target is missed).
    plans: dict[str, list[str]] = {}
    queryset = untested_residents(current, grid, visible)
    sql, params = queryset.query.sql_with_params()
    plans["untested"] = _plan(sql, params)
    samples = (
        RoundSample.objects.filter(
            round=finished, counted=True, grid__path__startswith=district.path
        )
        .order_by()
        .values("grid_id")
        .annotate(n=Count("pk"))
    )
    sql, params = samples.query.sql_with_params()
    plans["samples_by_grid"] = _plan(sql, params)
    reset_queries()

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "residents": built.residents,
                "grids": Area.objects.filter(
                    path__startswith=district.path, kind__in=GRID_KINDS
                ).count(),
                "reused": built.already_built,
                "district_seconds": round(district_seconds, 1),
                "rounds_seconds": round(rounds_seconds, 1),
                "expected": result.total.expected,
                "sampled": result.total.sampled,
                "summary_s": summary_s,
                "summary_open_s": summary_open_s,
                "refresh_s": refresh_s,
                "raw_summary_s": raw_summary_s,
                "grid_residents": grid_residents,
                "untested": untested_count,
                "untested_page_s": untested_page_s,
                "untested_all_s": untested_all_s,
                "raw_grid_s": raw_grid_s,
                "plans": plans,
            },
            ensure_ascii=False,
        )
    )


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = common.child_command("bench.coverage", args, ("residents", "repeat"))
    return common.run_json_child(
        command, common.demo_env(database_url, VAR_DIR, LOG_LEVEL="WARNING")
    )


def report(result: dict[str, Any]) -> list[str]:
    summary_ok = result["summary_s"] < TARGET_SUMMARY
    untested_ok = result["untested_page_s"] < TARGET_UNTESTED
    built = (
        "built by an earlier run"
        if result["reused"]
        else f"district built in {result['district_seconds']} s, its two rounds in "
        f"{result['rounds_seconds']} s"
    )
    return [
        f"{result['vendor']}: {result['residents']:,} residents in {result['grids']:,} grids "
        f"({built}); finished round: {result['sampled']:,} of "
        f"{result['expected']:,} expected sampled",
        f"  district summary {common.ms(result['summary_s'])} (round in progress "
        f"{common.ms(result['summary_open_s'])}, + refresh of stale grids "
        f"{common.ms(result['refresh_s'])}); raw GROUP BY of the samples "
        f"{common.ms(result['raw_summary_s'])} → {result['summary_s'] / result['raw_summary_s']:.1f}× "
        f"the raw scan; target < 1 s: {'met' if summary_ok else 'MISSED'}",
        f"  untested list of the largest grid ({result['grid_residents']:,} residents, "
        f"{result['untested']:,} untested): page (count + 100 rows) "
        f"{common.ms(result['untested_page_s'])}, all rows {common.ms(result['untested_all_s'])}; raw "
        f"read of the grid's residents {common.ms(result['raw_grid_s'])} → "
        f"{result['untested_page_s'] / result['raw_grid_s']:.1f}×; target < 50 ms: "
        f"{'met' if untested_ok else 'MISSED'}",
    ]


def append_docs(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lines = [
        "",
        "## Coverage of a round over a district (issue 4)",
        "",
        f"`.venv/bin/python -m bench.coverage --residents {args.residents}` — 2 cores; "
        "the demo district (qilihe profile) and its two demo rounds; medians of "
        f"{args.repeat} runs. Raw limit: the plain-SQL GROUP BY of the round's samples per "
        "grid (summary) and the plain read of the grid's residents (untested list).",
        "",
        "| database | residents / grids | district summary | raw GROUP BY | ratio | "
        "untested page (largest grid) | all untested rows | raw grid read | ratio | targets |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        met = (
            "met"
            if r["summary_s"] < TARGET_SUMMARY and r["untested_page_s"] < TARGET_UNTESTED
            else "MISSED"
        )
        lines.append(
            f"| {r['vendor']} | {r['residents']:,} / {r['grids']:,} | {common.ms(r['summary_s'])} | "
            f"{common.ms(r['raw_summary_s'])} | {r['summary_s'] / r['raw_summary_s']:.1f}× | "
            f"{common.ms(r['untested_page_s'])} ({r['grid_residents']:,} residents) | "
            f"{common.ms(r['untested_all_s'])} | {common.ms(r['raw_grid_s'])} | "
            f"{r['untested_page_s'] / r['raw_grid_s']:.1f}× | < 1 s, < 50 ms: {met} |"
        )
    lines.append("")
    lines.append(
        "The round page also runs `refresh_stale_grids` first: "
        + "; ".join(f"{r['vendor']} {common.ms(r['refresh_s'])}" for r in results)
        + " when nothing is stale."
    )
    fresh = [r for r in results if not r["reused"]]
    if fresh:
        lines.append(
            "Building the demo's two rounds over the district (registrations written in "
            "bulk): " + "; ".join(f"{r['vendor']} {r['rounds_seconds']} s" for r in fresh) + "."
        )
    common.append_docs_section(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--append-docs", action="store_true")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="Measure again on the databases of the previous run (same --residents).",
    )
    args = common.parse_or_child(parser, child)
    if args is None:
        return
    results = common.run_each(
        args.only,
        lambda: common.fresh_sqlite(SQLITE_FILE, args.reuse),
        lambda: common.optional_postgres(PG_NAME, args.reuse),
        lambda url: run_child(url, args),
    )
    for result in results:
        print("\n".join(report(result)))
        for name, plan in result["plans"].items():
            print(f"  plan of {name}:")
            for line in plan:
                print(f"    {line}")
    if args.append_docs:
        append_docs(results, args)


if __name__ == "__main__":
    main()
