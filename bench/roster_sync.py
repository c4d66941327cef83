"""A station's roster sync through the real HTTP API: the first download of a 5,000-resident
grid, then a change download after 20 residents changed.

    .venv/bin/python -m bench.roster_sync [--databases sqlite,postgres] [--residents 5000]
        [--changed 20] [--limit 1000] [--append-docs]

For each database, in one run: a throwaway database (a SQLite file under /tmp, or the
PostgreSQL database `bench_roster_sync`) with one grid of N residents (households of 3,
every one with an ID number; the roster carries no key to it), a sampler's
device token for the grid, and gunicorn serving wangge.wsgi on loopback. The registry is
aged by an hour first (as a register imported the day before), so that the change
download sees only what changed after the first one (a change download re-sends the
last ten minutes: see wangge/testing/roster.py).

Measured: the first download (every page, `limit` per page), then `--changed` residents
changed through the registry's action (`update_resident`), then the change download. The
raw limit, in the same run: the database's own read of the same rows (one SELECT of the
roster's columns for the grid, over the Python driver).

Targets (issue 4): the first download under 10 s on loopback, a change download under 1 s.
"""

import argparse
import http.client
import json
import os
import time
from typing import Any

from bench import common

SQLITE_PATH = common.HTTP_WORKDIR / "bench_roster_sync.sqlite3"
PG_NAME = "bench_roster_sync"
FIRST_TARGET = 10.0
CHANGE_TARGET = 1.0


def prepare_database(backend: str) -> str:
    """This benchmark's throwaway database (bench.station_scan uses it too)."""
    return common.fresh_database(backend, SQLITE_PATH, PG_NAME)


