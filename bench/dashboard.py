"""How fast the command dashboard answers for a district of a million residents.

    .venv/bin/python -m bench.dashboard [--residents 1000000] [--repeat 100]
                                        [--only sqlite|postgres] [--append-docs]

For each database (a SQLite file under /tmp, and the PostgreSQL database
wangge_dashboard_bench when the server answers) a child process:

* builds the demo district's tree (`wangge.demo.structure`, the qilihe profile: 1 city,
  1 district, 15 streets and towns, 125 communities and villages, 1,027 grids), each grid
  with its share of `--residents` (no resident rows: the dashboard reads snapshots only);
* writes 14 days of snapshots for every area in bulk, as the collectors would leave them:
  every figure of the catalogue for each grid, summed (or the highest, for the risk level)
  up the tree, and the three action lists, full (`LIST_LIMIT` items) above the grids;
* requests `/dashboard/?area=…&day=…` through Django's test client, signed in as the
  district's command centre, `--repeat` times at each level (the district, the street with
  the most communities, the community with the most grids, the largest grid), over the 14
  days in turn, and reports the median, p95 and maximum, and the queries per page;
* measures the raw floor in the same run: the SQL statements one page ran, executed
  directly on the database cursor; the page's median is reported as a ratio to it.

Target: p95 under 300 ms at every level, on SQLite and on PostgreSQL.
"""

import argparse
import datetime as dt
import itertools
import json
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bench import common

SQLITE_FILE = Path(tempfile.gettempdir()) / "wangge-bench-dashboard.sqlite3"
PG_NAME = "wangge_dashboard_bench"
VAR_DIR = Path(tempfile.gettempdir()) / "wangge-bench-dashboard-var"
TARGET_MS = 300.0
DAYS = 14


def _timed(function: Callable[[], object], repeat: int) -> list[float]:
    function()  # warm caches
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def _summary(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "median_ms": round(statistics.median(ordered), 2),
        "p95_ms": round(ordered[max(0, int(len(ordered) * 0.95) - 1)], 2),
        "max_ms": round(ordered[-1], 2),
    }


def _grid_figures(rng: random.Random, residents: int, back: int) -> dict[str, int]:
    """A grid's figures `back` days before the last: coverage climbing towards the last
    day, a few positives, key persons, requests and incidents."""
    expected = int(residents * 0.97)
    share = min(1.0, max(0.0, 0.99 - back * 0.025 - rng.random() * 0.08))
    sampled = int(expected * share)
    untested = expected - sampled
    positives = 1 if rng.random() < 0.01 else 0
    level = rng.choices([0, 1, 2, 3], weights=[85, 8, 5, 2])[0]
    late = rng.randint(0, 2) if rng.random() < 0.2 else 0
    missed = 1 if rng.random() < 0.1 else 0
    traced = rng.randint(0, 6)
    arrived = rng.randint(0, 3)
    return {
        "population.residents": residents,
        "population.households": int(residents / 2.6),
        "testing.expected": expected,
        "testing.sampled": sampled,
        "testing.exempt": residents - expected,
        "testing.untested": untested,
        "testing.followed_up": int(untested * rng.random()),
        "testing.positive_pools": positives,
        "testing.positive_cases": positives,
        "testing.open_recalls": positives * 10,
        "control.risk_level": level,
        "control.grids_lockdown": int(level == 3),
        "control.grids_control": int(level == 2),
        "control.grids_prevention": int(level == 1),
        "control.central_quarantine": rng.randint(0, 3),
        "control.home_quarantine": rng.randint(0, 5),
        "control.health_monitoring": rng.randint(0, 8),
        "control.checks_overdue": rng.randint(0, 2),
        "control.tests_overdue": rng.randint(0, 1),
        "control.traced": traced,
        "control.traced_answered": rng.randint(0, traced),
        "control.traced_overdue": rng.randint(0, 1),
        "checkpoints.vehicles": rng.randint(0, 40),
        "checkpoints.people": rng.randint(0, 70),
        "checkpoints.fevers": int(rng.random() < 0.05),
        "checkpoints.codes": int(rng.random() < 0.05),
        "services.opened": rng.randint(0, 6),
        "services.open": rng.randint(0, 5) + late,
        "services.late": late,
        "services.done": rng.randint(0, 6),
        "incidents.raised": rng.randint(0, 2),
        "incidents.open": rng.randint(0, 2) + missed,
        "incidents.missed": missed,
        "incidents.arrived": arrived,
        "incidents.arrive_minutes": arrived * rng.randint(8, 40),
        "workforce.on_duty": rng.randint(3, 12),
        "workforce.gaps": int(rng.random() < 0.03),
    }


