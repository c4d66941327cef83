"""From a positive pooled tube to the grid's recall list, against the same work as raw SQL.

    .venv/bin/python -m bench.recall [--residents 200000] [--tubes 50] [--only sqlite|postgres]
                                     [--append-docs]

For each database (a SQLite file under /tmp, and the PostgreSQL database bench_recall when
the server answers) a child process builds the demo district with N residents and its demo
rounds, then, for `--tubes` fresh sealed tubes of ten residents of one grid in the round in
progress, measures one laboratory answer end to end:

* `actions.results.record_results` for the tube (positive): the result stored, the tube
  resulted, a Recall opened for each of its ten members, the audit entry — all in one
  transaction, as the laboratory API and the file import do;
* then the grid's recall list as its page reads it: the scoped recalls of the grid with
  person, household, tubes and the "retested" flag, and the grid's leaders.

The raw limit, in the same run: the same writes and the same read as plain SQL in one
transaction (insert the result, update the tube, insert the ten recalls by one plain
`INSERT … SELECT` from the tube's registrations, read the list back). Target (issue 4): positive tube to recall list under 10 ms.
"""

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common

SQLITE_FILE = Path(tempfile.gettempdir()) / "wangge-bench-recall.sqlite3"
PG_NAME = "bench_recall"
VAR_DIR = Path(tempfile.gettempdir()) / "wangge-bench-recall-var"
TARGET = 0.010


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from wangge.accounts.models import RoleAssignment, User
    from wangge.areas.choices import GRID_KINDS
    from wangge.areas.models import Area
    from wangge.core.permissions import Perm, Role
    from wangge.demo.generator import build_demo, get_profile
    from wangge.lib.uuid7 import uuid7
    from wangge.residents.models import Resident
    from wangge.testing.actions.results import ResultItem, record_results
    from wangge.testing.choices import RecallStatus, ResultSource, RoundStatus, TubeStatus
    from wangge.testing.demo import build_demo_rounds
    from wangge.testing.models import Registration, Round, Tube
    from wangge.testing.selectors import recall_lines

    call_command("migrate", verbosity=0)
    built = build_demo(get_profile("qilihe"), residents=args.residents, seed=1)
    admin, _ = User.objects.get_or_create(username="bench-recall", defaults={"is_superuser": True})
    build_demo_rounds(built.district, seed=1, acting_user=admin)
    district = Area.objects.get(pk=built.district.pk)
    round_ = Round.objects.get(status=RoundStatus.OPEN, scope__area=district)
    # One tube per grid, as positives come: each from another grid, read by its leader.
    grids = list(
        Area.objects.filter(
            path__startswith=district.path, kind__in=GRID_KINDS, resident_count__gte=20
        ).order_by("-resident_count")[1 : args.tubes + 1]
    )
    lab, _ = User.objects.get_or_create(username="bench-lab")
    RoleAssignment.objects.get_or_create(user=lab, role=Role.LAB_LIAISON, area=district)
    leaders = []
    for grid in grids:
        leader, _ = User.objects.get_or_create(
            username=f"bench-leader-{grid.pk}", defaults={"display_name": "网格长"}
        )
        RoleAssignment.objects.get_or_create(user=leader, role=Role.GRID_LEADER, area=grid)
        leaders.append(leader)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")

    members = {
        grid.pk: list(Resident.objects.filter(grid=grid).values_list("pk", flat=True)[:20])
        for grid in grids
    }
    now = timezone.now()
    run = int(time.time()) % 1_000_000  # barcodes of this run (a --reuse run adds its own)

    def new_tube(serial: int, grid: Area, people: list[int]) -> Tube:
        with transaction.atomic():
            tube = Tube.objects.create(
                barcode=f"B{run:06d}-{serial:05d}",
                round=round_,
                capacity=10,
                filled=len(people),
                status=TubeStatus.RECEIVED,
                area=grid,
                opened_at=now,
                sealed_at=now,
            )
            Registration.objects.bulk_create(
                Registration(
                    client_id=uuid7(), round=round_, tube=tube, resident_id=pk, sampled_at=now
                )
                for pk in people
            )
        return tube

    def read_list(user: User, grid: Area) -> int:
        return len(recall_lines(user, round_, area=grid, status=RecallStatus.OPEN, limit=100))

    timings: list[float] = []
    record_timings: list[float] = []
    listed = 0
    for index, (grid, leader) in enumerate(zip(grids, leaders, strict=True)):
        tube = new_tube(index, grid, members[grid.pk][:10])
        user = User.objects.get(pk=lab.pk)  # a fresh request: roles are read again
        reader = User.objects.get(pk=leader.pk)
        started = time.perf_counter()
        record_results(
            [ResultItem(tube.barcode, "positive")],
            tubes=Tube.objects.visible_to(user, Perm.LOAD_RESULTS),
            source=ResultSource.API,
            acting_user=user,
        )
        recorded = time.perf_counter()
        listed = read_list(reader, grid)
        timings.append(time.perf_counter() - started)
        record_timings.append(recorded - started)

    raw_timings = _raw(round_, grids, members, new_tube)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "residents": built.residents,
                "tubes": args.tubes,
                "listed": listed,
                "median_s": statistics.median(timings),
                "record_median_s": statistics.median(record_timings),
                "p90_s": sorted(timings)[int(len(timings) * 0.9) - 1],
                "raw_median_s": statistics.median(raw_timings),
            }
        )
    )


