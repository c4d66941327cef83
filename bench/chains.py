"""The chain of a household and the gaps of a district of 1,000,000 residents (issue 11).

    .venv/bin/python -m bench.chains [--residents 1000000] [--grids 3000]
                                     [--only sqlite|postgres] [--repeat 9] [--append-docs]

For each database (a SQLite file under /tmp, and the PostgreSQL database bench_chains when
the server answers) a child process:

* builds the tree of a district with the residents' worth of households (about 2.77 people
  a household): 15 streets, their communities, `--grids` grids, written through the bulk
  path (`wangge.core.bulk.copy_rows`) — the registry's people themselves are not needed;
* gives it a chain: a district leader for every street, a street leader and a cadre for
  every community, a stationed cadre and a grid leader for every grid but a few (the
  deliberate gaps: one grid in 40 has no grid leader, one in 97 no stationed cadre, and an
  ended responsibility each), and a household representative for nine households in ten
  (one representative for ten households), each worker with a sealed phone;
* measures the median of `--repeat` runs of
  - `chain_for_household` of a household (evaluated), and the household chain page's
    selector `chain_steps` — target under 100 ms;
  - `chain_gaps` of the district with the default duties (households not required), and
    with the household representative made required (330,000 households counted) —
    target under 100 ms;
* prints the query plans of the measured queries.
"""

import argparse
import datetime as dt
import json
import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench import common

SQLITE_FILE = Path(tempfile.gettempdir()) / "wangge-bench-chains.sqlite3"
PG_NAME = "bench_chains"
VAR_DIR = Path(tempfile.gettempdir()) / "wangge-bench-chains-var"
TARGET = 0.100
STREETS = 15
PEOPLE_PER_HOUSEHOLD = 2.77
HOUSEHOLDS_PER_REPRESENTATIVE = 10


def _median(function: Any, repeat: int) -> tuple[float, Any]:
    timings, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings), result