def build_grid(residents: int) -> tuple[str, Any]:
    """One grid of residents, aged an hour, and a sampler's device token for it."""
    import datetime as dt

    from django.db import transaction
    from django.utils import timezone

    from wangge.accounts.devices import issue_device_token
    from wangge.accounts.models import RoleAssignment, User
    from wangge.areas.choices import AreaKind
    from wangge.areas.models import Area
    from wangge.lib.idnumbers import IdType, make_resident_card_number
    from wangge.lib.natural import natural_sort_key
    from wangge.residents.actions import refresh_area_counts
    from wangge.residents.models import Household, Resident, new_resident_code

    with transaction.atomic():
        node = Area.objects.add_root(instance=Area(name="兰州市", kind=AreaKind.CITY))
        for name, kind in (
            ("七里河区", AreaKind.DISTRICT),
            ("西园街道", AreaKind.STREET),
            ("西园社区", AreaKind.COMMUNITY),
            ("一号小区", AreaKind.COMPOUND),
        ):
            node.refresh_from_db()
            node = Area.objects.add_child(node, instance=Area(name=name, kind=kind))
        grid = node
        addresses = [
            (str(1 + h // 60), str(1 + h % 3), str(101 + h)) for h in range(-(-residents // 3))
        ]
        households = Household.objects.bulk_create(
            Household(
                grid=grid,
                building=building,
                unit=unit,
                room=room,
                sort_key=natural_sort_key(building, unit, room),
            )
            for building, unit, room in addresses
        )
        born = dt.date(1950, 1, 1)
        batch = []
        for n in range(residents):
            order = n % 1000
            resident = Resident(
                household=households[n // 3],
                grid=grid,
                code=new_resident_code(),
                name=f"居民{n}",
                birth_year=(born + dt.timedelta(days=n // 1000)).year,
            )
            resident.set_id_number(
                IdType.RESIDENT_CARD,
                make_resident_card_number(
                    "620103", born + dt.timedelta(days=n // 1000), order, "M" if order % 2 else "F"
                ),
            )
            resident.set_phone(f"139{n:08d}")
            batch.append(resident)
        Resident.objects.bulk_create(batch, batch_size=1000)
        refresh_area_counts([grid.pk])
        Resident.objects.update(updated_at=timezone.now() - dt.timedelta(hours=1))
    sampler = User.objects.create(username="sampler")
    RoleAssignment.objects.create(user=sampler, role="sampler", area=grid)
    token, _device = issue_device_token(sampler, grid, "desk", acting_user=sampler)
    return token, grid


def download(port: int, token: str, cursor: str | None, limit: int) -> dict[str, Any]:
    """Every page from `cursor` until complete, as a station does."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}"}
    items = pages = size = 0
    removed: list[str] = []
    started = time.perf_counter()
    while True:
        query = f"?limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        connection.request("GET", "/api/v1/testing/station/roster" + query, headers=headers)
        response = connection.getresponse()
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"roster answered {response.status}: {body[:200]!r}")
        page = json.loads(body)
        items += len(page["items"])
        removed += page["removed"]
        pages += 1
        size += len(body)
        cursor = page["next_cursor"]
        if page["complete"]:
            break
    elapsed = time.perf_counter() - started
    connection.close()
    return {
        "seconds": elapsed,
        "items": items,
        "pages": pages,
        "bytes": size,
        "cursor": cursor,
        "removed": len(removed),
    }


def raw_read(grid_id: int) -> float:
    """The database's own read of the roster's rows and columns for the grid."""
    from django.db import connection

    sql = (
        "SELECT r.code, r.name, r.id_type, r.id_number_cipher, r.id_number_masked, "
        "r.phone_masked, r.household_id, h.building, h.unit, h.room, h.address, r.grid_id, "
        "a.name, r.status, r.tags, r.birth_year, r.updated_at "
        "FROM residents_resident r JOIN residents_household h ON h.id = r.household_id "
        "JOIN areas_area a ON a.id = r.grid_id WHERE r.grid_id = %s ORDER BY r.id"
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, [grid_id])
        rows = cursor.fetchall()
        elapsed = time.perf_counter() - started
    assert rows
    return elapsed


def run_one(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    env = common.server_env(prepare_database(backend))
    common.setup_django(env)
    from django.db import connection

    from wangge.residents.actions import ResidentData, update_resident
    from wangge.residents.models import Resident

    token, grid = build_grid(args.residents)
    connection.close()
    port = common.free_port()
    server = common.start_server(env, port, args.workers)
    try:
        download(port, token, None, args.limit)  # warm the workers up (imports, connections)
        first = download(port, token, None, args.limit)
        for resident in Resident.objects.order_by("?")[: args.changed]:
            update_resident(
                resident,
                ResidentData.clean(
                    name=resident.name + "改",
                    id_number=resident.reveal_id_number(),
                    phone=resident.reveal_phone(),
                ),
                acting_user=None,
            )
        change = download(port, token, first["cursor"], args.limit)
    finally:
        common.stop_server(server)
    raw = min(raw_read(grid.pk) for _ in range(3))
    connection.close()
    return {"backend": backend, "first": first, "change": change, "raw": raw, "args": vars(args)}


def report(result: dict[str, Any]) -> str:
    first, change = result["first"], result["change"]
    return "\n".join(
        [
            f"{result['backend']}: first download {first['items']:,} residents in "
            f"{first['pages']} pages, {first['bytes'] / 1e6:.1f} MB, {first['seconds']:.2f} s "
            f"(target < {FIRST_TARGET:.0f} s: "
            f"{'met' if first['seconds'] < FIRST_TARGET else 'NOT met'})",
            f"  change download: {change['items']} residents, {change['bytes']:,} bytes, "
            f"{change['seconds'] * 1000:.0f} ms (target < {CHANGE_TARGET:.0f} s: "
            f"{'met' if change['seconds'] < CHANGE_TARGET else 'NOT met'})",
            f"  raw limit: the database's own read of the same rows {result['raw'] * 1000:.0f} ms;"
            f" first download / raw read = {first['seconds'] / result['raw']:.0f}×",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--changed", type=int, default=20)
    parser.add_argument("--limit", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--append-docs", action="store_true")
    args = common.parse_or_one(parser, run_one)
    if args is None:
        return
    common.HTTP_WORKDIR.mkdir(parents=True, exist_ok=True)
    results = []
    load_before = os.getloadavg()[0]
    for backend in args.databases.split(","):
        options = common.forward(args, ("residents", "changed", "limit", "workers"))
        result = common.run_one_child("bench.roster_sync", backend, options)
        results.append(result)
        print(report(result), flush=True)
    load = (load_before, os.getloadavg()[0])
    print(f"load average (1 min) before / after: {load[0]:.1f} / {load[1]:.1f}")
    if args.append_docs:
        append_docs(results, args, load)


def append_docs(
    results: list[dict[str, Any]], args: argparse.Namespace, load: tuple[float, float]
) -> None:
    lines = [
        "",
        "## Station roster sync through the HTTP API (issue 4)",
        "",
        f"`.venv/bin/python -m bench.roster_sync --residents {args.residents} --changed "
        f"{args.changed} --limit {args.limit} --append-docs` — {time.strftime('%Y-%m-%d')}, "
        f"2 cores, gunicorn ({args.workers} sync workers) on loopback. One grid of "
        f"{args.residents:,} residents (every one with an ID number, no key to it in the "
        f"roster), pages of {args.limit}; then {args.changed} residents changed through "
        "`update_resident` and the change download from the kept cursor. Raw limit: the "
        "database's own SELECT of the same rows and columns. Load average of the shared "
        f"machine: {load[0]:.1f} before, {load[1]:.1f} after.",
        "",
        "| database | first download | pages, size | change download | raw read | "
        "first < 10 s | change < 1 s |",
        "|---|---|---|---|---|---|---|",
    ]
    for result in results:
        first, change = result["first"], result["change"]
        lines.append(
            f"| {result['backend']} | {first['seconds']:.2f} s ({first['items']:,} residents) | "
            f"{first['pages']}, {first['bytes'] / 1e6:.1f} MB | {change['seconds'] * 1000:.0f} ms "
            f"({change['items']} residents) | {result['raw'] * 1000:.0f} ms | "
            f"{'met' if first['seconds'] < FIRST_TARGET else 'not met'} | "
            f"{'met' if change['seconds'] < CHANGE_TARGET else 'not met'} |"
        )
    lines.append("")
    common.append_docs_section(lines)


if __name__ == "__main__":
    main()
