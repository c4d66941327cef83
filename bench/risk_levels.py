"""Effective risk levels of a district's 1,000 grids in one query, against the raw SQL.

    .venv/bin/python -m bench.risk_levels [--grids 1000] [--repeat 30]
                                          [--only sqlite|postgres] [--append-docs]

For each database (a SQLite file under /tmp, and the PostgreSQL database bench_risk when
the server answers) a child process builds a district of `--grids` grids (streets of ten
communities of ten grids) with settings on it: every street in prevention, one community
in ten under control, one grid in twenty in lockdown (each over an earlier setting, so the
history table holds ended rows too). It measures, median and p95 of `--repeat`:

* `risk.selectors.effective_levels` of every grid (what the tree's badges, a round's
  recount and the door-to-door list ask): one query and the rule in Python;
* the raw limit: the same SQL statement executed directly on the cursor;
* `door_to_door_grids` of the district (the lockdown grids, for a team's list of homes);
* the branch of the tree under a community (its ten grids) through Django's test client
  signed in as a superuser, with the badges and without (their provider unregistered).

Target: every grid's level under 100 ms, so a branch of a thousand grids stays quick.
"""

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common

SQLITE_FILE = Path(tempfile.gettempdir()) / "wangge-bench-risk.sqlite3"
PG_NAME = "bench_risk"
VAR_DIR = Path(tempfile.gettempdir()) / "wangge-bench-risk-var"
TARGET_MS = 100.0


def _timed(function: Any, repeat: int) -> list[float]:
    function()
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
    }


def child(args: argparse.Namespace) -> None:
    import datetime as dt

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from wangge.accounts.models import User
    from wangge.areas.choices import AreaKind
    from wangge.areas.extensions import area_badges
    from wangge.areas.models import Area
    from wangge.risk import contributions
    from wangge.risk.actions import set_risk_level
    from wangge.risk.selectors import door_to_door_grids, effective_levels

    call_command("migrate", verbosity=0)
    city = Area.objects.add_root(instance=Area(name="基准市", kind=AreaKind.CITY))
    district = city.add_child(instance=Area(name="基准区", kind=AreaKind.DISTRICT, code="629998"))
    grids: list[Area] = []
    communities: list[Area] = []
    streets: list[Area] = []
    for s in range(max(1, args.grids // 100)):
        district.refresh_from_db()
        street = district.add_child(instance=Area(name=f"街道{s}", kind=AreaKind.STREET))
        streets.append(street)
        for c in range(10):
            street.refresh_from_db()
            community = street.add_child(
                instance=Area(name=f"社区{s}-{c}", kind=AreaKind.COMMUNITY)
            )
            communities.append(community)
            for g in range(10):
                community.refresh_from_db()
                grids.append(
                    community.add_child(
                        instance=Area(name=f"网格{s}-{c}-{g}", kind=AreaKind.COMPOUND)
                    )
                )
    earlier = timezone.now() - dt.timedelta(days=3)
    later = timezone.now() - dt.timedelta(days=1)

    def setting(area: Area, first: str, then: str) -> None:
        set_risk_level(area, first, "基准", at=earlier, acting_user=None)
        set_risk_level(area, then, "基准", at=later, acting_user=None)

    for street in streets:
        setting(street, "control", "prevention")
    for community in communities[::10]:
        setting(community, "prevention", "control")
    for grid in grids[::20]:
        setting(grid, "control", "lockdown")

    levels = _timed(lambda: effective_levels(grids), args.repeat)
    with CaptureQueriesContext(connection) as captured:
        effective_levels(grids)
    [statement] = [q["sql"] for q in captured.captured_queries]

    def raw() -> None:
        with connection.cursor() as cursor:
            cursor.execute(statement)
            cursor.fetchall()

    raw_times = _timed(raw, args.repeat)
    door = _timed(lambda: door_to_door_grids([district.path]), args.repeat)
    lockdown = len(door_to_door_grids([district.path]))
    admin = User.objects.create_superuser("bench_admin", password="x")  # noqa: S106
    client = Client(HTTP_HOST="127.0.0.1")
    client.force_login(admin)
    url = f"/areas/{communities[0].pk}/branch/"
    answer = client.get(url)
    assert answer.status_code == 200, answer.status_code
    assert answer.content.decode().count("area-badge") == 10, "every grid has its badge"
    with_badges = _timed(lambda: client.get(url), args.repeat)
    area_badges._providers.remove(contributions.area_badges)
    without = _timed(lambda: client.get(url), args.repeat)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "grids": len(grids),
                "settings": len(streets) + len(communities[::10]) + len(grids[::20]),
                "lockdown_grids": lockdown,
                "levels": _summary(levels),
                "raw": _summary(raw_times),
                "door_to_door": _summary(door),
                "branch_with": _summary(with_badges),
                "branch_without": _summary(without),
            }
        )
    )


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = common.child_command("bench.risk_levels", args, ("grids", "repeat"))
    return common.run_json_child(
        command, common.demo_env(database_url, VAR_DIR, LOG_LEVEL="WARNING")
    )


def report(r: dict[str, Any]) -> str:
    met = "met" if r["levels"]["median_ms"] < TARGET_MS else "MISSED"
    return (
        f"{r['vendor']}: {r['grids']:,} grids, {r['settings']} current settings: effective "
        f"levels {r['levels']['median_ms']} / {r['levels']['p95_ms']} ms (raw SQL "
        f"{r['raw']['median_ms']} ms), door-to-door grids {r['door_to_door']['median_ms']} ms "
        f"({r['lockdown_grids']} grids), branch of ten grids {r['branch_with']['median_ms']} ms "
        f"with badges, {r['branch_without']['median_ms']} ms without; target < 100 ms: {met}"
    )


def append_docs(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lines = [
        "",
        "## Risk levels of a district's grids (issue 12)",
        "",
        f"`.venv/bin/python -m bench.risk_levels --grids {args.grids} --repeat {args.repeat}` — "
        "2 cores shared with six other sessions' work (noisy). Every street in prevention, one "
        "community in ten under control, one grid in twenty in lockdown, each over an earlier "
        "setting. `effective_levels` of every grid (one query and the rule in Python: what the "
        "tree's badges, a round's recount and a door-to-door team's list ask), the same SQL "
        "statement run on the cursor (raw limit), `door_to_door_grids` of the district, and "
        "the tree's branch under a community (ten grids) through the test client with the "
        "badges and without them. Median / p95 of the runs.",
        "",
        "| database | grids | effective levels | raw SQL | levels ÷ raw | door-to-door grids | "
        "branch with badges | branch without | target < 100 ms |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['vendor']} | {r['grids']:,} | {r['levels']['median_ms']} / "
            f"{r['levels']['p95_ms']} ms | {r['raw']['median_ms']} ms | "
            f"{r['levels']['median_ms'] / max(r['raw']['median_ms'], 0.01):.1f}× | "
            f"{r['door_to_door']['median_ms']} ms | {r['branch_with']['median_ms']} ms | "
            f"{r['branch_without']['median_ms']} ms | "
            f"{'met' if r['levels']['median_ms'] < TARGET_MS else 'MISSED'} |"
        )
    common.append_docs_section(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--grids", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=30)
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
