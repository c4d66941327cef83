"""How fast an area page answers in a district of a million residents.

    .venv/bin/python -m bench.area_counts [--residents 1000000] [--only sqlite|postgres]
                                          [--repeat 30]

Uses the district `bench.demo_generate` left behind (SQLite /tmp/wangge-bench-demo.sqlite3,
PostgreSQL bench_demo) when it has the residents asked for, else builds it with the demo
generator. For the district, a street, a community and the largest grid it measures:

* the page: GET /areas/<pk>/ through Django's test client, signed in as the command
  centre (who may see every resident, so the grid page lists them);
* the selectors alone: subtree totals, children with totals (and the grid's first page
  of residents);
* the raw limit: the same SQL the page ran, executed directly on the database cursor;
* for scale, what a live count of the subtree's residents costs (what the pre-computed
  per-grid counts spare every page).

Target: under 200 ms per area page, on SQLite and on PostgreSQL.
"""

import argparse
import json
import statistics
import time

from bench import common
from bench.demo_generate import PG_NAME, SQLITE_FILE, VAR_DIR

TARGET_MS = 200.0


def _timed(function, repeat: int) -> list[float]:
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
    import django

    django.setup()
    from django.core.management import call_command
    from django.core.paginator import Paginator
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from wangge.accounts.models import User
    from wangge.areas.choices import GRID_KINDS
    from wangge.areas.models import Area
    from wangge.areas.selectors import children_with_totals
    from wangge.demo.generator import build_demo, find_build, get_profile
    from wangge.residents.actions import GONE
    from wangge.residents.models import Resident

    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # pages name hashed files
    profile = get_profile("qilihe")
    existing = find_build(profile)
    if existing is None or existing.details.get("residents") != args.residents:
        build_demo(profile, residents=args.residents, reset=existing is not None)
    district = Area.objects.get(code=profile.district[1])
    street = Area.objects.get(name=profile.street, depth=district.depth + 1)
    community = Area.objects.within(street).get(name=profile.community)
    grid = (
        Area.objects.within(district)
        .filter(kind__in=GRID_KINDS)
        .order_by("-resident_count")
        .first()
    )
    assert grid is not None
    user = User.objects.get(username="command")
    client = Client()
    client.force_login(user)
    results = []
    for label, area in (
        ("district", district),
        ("street", street),
        ("community", community),
        ("grid", grid),
    ):
        url = f"/areas/{area.pk}/"
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as captured:
            client.get(url)
        statements = [query["sql"] for query in captured.captured_queries]
        page = _timed(lambda url=url: client.get(url), args.repeat)

        def selectors(area=area) -> None:
            area.subtree_totals()
            children_with_totals(area)
            if area.is_grid:
                residents = (
                    Resident.objects.filter(grid=area)
                    .select_related("household")
                    .order_by("household__building", "household__unit", "household__room", "id")
                )
                list(Paginator(residents, 50).get_page(1).object_list)

        def raw_sql(statements=statements) -> None:
            with connection.cursor() as cursor:
                for sql in statements:
                    cursor.execute(sql)
                    if cursor.description:
                        cursor.fetchall()

        def live_count(area=area) -> None:
            Resident.objects.filter(grid__path__startswith=area.path).exclude(
                status__in=GONE
            ).count()

        results.append(
            {
                "area": label,
                "name": area.name,
                "residents": area.subtree_totals()["residents"],
                "queries": len(statements),
                "page": _summary(page),
                "selectors": _summary(_timed(selectors, args.repeat)),
                "raw_sql": _summary(_timed(raw_sql, args.repeat)),
                "live_count": _summary(_timed(live_count, max(3, args.repeat // 5))),
            }
        )
    print(json.dumps({"vendor": connection.vendor, "results": results}, ensure_ascii=False))


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, object]:
    command = common.child_command("bench.area_counts", args, ("residents", "repeat"))
    env = common.demo_env(database_url, VAR_DIR, ALLOWED_HOSTS="testserver,localhost,127.0.0.1")
    return common.run_verbose_child(command, env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    args = common.parse_or_child(parser, child)
    if args is None:
        return
    # The district demo_generate left behind, or an empty database the child builds it in.
    runs = common.run_each(
        args.only,
        lambda: common.fresh_sqlite(SQLITE_FILE, reuse=True),
        lambda: common.optional_postgres(PG_NAME, reuse=True),
        lambda url: run_child(url, args),
    )
    for run in runs:
        print(f"{run['vendor']} (target: page under {TARGET_MS:.0f} ms)")
        print(
            "  area       residents  queries  page median/p95 ms  selectors ms  raw SQL ms  "
            "page/raw  live count ms  met"
        )
        for row in run["results"]:  # type: ignore[attr-defined]
            page, raw = row["page"], row["raw_sql"]
            ratio = page["median_ms"] / max(raw["median_ms"], 0.01)
            met = "yes" if page["p95_ms"] < TARGET_MS else "NO"
            print(
                f"  {row['area']:<10} {row['residents']:>9,}  {row['queries']:>7}  "
                f"{page['median_ms']:>8.1f} / {page['p95_ms']:<7.1f}  "
                f"{row['selectors']['median_ms']:>12.2f}  {raw['median_ms']:>10.2f}  "
                f"{ratio:>7.1f}×  {row['live_count']['median_ms']:>13.1f}  {met}"
            )


if __name__ == "__main__":
    main()