def _raw(sql: str) -> int:
    """A captured statement run again on the cursor: the rows it returns, counted."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(sql)
        return len(cursor.fetchall())


def _plan(sql: str, params: Any) -> list[str]:
    from django.db import connection

    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return [" ".join(str(part) for part in row) for row in cursor.fetchall()]


def build(residents: int, grids: int) -> dict[str, Any]:
    """The district's tree, households, workers and responsibilities, in bulk."""
    from django.db import connection, transaction

    from tests.factories import make_area
    from wangge.areas.choices import AreaKind
    from wangge.areas.models import Area
    from wangge.core.bulk import BatchSql, copy_rows
    from wangge.core.personal_data import seal_phone
    from wangge.lib.natural import natural_sort_key
    from wangge.residents.models import Household
    from wangge.workforce.choices import WorkerKind
    from wangge.workforce.models import Duty, Responsibility, Worker

    now = dt.datetime.now(dt.UTC)
    since = now - dt.timedelta(days=30)
    sql = BatchSql(now)
    duties = {duty.code: duty.pk for duty in Duty.objects.all()}
    households_total = int(residents / PEOPLE_PER_HOUSEHOLD)
    communities_per_street = max(1, round(grids / STREETS / 30))
    grids_per_community = max(1, grids // (STREETS * communities_per_street))
    per_grid = max(1, households_total // (STREETS * communities_per_street * grids_per_community))
    residents_per_grid = int(per_grid * PEOPLE_PER_HOUSEHOLD)

    with transaction.atomic():
        city = make_area("兰州市", AreaKind.CITY)
        district = make_area("七里河区", AreaKind.DISTRICT, city, code="620103")
        rows: list[tuple[Any, ...]] = []
        area_columns = [
            "path",
            "depth",
            "numchild",
            "name",
            "kind",
            "resident_count",
            "household_count",
        ]
        for s in range(1, STREETS + 1):
            street_path = Area._get_path(district.path, 3, s)
            rows.append((street_path, 3, communities_per_street, f"街道{s}", AreaKind.STREET, 0, 0))
            for c in range(1, communities_per_street + 1):
                community_path = Area._get_path(street_path, 4, c)
                rows.append(
                    (
                        community_path,
                        4,
                        grids_per_community,
                        f"社区{s}-{c}",
                        AreaKind.COMMUNITY,
                        0,
                        0,
                    )
                )
                for g in range(1, grids_per_community + 1):
                    rows.append(
                        (
                            Area._get_path(community_path, 5, g),
                            5,
                            0,
                            f"小区{s}-{c}-{g}",
                            AreaKind.COMPOUND,
                            residents_per_grid,
                            per_grid,
                        )
                    )
        copy_rows(Area, area_columns, rows)
        Area.objects.filter(pk=district.pk).update(numchild=STREETS)
        areas = list(
            Area.objects.filter(path__startswith=district.path, depth__gt=2)
            .order_by("path")
            .values_list("pk", "kind", "depth")
        )
        grid_ids = [pk for pk, kind, _depth in areas if kind == AreaKind.COMPOUND]

        household_rows = []
        for grid_id in grid_ids:
            for h in range(per_grid):
                building, unit, room = str(h // 40 + 1), str(h // 20 % 2 + 1), str(h % 20 + 101)
                household_rows.append(
                    (
                        grid_id,
                        building,
                        unit,
                        room,
                        "",
                        natural_sort_key(building, unit, room),
                        sql.time(now),
                    )
                )
        copy_rows(
            Household,
            ["grid_id", "building", "unit", "room", "address", "sort_key", "created_at"],
            household_rows,
        )

        worker_rows: list[tuple[Any, ...]] = []
        held_rows: list[tuple[Any, ...]] = []
        phone = iter(range(13_800_000_000, 13_900_000_000))

        def worker(area_id: int, kind: str) -> Any:
            sealed = seal_phone(str(next(phone)))
            key = sql.uuid(uuid.uuid4())
            worker_rows.append(
                (
                    key,
                    f"干部{len(worker_rows)}",
                    kind,
                    "",
                    "",
                    False,
                    False,
                    "",
                    area_id,
                    True,
                    sql.time(now),
                    sql.time(now),
                    sealed.cipher,
                    sealed.index,
                    sealed.masked,
                )
            )
            return key

        def hold(
            key: Any,
            code: str,
            area_id: int,
            household_id: int | None = None,
            ended: dt.datetime | None = None,
        ) -> None:
            held_rows.append(
                (key, duties[code], area_id, household_id, sql.time(since), sql.time(ended))
            )

        gaps = 0
        for position, (pk, kind, _depth) in enumerate(areas):
            if kind == AreaKind.STREET:
                hold(worker(district.pk, WorkerKind.STREET_STAFF), "district_leader_street", pk)
            elif kind == AreaKind.COMMUNITY:
                hold(worker(pk, WorkerKind.STREET_STAFF), "street_leader_community", pk)
                hold(worker(pk, WorkerKind.COMMUNITY_STAFF), "cadre_community", pk)
            else:
                if position % 97:
                    hold(worker(pk, WorkerKind.STATIONED_CADRE), "stationed_cadre_grid", pk)
                else:
                    gaps += 1
                    ended = since + dt.timedelta(days=1)
                    hold(
                        worker(pk, WorkerKind.STATIONED_CADRE),
                        "stationed_cadre_grid",
                        pk,
                        None,
                        ended,
                    )
                if position % 40:
                    hold(worker(pk, WorkerKind.GRID_LEADER), "grid_leader", pk)
                else:
                    gaps += 1
        households = Household.objects.order_by("pk").values_list("pk", "grid_id")
        representative = None
        represented = 0
        for index, (household_id, grid_id) in enumerate(households.iterator(chunk_size=20_000)):
            if index % 10 == 9:
                continue
            if represented % HOUSEHOLDS_PER_REPRESENTATIVE == 0:
                representative = worker(grid_id, WorkerKind.VOLUNTEER)
            represented += 1
            hold(representative, "household_representative", grid_id, household_id)
        copy_rows(
            Worker,
            [
                "id",
                "name",
                "kind",
                "sent_from",
                "committee",
                "party_member",
                "sent_down",
                "unit",
                "area_id",
                "active",
                "created_at",
                "updated_at",
                "phone_cipher",
                "phone_index",
                "phone_masked",
            ],
            worker_rows,
        )
        copy_rows(
            Responsibility,
            ["worker_id", "duty_id", "area_id", "household_id", "started_at", "ended_at"],
            held_rows,
        )
    if connection.vendor == "postgresql":
        connection.ensure_connection()
        connection.connection.autocommit = True
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")
    else:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA optimize")
            cursor.execute("ANALYZE")
    return {
        "district": district.pk,
        "grids": len(grid_ids),
        "households": len(household_rows),
        "residents": residents_per_grid * len(grid_ids),
        "workers": len(worker_rows),
        "responsibilities": len(held_rows),
        "area_gaps": gaps,
        "represented": represented,
    }


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from wangge.areas.models import Area
    from wangge.residents.models import Household
    from wangge.workforce.models import Duty
    from wangge.workforce.selectors import chain_for_household, chain_gaps, chain_steps

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    built = build(args.residents, args.grids)
    build_seconds = time.perf_counter() - started

    district = Area.objects.get(pk=built["district"])
    # A household in the middle of the district, read as the page reads it.
    middle = Household.objects.order_by("pk").values_list("pk", flat=True)[built["households"] // 2]
    household = Household.objects.select_related("grid").get(pk=middle)
    now = timezone.now()

    chain_s, chain = _median(lambda: list(chain_for_household(household, now)), args.repeat)
    steps_s, _ = _median(lambda: chain_steps(household.grid, now, household), args.repeat)
    gaps_s, coverage = _median(lambda: chain_gaps([district.path], now), args.repeat)
    Duty.objects.filter(code="household_representative").update(required=True)
    with_households_s, with_households = _median(
        lambda: chain_gaps([district.path], now), args.repeat
    )
    card_s, _ = _median(lambda: chain_gaps([district.path], now, list_gaps=False), args.repeat)

    from django.test.utils import CaptureQueriesContext

    plans: dict[str, list[str]] = {}
    sql, params = chain_for_household(household, now).query.sql_with_params()
    plans["chain_for_household"] = _plan(sql, params)
    # The statements chain_gaps runs (households required), timed on the cursor alone:
    # what the database costs, the rest being Python.
    with CaptureQueriesContext(connection) as captured:
        chain_gaps([district.path], now)
    raw_s = 0.0
    for number, query in enumerate(captured.captured_queries):
        statement = query["sql"]
        seconds, _rows = _median(lambda statement=statement: _raw(statement), args.repeat)
        raw_s += seconds
        plans[f"chain_gaps query {number + 1} ({common.ms(seconds)})"] = _plan(statement, None)
    Duty.objects.filter(code="household_representative").update(required=False)
    with CaptureQueriesContext(connection) as captured:
        chain_gaps([district.path], now)
    default_raw_s = sum(
        _median(lambda statement=query["sql"]: _raw(statement), args.repeat)[0]
        for query in captured.captured_queries
    )

    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                **built,
                "build_seconds": round(build_seconds, 1),
                "chain_length": len(chain),
                "chain_s": chain_s,
                "steps_s": steps_s,
                "gaps_s": gaps_s,
                "required": coverage.required,
                "covered": coverage.covered,
                "with_households_s": with_households_s,
                "household_required": with_households.required,
                "household_covered": with_households.covered,
                "card_s": card_s,
                "gaps_raw_s": default_raw_s,
                "with_households_raw_s": raw_s,
                "load": round(os.getloadavg()[0], 1),
                "plans": plans,
            },
            ensure_ascii=False,
        )
    )


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = common.child_command("bench.chains", args, ("residents", "grids", "repeat"))
    return common.run_json_child(
        command, common.demo_env(database_url, VAR_DIR, LOG_LEVEL="WARNING")
    )


def _met(*seconds: float) -> str:
    return "met" if all(value < TARGET for value in seconds) else "MISSED"


def report(r: dict[str, Any]) -> list[str]:
    return [
        f"{r['vendor']}: {r['residents']:,} residents' worth: {r['grids']:,} grids, "
        f"{r['households']:,} households, {r['workers']:,} workers, "
        f"{r['responsibilities']:,} responsibilities (built in {r['build_seconds']} s)",
        f"  chain of a household ({r['chain_length']} people): {common.ms(r['chain_s'])}; "
        f"its page's chain with the duties nobody holds: {common.ms(r['steps_s'])}",
        f"  gaps of the district: {common.ms(r['gaps_s'])} ({r['covered']:,} of "
        f"{r['required']:,} pairs covered); with households required "
        f"{common.ms(r['with_households_s'])} ({r['household_covered']:,} of "
        f"{r['household_required']:,}); the card's figures {common.ms(r['card_s'])}; "
        f"the statements alone {common.ms(r['gaps_raw_s'])} / "
        f"{common.ms(r['with_households_raw_s'])}; load average {r['load']}; "
        f"target < 100 ms: {_met(r['chain_s'], r['gaps_s'])} "
        f"(households required: {_met(r['with_households_s'])})",
    ]


def append_docs(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lines = [
        "",
        "## Responsibility chains in a district of 1,000,000 residents (issue 11)",
        "",
        f"`.venv/bin/python -m bench.chains --residents {args.residents} --grids {args.grids}`"
        " — 2 cores shared with other sessions; the district's tree and households written "
        "in bulk, every street, community and grid given its required duties but a few "
        "deliberate gaps, nine households in ten a representative; medians of "
        f"{args.repeat} runs. `chain_gaps` is three queries (duties, areas of the levels "
        "with required duties, held (area, duty) pairs from a partial covering index) and a "
        "fourth when a household duty is required (represented households counted by grid); "
        '`chain_for_household` one. "SQL alone": the same statements run again on the '
        "cursor.",
        "",
        "| database | load avg | grids / households / responsibilities | chain of a household | "
        "its page's chain | gaps of the district (SQL alone) | households required (SQL "
        "alone) | target < 100 ms |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['vendor']} | {r['load']} | {r['grids']:,} / {r['households']:,} / "
            f"{r['responsibilities']:,} | {common.ms(r['chain_s'])} | "
            f"{common.ms(r['steps_s'])} | {common.ms(r['gaps_s'])} "
            f"({common.ms(r['gaps_raw_s'])}) | {common.ms(r['with_households_s'])} "
            f"({common.ms(r['with_households_raw_s'])}) | chain and default gaps: "
            f"{_met(r['chain_s'], r['gaps_s'])}; households required: "
            f"{_met(r['with_households_s'])} |"
        )
    common.append_docs_section(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--grids", type=int, default=3000)
    parser.add_argument("--repeat", type=int, default=9)
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
        print("\n".join(report(result)))
        for name, plan in result["plans"].items():
            print(f"  plan of {name}:")
            for line in plan:
                print(f"    {line}")
    if args.append_docs:
        append_docs(results, args)


if __name__ == "__main__":
    main()