def _raw(
    round_: Any, grids: list[Any], members: dict[int, list[int]], new_tube: Any
) -> list[float]:
    """The same writes and read as plain SQL, one transaction per tube."""
    from django.db import connection, transaction
    from django.utils import timezone

    from wangge.testing.models import LabResult, Recall, Registration, Tube

    quote = connection.ops.quote_name
    sqlite = connection.vendor == "sqlite"
    timings = []
    now = timezone.now()
    stamp = now.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ") if sqlite else now
    for index, grid in enumerate(grids):
        tube = new_tube(10_000 + index, grid, members[grid.pk][10:20])
        started = time.perf_counter()
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {quote(LabResult._meta.db_table)} (tube_id, result, ct_values, "  # noqa: S608
                "tested_at, source, recorded_by_id, recorded_at) VALUES (%s, %s, %s, %s, %s, NULL, %s)",
                [tube.pk, "positive", "{}", stamp, "api", stamp],
            )
            cursor.execute(
                f"UPDATE {quote(Tube._meta.db_table)} SET result = %s, resulted_at = %s, "  # noqa: S608
                "status = %s WHERE id = %s",
                ["positive", stamp, "resulted", tube.pk],
            )
            # The recalls as the raw limit writes them: one plain INSERT … SELECT from the
            # tube's registrations (the rows never come to Python).
            cursor.execute(
                f"INSERT INTO {quote(Recall._meta.db_table)} (round_id, source_tube_id, "  # noqa: S608
                "resident_id, walk_in_id, area_id, status, opened_at, closed_at, "
                "closing_tube_id, outcome) SELECT r.round_id, r.tube_id, r.resident_id, NULL, "
                f"p.grid_id, 'open', %s, NULL, NULL, '' FROM {quote(Registration._meta.db_table)} r "
                "JOIN residents_resident p ON p.id = r.resident_id WHERE r.tube_id = %s",
                [stamp, tube.pk],
            )
            cursor.execute(
                f"SELECT c.id, p.name, p.phone_masked, h.building, h.unit, h.room "  # noqa: S608
                f"FROM {quote(Recall._meta.db_table)} c JOIN residents_resident p ON p.id = "
                "c.resident_id JOIN residents_household h ON h.id = p.household_id "
                "WHERE c.round_id = %s AND c.area_id = %s AND c.status = 'open' "
                "ORDER BY h.building, h.unit, h.room, c.id LIMIT 100",
                [round_.pk, grid.pk],
            )
            cursor.fetchall()
        timings.append(time.perf_counter() - started)
    return timings


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = common.child_command("bench.recall", args, ("residents", "tubes"))
    return common.run_json_child(
        command, common.demo_env(database_url, VAR_DIR, LOG_LEVEL="WARNING")
    )


def report(result: dict[str, Any]) -> str:
    met = "met" if result["median_s"] < TARGET else "MISSED"
    return (
        f"{result['vendor']}: {result['residents']:,} residents; positive tube of 10 → recall "
        f"list of its grid ({result['listed']} open recalls listed): median "
        f"{common.ms(result['median_s'])} (storing the result and opening the recalls "
        f"{common.ms(result['record_median_s'])}), p90 {common.ms(result['p90_s'])} over {result['tubes']} "
        f"tubes; "
        f"raw SQL of the same work {common.ms(result['raw_median_s'])} → "
        f"{result['median_s'] / result['raw_median_s']:.1f}×; target < 10 ms: {met}"
    )


def append_docs(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lines = [
        "",
        "## Positive tube to recall list (issue 4)",
        "",
        f"`.venv/bin/python -m bench.recall --residents {args.residents} --tubes {args.tubes}` — "
        "2 cores; the demo district and its rounds; per tube: `record_results` of one positive "
        "pool of 10 (result, tube, ten recalls, audit entry, one transaction) and the grid's "
        "recall list as its page reads it. Raw limit: the same writes and read as plain SQL "
        "in one transaction.",
        "",
        "| database | residents | median (of which the result and recalls) | p90 | raw SQL | "
        "ratio | target < 10 ms |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['vendor']} | {r['residents']:,} | {common.ms(r['median_s'])} "
            f"({common.ms(r['record_median_s'])}) | {common.ms(r['p90_s'])} | "
            f"{common.ms(r['raw_median_s'])} | {r['median_s'] / r['raw_median_s']:.1f}× | "
            f"{'met' if r['median_s'] < TARGET else 'MISSED'} |"
        )
    common.append_docs_section(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--tubes", type=int, default=50)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--append-docs", action="store_true")
    parser.add_argument(
        "--reuse", action="store_true", help="Measure again on the previous run's databases."
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
        print(report(result))
    if args.append_docs:
        append_docs(results, args)


if __name__ == "__main__":
    main()