def _grid_lists(grid: Any, figures: dict[str, int], day: dt.date) -> dict[str, list[Any]]:
    due = dt.datetime.combine(day, dt.time(9, 30)).isoformat()

    def items(key: str, count: int, text: str) -> list[dict[str, object]]:
        return [
            {
                "area_id": grid.pk,
                "area": grid.name,
                "ref": f"{key[:2].upper()}-{grid.pk}-{i}",
                "text": text,
                "due": due,
                "url": f"/dashboard/?area={grid.pk}",
            }
            for i in range(count)
        ]

    return {
        "services.late": items("services", figures["services.late"], "送药上门"),
        "incidents.missed": items("incidents", figures["incidents.missed"], "未按时到场"),
        "workforce.gaps": items("workforce", figures["workforce.gaps"], "网格长空缺"),
    }


def freeze_history(city: Any, residents: dict[int, int], last: dt.date, seed: int = 13) -> int:
    """`DAYS` days of snapshots up to `last` for every area under `city` (grids get their
    share `residents[pk]`), written in bulk; the number of snapshots written. Used by the
    benchmark and, until the collectors' history is merged, to give a demo something to show."""
    from django.db import transaction
    from django.utils import timezone

    from wangge.areas.choices import GRID_KINDS
    from wangge.areas.models import Area
    from wangge.snapshots.figures import FIGURES as CATALOGUE
    from wangge.snapshots.figures import LIST_LIMIT, Rollup
    from wangge.snapshots.models import DaySnapshot, RunTrigger, SnapshotRun

    areas = list(Area.objects.within(city).order_by("-depth", "path"))
    children_of: dict[str, list[str]] = {}
    for area in areas:
        children_of.setdefault(area.path[: -Area.steplen], []).append(area.path)
    rollup = {figure.key: figure.rollup for figure in CATALOGUE}
    rng = random.Random(seed)
    written = 0
    with transaction.atomic():
        for back in range(DAYS):
            day = last - dt.timedelta(days=back)
            run = SnapshotRun.objects.create(
                root=city,
                day=day,
                trigger=RunTrigger.DEMO,
                made_at=timezone.now(),
                areas=len(areas),
            )
            figures: dict[str, dict[str, int]] = {}
            lists: dict[str, dict[str, list[Any]]] = {}
            # Deepest first: a parent's children are done before it.
            for area in areas:
                if area.kind in GRID_KINDS:
                    own = _grid_figures(rng, residents.get(area.pk, 0), back)
                    figures[area.path] = own
                    lists[area.path] = _grid_lists(area, own, day)
                    continue
                kids = children_of.get(area.path, [])
                total: dict[str, int] = {}
                kept: dict[str, list[Any]] = {
                    "services.late": [],
                    "incidents.missed": [],
                    "workforce.gaps": [],
                }
                for key, how in rollup.items():
                    values = [figures[kid].get(key, 0) for kid in kids]
                    total[key] = (
                        (max(values) if how == Rollup.MAX else sum(values)) if values else 0
                    )
                for kid in kids:
                    for key, items in lists[kid].items():
                        kept[key].extend(items)
                figures[area.path] = total
                lists[area.path] = {key: items[:LIST_LIMIT] for key, items in kept.items()}
            DaySnapshot.objects.filter(day=day, area__in=areas, current=True).update(current=False)
            written += len(
                DaySnapshot.objects.bulk_create(
                    [
                        DaySnapshot(
                            run=run,
                            area=area,
                            day=day,
                            version=1,
                            current=True,
                            figures=figures[area.path],
                            lists=lists[area.path],
                        )
                        for area in areas
                    ],
                    batch_size=500,
                )
            )
    return written


