"""Checkpoint entries through the real HTTP sync API, against the database's bare insert.

    .venv/bin/python -m bench.checkpoints [--databases sqlite,postgres] [--checkpoints 100]
        [--clients 8] [--workers 3] [--seconds 30] [--residents 5000] [--append-docs]

The target (issue 12): 100 checkpoints × 1,000 vehicles an hour on one server, that is
27.8 entries a second. For each database, in one run:

* a throwaway database (a SQLite file under /tmp, or the PostgreSQL database
  `bench_checkpoints`), migrated, with a district of N residents (the demo's generator),
  `--checkpoints` checkpoints spread over its communities and one checkpoint officer's
  device token per checkpoint;
* a real server: gunicorn serving wangge.wsgi on loopback, `--workers` sync workers,
  production settings with throwaway secrets;
* `--clients` client threads, each driving its share of the checkpoints in turn, posting
  what a checkpoint's phone posts while online: one vehicle per request (1–4 people; a
  third by resident code, the others by ID card with a phone; one person in 500 with a
  fever, which makes a key person and an incident), as fast as the server answers, for
  `--seconds`;
* the bare limit: the same rows (read back from the two tables) inserted into tables of
  the same shape with the database's own bulk path (executemany / COPY), one transaction
  per 100 entries and their people.

It prints entries/s carried and the ratio to the 27.8/s needed (room to spare), and the
bare insert's rate in the same run.
"""

import argparse
import http.client
import json
import os
import random
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from bench import common
from bench.ingest_http import CpuMeter, raw_postgres, raw_sqlite

WORKDIR = common.HTTP_WORKDIR
SQLITE_PATH = WORKDIR / "bench_checkpoints.sqlite3"
PG_NAME = "bench_checkpoints"
NEEDED = 100 * 1000 / 3600  # entries a second: 100 checkpoints × 1,000 vehicles an hour
RAW_BATCH = 100
TABLES = ("checkpoints_checkpointentry", "checkpoints_checkpointpassenger")
FEVER_ONE_IN = 500


@dataclass
class World:
    tokens: list[str]
    checkpoint_ids: list[int]
    codes: list[str] = field(default_factory=list)


def build_world(residents: int, checkpoints: int) -> World:
    """A district, its checkpoints and a device per checkpoint (inside a configured Django)."""
    from wangge.accounts.devices import issue_device_token
    from wangge.accounts.models import RoleAssignment, User
    from wangge.areas.models import Area
    from wangge.checkpoints.models import Checkpoint, CheckpointKind
    from wangge.core.permissions import Role
    from wangge.demo.generator import build_demo, get_profile
    from wangge.residents.models import Resident

    district = build_demo(get_profile("qilihe"), residents=residents, acting_user=None).district
    communities = list(
        Area.objects.within(district).filter(depth=district.depth + 2).order_by("path")
    )
    officer = User.objects.create(username="bench_checkpoint_officer")
    RoleAssignment.objects.create(user=officer, role=Role.CHECKPOINT_OFFICER, area=district)
    points = [
        Checkpoint.objects.create(
            area=communities[n % len(communities)],
            name=f"卡口{n + 1:03d}",
            kind=CheckpointKind.ROAD,
        )
        for n in range(checkpoints)
    ]
    tokens = [
        issue_device_token(officer, district, f"卡口{n + 1:03d}", acting_user=officer)[0]
        for n in range(checkpoints)
    ]
    codes = list(
        Resident.objects.filter(grid__path__startswith=district.path).values_list(
            "code", flat=True
        )[:20000]
    )
    return World(tokens, [p.pk for p in points], codes)


def _person(rng: random.Random, world: World, n: int) -> dict[str, Any]:
    import datetime as dt

    from wangge.lib.idnumbers import make_resident_card_number

    person: dict[str, Any] = {
        "name": "旅客",
        "temperature": 36.5 if rng.randrange(FEVER_ONE_IN) else 38.2,
        "health_code": "green",
        "action": "passed",
    }
    if world.codes and n % 3 == 0:
        person["resident_code"] = rng.choice(world.codes)
    else:
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(25000))
        person["id_number"] = make_resident_card_number(
            "620102", birth, rng.randrange(1, 998), rng.choice("MF")
        )
        person["phone"] = f"139{rng.randrange(10**8):08d}"
    return person