def _build(residents: int) -> tuple[Any, int]:
    """The tree and its 14 days of snapshots; the district and the largest grid's id."""
    from django.db import transaction
    from django.utils import timezone

    from wangge.areas.actions import apply_tree_plan, lock_tree, plan_tree_import
    from wangge.areas.choices import GRID_KINDS
    from wangge.areas.models import Area
    from wangge.demo.generator import get_profile
    from wangge.demo.structure import build_structure, residents_per_grid

    profile = get_profile("qilihe")
    structure = build_structure(profile)
    with transaction.atomic():
        lock_tree()
        plan = plan_tree_import(structure.rows, scope=None)
        assert plan.ok, plan.errors[:3]
        apply_tree_plan(plan)
    district = Area.objects.get(code=profile.district[1])
    city = Area.objects.get(code=profile.city[1])
    areas = list(Area.objects.within(city))
    grids = [area for area in areas if area.kind in GRID_KINDS]
    counts = residents_per_grid(structure, residents)
    by_name = {(g.parent_code, g.name): n for g, n in zip(structure.grids, counts, strict=True)}
    codes = {area.path: area.code for area in areas}
    share = {grid.pk: by_name[(codes[grid.path[: -Area.steplen]], grid.name)] for grid in grids}
    freeze_history(city, share, timezone.localdate())
    largest = max(grids, key=lambda grid: (share[grid.pk], -grid.pk))
    return district, largest.pk


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from wangge.accounts.models import RoleAssignment, User
    from wangge.areas.models import Area
    from wangge.core.permissions import Role
    from wangge.snapshots.models import DaySnapshot

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name hashed files
    started = time.perf_counter()
    district, largest = _build(args.residents)
    build_seconds = time.perf_counter() - started
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    street = max(Area.objects.filter(depth=district.depth + 1), key=lambda a: a.numchild)
    community = max(Area.objects.filter(depth=district.depth + 2), key=lambda a: a.numchild)
    grid = Area.objects.get(pk=largest)
    latest = {
        area.pk: DaySnapshot.objects.filter(area=area, current=True).order_by("-day").first()
        for area in (district, street, community, grid)
    }
    user = User.objects.create(username="bench-command")
    RoleAssignment.objects.create(user=user, role=Role.COMMAND_CENTRE, area=district)
    client = Client()
    client.force_login(user)
    last = timezone.localdate()
    days = [(last - dt.timedelta(days=back)).isoformat() for back in range(DAYS)]
    load_before = os.getloadavg()
    results = []
    for label, area in (
        ("district", district),
        ("street", street),
        ("community", community),
        ("grid", grid),
    ):
        url = "/dashboard/"
        response = client.get(url, {"area": area.pk})
        assert response.status_code == 200, (label, response.status_code)
        assert b'id="trend-data"' in response.content, label  # the day was found
        with CaptureQueriesContext(connection) as captured:
            client.get(url, {"area": area.pk, "day": days[0]})
        statements = [query["sql"] for query in captured.captured_queries]
        turn = itertools.count()

        def page(area: Area = area, turn: Iterator[int] = turn) -> None:
            day = days[next(turn) % DAYS]
            answer = client.get("/dashboard/", {"area": area.pk, "day": day})
            assert answer.status_code == 200

        def raw_sql(statements: list[str] = statements) -> None:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()

        snapshot = latest[area.pk]
        results.append(
            {
                "area": label,
                "name": area.name,
                "children": area.numchild if not area.is_grid else 0,
                "residents": snapshot.figures["population.residents"] if snapshot else 0,
                "queries": len(statements),
                "bytes": len(response.content),
                "page": _summary(_timed(page, args.repeat)),
                "raw_sql": _summary(_timed(raw_sql, args.repeat)),
            }
        )
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "build_seconds": round(build_seconds, 1),
                "areas": Area.objects.within(district).count(),
                "snapshots": DaySnapshot.objects.count(),
                "load_before": [round(x, 2) for x in load_before],
                "load_after": [round(x, 2) for x in os.getloadavg()],
                "results": results,
            },
            ensure_ascii=False,
        )
    )


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = common.child_command("bench.dashboard", args, ("residents", "repeat"))
    env = common.demo_env(database_url, VAR_DIR, ALLOWED_HOSTS="testserver,localhost,127.0.0.1")
    return common.run_verbose_child(command, env)


def _report(run: dict[str, Any]) -> list[str]:
    lines = [
        f"{run['vendor']}: {run['areas']:,} areas, {run['snapshots']:,} snapshots built in "
        f"{run['build_seconds']} s; load average {run['load_before'][0]} before, "
        f"{run['load_after'][0]} after (target: p95 under {TARGET_MS:.0f} ms)",
        "",
        "| level | children | residents | queries | page median | p95 | max | raw SQL median "
        "| page ÷ raw | met |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for row in run["results"]:
        page, raw = row["page"], row["raw_sql"]
        ratio = page["median_ms"] / max(raw["median_ms"], 0.01)
        met = "yes" if page["p95_ms"] < TARGET_MS else "NO"
        lines.append(
            f"| {row['area']} | {row['children']} | {row['residents']:,} | {row['queries']} "
            f"| {page['median_ms']:.1f} ms | {page['p95_ms']:.1f} ms | {page['max_ms']:.1f} ms "
            f"| {raw['median_ms']:.2f} ms | {ratio:.0f}× | {met} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--append-docs", action="store_true")
    args = common.parse_or_child(parser, child)
    if args is None:
        return
    runs = common.run_each(
        args.only,
        lambda: common.fresh_sqlite(SQLITE_FILE),
        lambda: common.optional_postgres(PG_NAME),
        lambda url: run_child(url, args),
    )
    lines: list[str] = []
    for run in runs:
        lines += [*_report(run), ""]
    print("\n".join(lines))
    if args.append_docs and lines:
        command = f".venv/bin/python -m bench.dashboard --residents {args.residents} --repeat {args.repeat}"
        common.append_docs_section(
            [
                "",
                f"## The command dashboard ({dt.date.today().isoformat()})",  # noqa: DTZ011
                "",
                f"`{command}`: GET /dashboard/ through Django's test client, signed in as the "
                "district's command centre, over the 14 days in turn; the raw floor is the "
                "same page's SQL statements run directly on the cursor in the same run.",
                "",
                *lines,
            ]
        )


if __name__ == "__main__":
    main()