def build_bodies(world: World, count: int, seed: int = 12) -> list[list[bytes]]:
    """`count` one-vehicle bodies per checkpoint, ready to post."""
    import datetime as dt

    from wangge.lib.uuid7 import uuid7

    rng = random.Random(seed)  # noqa: S311 - synthetic data, reproducible by its seed
    at = (dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)).isoformat()
    per_checkpoint: list[list[bytes]] = []
    for checkpoint_id in world.checkpoint_ids:
        bodies = []
        for _ in range(count):
            people = [_person(rng, world, n) for n in range(rng.randint(1, 4))]
            item = {
                "client_id": str(uuid7()),
                "checkpoint_id": checkpoint_id,
                "at": at,
                "direction": "in",
                "plate": f"甘A{rng.randrange(10**5):05d}",
                "vehicle_kind": "car",
                "origin": "临夏",
                "destination": "七里河",
                "people": people,
            }
            bodies.append(json.dumps({"items": [item]}, separators=(",", ":")).encode())
        per_checkpoint.append(bodies)
    return per_checkpoint


@dataclass
class Tally:
    requests: int = 0
    accepted: int = 0
    alerts: int = 0
    other: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def drive(
    port: int, tokens: list[str], bodies: list[list[bytes]], deadline: float, tally: Tally
) -> None:
    """One client thread: its checkpoints in turn, one vehicle per request."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    position = [0] * len(tokens)
    turn = 0
    while time.monotonic() < deadline:
        which = turn % len(tokens)
        turn += 1
        if position[which] >= len(bodies[which]):
            if all(p >= len(b) for p, b in zip(position, bodies, strict=True)):
                break
            continue
        body = bodies[which][position[which]]
        position[which] += 1
        headers = {"Authorization": f"Bearer {tokens[which]}", "Content-Type": "application/json"}
        started = time.perf_counter()
        try:
            connection.request("POST", "/api/v1/checkpoints/entries/batch", body, headers)
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            tally.errors.append(repr(exc))
            connection.close()
            continue
        tally.latencies.append(time.perf_counter() - started)
        tally.requests += 1
        if response.status != 200:
            tally.errors.append(f"{response.status}: {answer[:200]!r}")
            continue
        results = json.loads(answer)["results"]
        for result in results:
            if result["status"] == "accepted":
                tally.accepted += 1
                tally.alerts += result["alerts"] or 0
            else:
                tally.other += 1
    connection.close()


def run_clients(
    port: int, world: World, bodies: list[list[bytes]], clients: int, seconds: float
) -> dict[str, Any]:
    tallies = [Tally() for _ in range(clients)]
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(
            target=drive,
            args=(
                port,
                world.tokens[n::clients],
                bodies[n::clients],
                deadline,
                tallies[n],
            ),
        )
        for n in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = sorted(x for t in tallies for x in t.latencies)
    return {
        "elapsed": elapsed,
        "requests": sum(t.requests for t in tallies),
        "accepted": sum(t.accepted for t in tallies),
        "alerts": sum(t.alerts for t in tallies),
        "other": sum(t.other for t in tallies),
        "errors": [e for t in tallies for e in t.errors][:5],
        "error_count": sum(len(t.errors) for t in tallies),
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else 0.0,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else 0.0,
    }


def run_one(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    env = common.server_env(common.fresh_database(backend, SQLITE_PATH, PG_NAME))
    common.setup_django(env)
    from django.db import connection

    began = time.perf_counter()
    world = build_world(args.residents, args.checkpoints)
    # Enough for the run at several times the rate seen on this machine.
    per_checkpoint = max(20, int(args.seconds * 600 / args.checkpoints))
    bodies = build_bodies(world, per_checkpoint)
    built = time.perf_counter() - began
    connection.close()

    port = common.free_port()
    server = common.start_server(env, port, args.workers)
    try:
        # Warm up the workers with a request each: not counted.
        warm = [[bodies[n].pop()] for n in range(args.workers)]
        run_clients(port, World(world.tokens[: args.workers], []), warm, args.workers, 60)
        meter = CpuMeter(server.pid)
        meter.start()
        http_result = run_clients(port, world, bodies, args.clients, args.seconds)
        http_result["cpu"] = meter.spent()
    finally:
        common.stop_server(server)

    from wangge.checkpoints.models import CheckpointEntry, CheckpointPassenger
    from wangge.incidents.models import Incident

    stored = CheckpointEntry.objects.count()
    people = CheckpointPassenger.objects.count()
    incidents = Incident.objects.filter(source="checkpoints.alert").count()
    connection.close()
    if backend == "sqlite":
        raw = raw_sqlite(SQLITE_PATH, RAW_BATCH, TABLES)
    else:
        raw = raw_postgres(common.postgres_url(PG_NAME), RAW_BATCH, TABLES)
    rate = http_result["accepted"] / http_result["elapsed"] if http_result["elapsed"] else 0.0
    return {
        "backend": backend,
        "checkpoints": args.checkpoints,
        "clients": args.clients,
        "workers": args.workers,
        "residents": args.residents,
        "setup_s": built,
        "http": http_result,
        "rate": rate,
        "room": rate / NEEDED,
        "stored": stored,
        "people": people,
        "incidents": incidents,
        "raw": raw,
    }


def cpu_costs(result: dict[str, Any]) -> dict[str, float]:
    """CPU microseconds per accepted entry spent by the application server and by the
    database server (PostgreSQL; SQLite works inside the application server), and the
    entries a second the machine's cores would carry at that cost if they served nothing
    else: on a shared machine the rate measured is what was left over, the CPU cost is not."""
    cpu, accepted = result["http"]["cpu"], max(result["http"]["accepted"], 1)
    server = 1e6 * cpu["server"] / accepted
    database = 1e6 * cpu["database"] / accepted if result["backend"] != "sqlite" else 0.0
    ceiling = (os.cpu_count() or 1) * 1e6 / max(server + database, 1e-9)
    return {"server": server, "database": database, "ceiling": ceiling}


def report(result: dict[str, Any]) -> str:
    http_result, raw = result["http"], result["raw"]
    cost = cpu_costs(result)
    return "\n".join(
        [
            f"{result['backend']}: {http_result['accepted']:,} entries accepted in "
            f"{http_result['elapsed']:.1f} s over HTTP, one vehicle a request from "
            f"{result['checkpoints']} checkpoints = {result['rate']:,.0f} entries/s "
            f"(needed {NEEDED:.1f}/s: {result['room']:.1f}×; request p50 "
            f"{http_result['p50_ms']:.0f} ms, p99 {http_result['p99_ms']:.0f} ms; "
            f"{http_result['alerts']} alerts, {http_result['other']} not accepted, "
            f"{http_result['error_count']} errors {http_result['errors'][:2]})",
            f"  bare insert ({'executemany' if result['backend'] == 'sqlite' else 'COPY'} of "
            f"the same rows, {RAW_BATCH} entries and their people a transaction): "
            f"{raw['rows']:,} entries in {raw['elapsed']:.2f} s = {raw['rate']:,.0f}/s",
            f"  CPU per entry: application server {cost['server']:.0f} µs, database server "
            f"{cost['database']:.0f} µs → {os.cpu_count()} cores serving only this carry "
            f"{cost['ceiling']:,.0f} entries/s = {cost['ceiling'] / NEEDED:.0f}× the need",
            f"  check: {result['stored']:,} entries and {result['people']:,} people stored, "
            f"{result['incidents']} incidents raised",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--checkpoints", type=int, default=100)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--residents", type=int, default=5000)
    parser.add_argument("--append-docs", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        common.emit_result(run_one(args.one, args))
        return
    WORKDIR.mkdir(parents=True, exist_ok=True)
    results = []
    load_before = os.getloadavg()[0]
    names = ("checkpoints", "clients", "workers", "seconds", "residents")
    for backend in args.databases.split(","):
        result = common.run_one_child("bench.checkpoints", backend, common.forward(args, names))
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
        "## Checkpoint entries through the HTTP sync API (issue 12)",
        "",
        f"`.venv/bin/python -m bench.checkpoints --checkpoints {args.checkpoints} --clients "
        f"{args.clients} --workers {args.workers} --seconds {args.seconds:g} --append-docs` — "
        f"{time.strftime('%Y-%m-%d')}, 2 cores shared with other work (load average "
        f"{load[0]:.1f} before, {load[1]:.1f} after). {args.checkpoints} checkpoints, a device "
        f"token each; {args.clients} client threads post one vehicle a request (1–4 people, a "
        f"third by resident code, the others by ID card and phone, one in {FEVER_ONE_IN} with "
        "a fever: a key person and an incident) as fast as gunicorn "
        f"({args.workers} sync workers) answers. Needed: 100 checkpoints × 1,000 vehicles an "
        f"hour = {NEEDED:.1f} entries/s. Bare insert: the same rows into same-shaped tables, "
        f"{RAW_BATCH} entries and their people a transaction.",
        "",
        "| database | entries/s carried (shared machine) | ÷ 27.8/s | request p50 / p99 | "
        "CPU µs per entry: app / database | entries/s the 2 cores carry at that cost | "
        "÷ 27.8/s | alerts raised | bare insert entries/s |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        http_result = result["http"]
        cost = cpu_costs(result)
        lines.append(
            f"| {result['backend']} | {result['rate']:,.0f} | {result['room']:.1f}× | "
            f"{http_result['p50_ms']:.0f} / {http_result['p99_ms']:.0f} ms | "
            f"{cost['server']:,.0f} / {cost['database']:,.0f} | {cost['ceiling']:,.0f} | "
            f"{cost['ceiling'] / NEEDED:.0f}× | {http_result['alerts']} | "
            f"{result['raw']['rate']:,.0f} |"
        )
    lines.append("")
    common.append_docs_section(lines)


if __name__ == "__main__":
    main()
