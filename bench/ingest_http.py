"""Registration ingestion through the real HTTP sync API, against the database's raw insert.

    .venv/bin/python -m bench.ingest_http [--databases sqlite,postgres] [--residents 200000]
        [--batch 500] [--clients 6] [--workers 3] [--seconds 60] [--append-docs]

For each database, in one run:

* a throwaway database (a SQLite file under /tmp with the settings' WAL pragmas, or the
  PostgreSQL database `bench_ingest`), migrated, with a district of N residents (the
  demo's Qilihe district from wangge.demo.generator), an open round over the district
  and one sampler's device token per client;
* a real server: gunicorn (from .venv/bin) serving wangge.wsgi on 127.0.0.1 and a free
  port, `--workers` sync workers, production settings with throwaway secrets;
* `--clients` client threads posting pre-built batches of `--batch` registrations (UUIDv7
  client ids, tubes of 10, people by resident code and one in ten by ID number) over
  loopback until every resident is registered once or `--seconds` have passed;
* the raw limit: the same rows (read back from the registration table) inserted into a
  table of the same shape (columns, unique and plain indexes, foreign keys) with the
  database's own bulk path — sqlite3 `executemany` (SQLite) or `COPY` (PostgreSQL) — in
  batches of the same size, one transaction per batch, as the API does; and again with
  each person's first-sample row (RoundSample) in the same transaction: the writes a
  first registration cannot do without, with no reading, checking or HTTP at all;
* the CPU each registration cost the application server, the database server, the
  clients and the whole machine (/proc), hence the most the machine's cores could carry.

It prints registrations/s for both and their ratio. Targets (issue 4): ≥ 20,000
registrations/s through the API, and at least a quarter of the raw insert rate.
"""

import argparse
import http.client
import json
import os
import random
import shutil
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench import common

WORKDIR = common.HTTP_WORKDIR
SQLITE_PATH = WORKDIR / "bench_ingest.sqlite3"
PG_NAME = "bench_ingest"
# Issue 14: through the API, per database (SQLite works inside the application server).
TARGET_RATES = {"sqlite": 30_000, "postgres": 20_000}
TARGET_RATIO = 0.25
TUBE = 10
ID_SHARE = 10  # one item in ID_SHARE names the person by ID number


# --- the data ----------------------------------------------------------------------------


@dataclass
class World:
    round_id: int
    point_id: int
    tokens: list[str]
    # (code, id_type, id_number) per resident, in a shuffled order
    people: list[tuple[str, str, str]] = field(default_factory=list)


def build_world(residents: int, clients: int, seed: int = 4) -> World:
    """A district of `residents` people, an open round over it, and a sampler's device
    token per client. The district is the demo's (wangge.demo.generator, Qilihe). Runs
    inside a configured Django."""
    import datetime as dt

    from django.utils import timezone

    from wangge.accounts.devices import issue_device_token
    from wangge.accounts.models import RoleAssignment, User
    from wangge.demo.generator import build_demo, get_profile
    from wangge.residents.models import Resident
    from wangge.testing.actions.rounds import (
        PointData,
        add_sampling_point,
        create_round,
        open_round,
    )

    district = build_demo(get_profile("qilihe"), residents=residents, acting_user=None).district
    rng = random.Random(seed)
    people: list[tuple[str, str, str]] = []
    for n, resident in enumerate(
        Resident.objects.filter(grid__path__startswith=district.path)
        .only("code", "id_type", "id_number_cipher")
        .order_by("pk")
        .iterator(chunk_size=5000)
    ):
        number = resident.reveal_id_number() if n % ID_SHARE == 0 else ""
        people.append((resident.code, resident.id_type, number))
    sampler = User.objects.create(username="bench_sampler")
    RoleAssignment.objects.create(user=sampler, role="sampler", area=district)
    now = timezone.now()
    round_ = create_round(
        name="第一轮全员核酸",
        scope=[district],
        starts_at=now - dt.timedelta(hours=1),
        ends_at=now + dt.timedelta(hours=23),
        acting_user=None,
    )
    open_round(round_, acting_user=None)
    # Every registration names its point: one serving the whole district.
    point = add_sampling_point(round_, PointData(area=district), acting_user=None)
    tokens = [
        issue_device_token(sampler, district, f"desk {n}", acting_user=sampler)[0]
        for n in range(clients)
    ]
    rng.shuffle(people)
    return World(round_.pk, point.pk, tokens, people)


def build_bodies(world: World, batch: int, clients: int) -> tuple[list[list[bytes]], int]:
    """Each client's batches as ready bytes: every resident once, in tubes of TUBE."""
    import datetime as dt

    from wangge.lib.uuid7 import uuid7

    sampled_at = dt.datetime.now(dt.UTC).isoformat()
    per_client: list[list[bytes]] = [[] for _ in range(clients)]
    tube_no = 0
    total = 0
    people = world.people
    for start in range(0, len(people) - batch + 1, batch):
        items = []
        for offset, (code, id_type, number) in enumerate(people[start : start + batch]):
            if offset % TUBE == 0:
                tube_no += 1
            person: dict[str, str] = (
                {"id_type": id_type, "id_number": number} if number else {"resident_code": code}
            )
            items.append(
                {
                    "client_id": str(uuid7()),
                    "round_id": world.round_id,
                    "tube_barcode": f"B{tube_no:09d}",
                    "tube_capacity": TUBE,
                    "sampled_at": sampled_at,
                    "mode": "point",
                    "sampling_point_id": world.point_id,
                    "person": person,
                }
            )
        per_client[(start // batch) % clients].append(
            json.dumps({"items": items}, separators=(",", ":")).encode()
        )
        total += len(items)
    return per_client, total


# --- the server --------------------------------------------------------------------------


def processes_cpu_seconds(master: int | None = None, command: str = "") -> float:
    """CPU time (user + system) so far, from /proc, of a process and its children (the
    gunicorn master and its workers) or of every process running `command` (the
    PostgreSQL server): on a shared, noisy machine, CPU per registration says more than
    wall time."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            name, fields = (entry / "stat").read_text().rsplit(")", 1)
        except OSError:
            continue
        values = fields.split()
        pid, ppid = int(entry.name), int(values[1])
        if (master is not None and master in (pid, ppid)) or (
            command and name.split("(", 1)[1] == command
        ):
            total += (int(values[11]) + int(values[12])) / ticks
    return total


def process_cpu_seconds(pid: int) -> float:
    """CPU time (user + system) so far of one process, from /proc."""
    values = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    return (int(values[11]) + int(values[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, all) CPU seconds of the whole machine so far, every core, from /proc/stat."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    ticks = os.sysconf("SC_CLK_TCK")
    idle = values[3] + values[4]  # idle and waiting for I/O
    return (sum(values) - idle) / ticks, sum(values) / ticks


@dataclass
class CpuMeter:
    """CPU spent during a run by the application server, the database server (PostgreSQL;
    SQLite works inside the application server), the clients (this process) and the whole
    machine: what a registration costs in all, hence what two cores can carry."""

    server_pid: int
    started: dict[str, float] = field(default_factory=dict)

    def read(self) -> dict[str, float]:
        busy, every = machine_cpu_seconds()
        times = os.times()
        return {
            "server": processes_cpu_seconds(master=self.server_pid),
            "database": processes_cpu_seconds(command="postgres"),
            "client": times.user + times.system,
            "machine_busy": busy,
            "machine_all": every,
        }

    def start(self) -> None:
        self.started = self.read()

    def spent(self) -> dict[str, float]:
        now = self.read()
        return {key: now[key] - self.started[key] for key in now}


@dataclass
class ClientTally:
    batches: int = 0
    accepted: int = 0
    other: int = 0
    errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


def post_all(
    port: int, token: str, bodies: list[bytes], deadline: float, tally: ClientTally
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    for body in bodies:
        if time.monotonic() > deadline:
            break
        started = time.perf_counter()
        try:
            connection.request("POST", "/api/v1/testing/station/registrations", body, headers)
            response = connection.getresponse()
            answer = response.read()
        except (OSError, http.client.HTTPException) as exc:
            tally.errors.append(repr(exc))
            connection.close()
            continue
        tally.latencies.append(time.perf_counter() - started)
        if response.status != 200:
            tally.errors.append(f"{response.status}: {answer[:200]!r}")
            continue
        tally.batches += 1
        accepted = answer.count(b'"status":"accepted"')
        tally.accepted += accepted
        tally.other += answer.count(b'"status":') - accepted
    connection.close()


def run_clients(
    port: int, tokens: list[str], bodies: list[list[bytes]], seconds: float
) -> dict[str, Any]:
    tallies = [ClientTally() for _ in bodies]
    deadline = time.monotonic() + seconds
    threads = [
        threading.Thread(target=post_all, args=(port, tokens[n], bodies[n], deadline, tallies[n]))
        for n in range(len(bodies))
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
        "batches": sum(t.batches for t in tallies),
        "accepted": sum(t.accepted for t in tallies),
        "other": sum(t.other for t in tallies),
        "errors": [e for t in tallies for e in t.errors][:5],
        "error_count": sum(len(t.errors) for t in tallies),
        "p50_ms": 1000 * latencies[len(latencies) // 2] if latencies else 0.0,
        "p99_ms": 1000 * latencies[int(len(latencies) * 0.99)] if latencies else 0.0,
    }


# --- the raw limit -----------------------------------------------------------------------


REGISTRATIONS = ("testing_registration",)
# Every registration of a person not yet sampled in the round also writes that person's
# RoundSample row: the writes no implementation of a first sampling can skip.
WITH_FIRST_SAMPLES = ("testing_registration", "testing_roundsample")


def _batches(rows: dict[str, list[Any]], batch: int) -> Iterator[dict[str, list[Any]]]:
    """The tables' rows cut alike: batch n holds each table's rows n·batch … (n+1)·batch."""
    longest = max(len(table_rows) for table_rows in rows.values())
    for start in range(0, longest, batch):
        yield {table: table_rows[start : start + batch] for table, table_rows in rows.items()}


def raw_sqlite(
    path: Path, batch: int, tables: Sequence[str], *, lean: bool = False
) -> dict[str, Any]:
    """executemany of the stored rows of `tables` into same-shaped tables, one transaction
    per batch (each table's share of it), with the settings' pragmas. `lean`: into one
    append table of the same columns with a single unique index (on the client id), no
    other index, no constraint: the physical limit of storing the rows."""
    from django.conf import settings

    connection = sqlite3.connect(path, isolation_level=None)
    connection.executescript(settings.DATABASES["default"]["OPTIONS"]["init_command"])
    rows: dict[str, list[Any]] = {}
    inserts: dict[str, str] = {}
    for table in tables:
        copy = f"raw_{table}"
        schema = connection.execute(
            "SELECT type, sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL "
            "ORDER BY type DESC",
            [table],
        ).fetchall()
        connection.execute(f'DROP TABLE IF EXISTS "{copy}"')
        if lean:
            connection.execute(f'CREATE TABLE "{copy}" AS SELECT * FROM "{table}" WHERE 0')  # noqa: S608
            connection.execute(f'CREATE UNIQUE INDEX "raw_lean_key" ON "{copy}" (client_id)')
        else:
            for kind, sql in schema:  # the table first ('table' > 'index'), then its indexes
                sql = sql.replace(f'"{table}"', f'"{copy}"')
                if kind == "index":
                    sql = sql.replace('INDEX "', 'INDEX "raw_', 1)
                connection.execute(sql)
        columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
        # Quoted: a column may be named by a keyword ("order").
        columns = [f'"{c}"' for c in columns if c != "id"]
        rows[copy] = connection.execute(
            f'SELECT {", ".join(columns)} FROM "{table}" ORDER BY id'  # noqa: S608
        ).fetchall()
        inserts[copy] = (
            f'INSERT INTO "{copy}" ({", ".join(columns)}) '  # noqa: S608
            f"VALUES ({', '.join('?' * len(columns))})"
        )
    started, cpu = time.perf_counter(), time.process_time()
    for chunk in _batches(rows, batch):
        connection.execute("BEGIN IMMEDIATE")
        for copy, chunk_rows in chunk.items():
            connection.executemany(inserts[copy], chunk_rows)
        connection.execute("COMMIT")
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    for copy in rows:
        connection.execute(f'DROP TABLE "{copy}"')
    connection.close()
    first = rows[f"raw_{tables[0]}"]
    return {
        "rows": len(first),
        "elapsed": elapsed,
        "rate": len(first) / elapsed,
        # SQLite works in this process: its CPU is the timed loop's (with executemany's).
        "database_cpu_us": 1e6 * cpu / max(len(first), 1),
    }


def raw_postgres(
    url: str, batch: int, tables: Sequence[str], *, lean: bool = False
) -> dict[str, Any]:
    """COPY of the stored rows of `tables` into same-shaped tables (LIKE … INCLUDING ALL
    plus the same foreign keys, if any), one transaction per batch (each table's share of
    it). `lean`: one append table of the same columns with a single unique index."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as connection:
        rows: dict[str, list[Any]] = {}
        copies: dict[str, str] = {}
        for table in tables:
            copy = f"raw_{table}"
            connection.execute(f"DROP TABLE IF EXISTS {copy}")
            if lean:
                connection.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING DEFAULTS)")
                connection.execute(f"ALTER TABLE {copy} DROP COLUMN id")  # no key but one
                connection.execute(f"CREATE UNIQUE INDEX raw_lean_key ON {copy} (client_id)")
                foreign: list[Any] = []
            else:
                connection.execute(f"CREATE TABLE {copy} (LIKE {table} INCLUDING ALL)")
                foreign = connection.execute(
                    "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                    "WHERE conrelid = %s::regclass AND contype = 'f'",
                    [table],
                ).fetchall()
            for (definition,) in foreign:
                connection.execute(f"ALTER TABLE {copy} ADD {definition}")
            columns = [
                f'"{row[0]}"'  # quoted: a column may be named by a keyword ("order")
                for row in connection.execute(
                    "SELECT column_name FROM information_schema.columns "
                    "WHERE table_name = %s AND column_name <> 'id' ORDER BY ordinal_position",
                    [table],
                ).fetchall()
            ]
            rows[copy] = connection.execute(
                f"SELECT {', '.join(columns)} FROM {table} ORDER BY id"  # noqa: S608
            ).fetchall()
            copies[copy] = f"COPY {copy} ({', '.join(columns)}) FROM STDIN"
        # The server process of this connection, read before it exits with the connection.
        backend_pid = connection.info.backend_pid
        backend_cpu = process_cpu_seconds(backend_pid)
        started = time.perf_counter()
        for chunk in _batches(rows, batch):
            with connection.transaction(), connection.cursor() as cursor:
                for copy, chunk_rows in chunk.items():
                    with cursor.copy(copies[copy]) as writer:
                        for row in chunk_rows:
                            writer.write_row(row)
        elapsed = time.perf_counter() - started
        backend_cpu = process_cpu_seconds(backend_pid) - backend_cpu
        for copy in rows:
            connection.execute(f"DROP TABLE {copy}")
    first = rows[f"raw_{tables[0]}"]
    return {
        "rows": len(first),
        "elapsed": elapsed,
        "rate": len(first) / elapsed,
        "database_cpu_us": 1e6 * backend_cpu / max(len(first), 1),
    }


# --- one database ------------------------------------------------------------------------


def run_one(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    """Everything for one database; runs in its own process (Django is set up once)."""
    env = common.server_env(common.fresh_database(backend, SQLITE_PATH, PG_NAME))
    common.setup_django(env)
    from django.db import connection

    began = time.perf_counter()
    world = build_world(args.residents, args.clients)
    bodies, planned = build_bodies(world, args.batch, args.clients)
    built = time.perf_counter() - began
    connection.close()

    port = common.free_port()
    server = common.start_server(env, port, args.workers)
    try:
        # Warm up the workers (imports, connections, caches) with two batches: not counted.
        warm = [bodies[0].pop(), bodies[0].pop()]
        run_clients(port, world.tokens[:2], [[warm[0]], [warm[1]]], 60)
        meter = CpuMeter(server.pid)
        meter.start()
        http = run_clients(port, world.tokens, bodies, args.seconds)
        http["cpu"] = meter.spent()
    finally:
        common.stop_server(server)

    from wangge.testing.models import Registration, RoundSample, Tube

    stored = Registration.objects.count()
    tubes_ok = not Tube.objects.exclude(filled__lte=10).exists()
    samples = RoundSample.objects.count()
    connection.close()

    def raw_insert(tables: Sequence[str], lean: bool = False) -> dict[str, Any]:
        started = time.perf_counter()
        if backend == "sqlite":
            found = raw_sqlite(SQLITE_PATH, args.batch, tables, lean=lean)
        else:
            found = raw_postgres(common.postgres_url(PG_NAME), args.batch, tables, lean=lean)
        found["wall"] = time.perf_counter() - started
        return found

    raw = raw_insert(REGISTRATIONS)
    raw_writes = raw_insert(WITH_FIRST_SAMPLES)
    raw_lean = raw_insert(REGISTRATIONS, lean=True)
    rate = http["accepted"] / http["elapsed"] if http["elapsed"] else 0.0
    return {
        "backend": backend,
        "residents": args.residents,
        "batch": args.batch,
        "clients": args.clients,
        "workers": args.workers,
        "setup_s": built,
        "planned": planned,
        "http": http,
        "rate": rate,
        "stored": stored,
        "round_samples": samples,
        "tubes_within_capacity": tubes_ok,
        "raw": raw,
        "raw_writes": raw_writes,
        "raw_lean": raw_lean,
        "ratio": rate / raw["rate"] if raw["rate"] else 0.0,
    }


def report(result: dict[str, Any]) -> str:
    http = result["http"]
    raw = result["raw"]
    target = TARGET_RATES[result["backend"]]
    met_rate = result["rate"] >= target
    met_ratio = result["ratio"] >= TARGET_RATIO
    return "\n".join(
        [
            f"{result['backend']}: {http['accepted']:,} registrations accepted in "
            f"{http['elapsed']:.1f} s over HTTP = {result['rate']:,.0f}/s "
            f"({http['batches']} batches of {result['batch']}, {result['clients']} clients, "
            f"{result['workers']} gunicorn workers; batch p50 {http['p50_ms']:.0f} ms, "
            f"p99 {http['p99_ms']:.0f} ms; {http['other']} not accepted, "
            f"{http['error_count']} errors)",
            f"  raw limit ({'executemany' if result['backend'] == 'sqlite' else 'COPY'}, same "
            f"rows, batches of {result['batch']}): {raw['rows']:,} rows in "
            f"{raw['elapsed']:.2f} s = {raw['rate']:,.0f}/s; with each person's first-sample "
            f"row as well: {result['raw_writes']['rate']:,.0f}/s (target ≥ {target:,}/s "
            f"{'within' if result['raw_writes']['rate'] >= target else 'beyond'} the "
            "database's own insert of the rows a registration writes)",
            f"  lean append table (one unique index, no constraint), the physical limit: "
            f"{result['raw_lean']['rate']:,.0f}/s; database CPU per row: tables as they are "
            f"{result['raw_writes']['database_cpu_us']:.1f} µs (with first samples), lean "
            f"{result['raw_lean']['database_cpu_us']:.1f} µs",
            f"  ratio API / raw = {result['ratio']:.2f} (target ≥ {TARGET_RATIO}: "
            f"{'met' if met_ratio else 'NOT met'}); rate target ≥ {target:,}/s: "
            f"{'met' if met_rate else 'NOT met'}",
            cpu_line(result),
            f"  check: {result['stored']:,} rows stored, {result['round_samples']:,} people "
            f"sampled, every tube within capacity: {result['tubes_within_capacity']}",
        ]
    )


def cpu_costs(result: dict[str, Any]) -> dict[str, float]:
    """CPU microseconds per accepted registration, by whom; the machine's busy share; and
    the rate the machine's cores could carry at that cost."""
    cpu, accepted = result["http"]["cpu"], max(result["http"]["accepted"], 1)
    cores = os.cpu_count() or 1
    per = {key: 1e6 * cpu[key] / accepted for key in ("server", "database", "client")}
    per["machine"] = 1e6 * cpu["machine_busy"] / accepted
    per["busy_share"] = cpu["machine_busy"] / max(cpu["machine_all"], 1e-9)
    per["ceiling"] = cores * 1e6 / max(per["machine"], 1e-9)
    return per


def cpu_line(result: dict[str, Any]) -> str:
    cost = cpu_costs(result)
    database = (
        "inside the application server"
        if result["backend"] == "sqlite"
        else f"{cost['database']:.0f} µs"
    )
    return (
        f"  CPU per registration: application server {cost['server']:.0f} µs, database "
        f"server {database}, clients {cost['client']:.0f} µs; whole machine "
        f"{cost['machine']:.0f} µs ({cost['busy_share']:.0%} of its "
        f"{os.cpu_count()} cores busy) → at this cost the cores carry at most "
        f"{cost['ceiling']:,.0f} registrations/s"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--residents", type=int, default=200_000)
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--clients", type=int, default=6)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--append-docs", action="store_true")
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if not 100 <= args.batch <= 500:
        parser.error("batches hold 100 to 500 registrations")
    if args.one:
        common.emit_result(run_one(args.one, args))
        return
    WORKDIR.mkdir(parents=True, exist_ok=True)
    results = []
    load_before = os.getloadavg()[0]
    for backend in args.databases.split(","):
        options = common.forward(args, ("residents", "batch", "clients", "workers", "seconds"))
        result = common.run_one_child("bench.ingest_http", backend, options)
        results.append(result)
        print(report(result), flush=True)
    load = (load_before, os.getloadavg()[0])
    print(f"load average (1 min) before / after: {load[0]:.1f} / {load[1]:.1f}")
    if args.append_docs:
        append_docs(results, args, load)
    shutil.rmtree(WORKDIR / "var", ignore_errors=True)


def append_docs(
    results: list[dict[str, Any]], args: argparse.Namespace, load: tuple[float, float]
) -> None:
    lines = [
        "",
        "## Registration ingestion through the HTTP sync API (issue 4)",
        "",
        f"`.venv/bin/python -m bench.ingest_http --residents {args.residents} --batch {args.batch} "
        f"--clients {args.clients} --workers {args.workers} --append-docs` — "
        f"{time.strftime('%Y-%m-%d')}, 2 cores. A district of {args.residents:,} residents, an "
        f"open round, gunicorn ({args.workers} sync workers) on loopback, {args.clients} client "
        f"threads posting batches of {args.batch} (tubes of {TUBE}, UUIDv7 client ids, one person "
        f"in {ID_SHARE} by ID number). Raw limit: the same rows into a table of the same shape, "
        "same batch size, one transaction per batch; then with each person's first-sample row "
        "in the same transaction. CPU per registration (from /proc): the "
        "gunicorn processes, the PostgreSQL server's processes (SQLite works inside "
        "gunicorn), the client threads, and the whole machine; the ceiling is what the "
        "machine's cores carry at that whole-machine cost. Load average "
        f"{load[0]:.1f} before, {load[1]:.1f} after.",
        "",
        "| database | API registrations/s | batch p50 / p99 | raw insert/s | raw with first "
        "samples/s | API ÷ raw | "
        "CPU µs per registration: app / database / clients / machine (busy) | ceiling "
        "of 2 cores | ≥ 30,000/s SQLite, 20,000/s PostgreSQL | ≥ ¼ raw |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for result in results:
        http = result["http"]
        cost = cpu_costs(result)
        database = "—" if result["backend"] == "sqlite" else f"{cost['database']:.0f}"
        lines.append(
            f"| {result['backend']} | {result['rate']:,.0f} | {http['p50_ms']:.0f} / "
            f"{http['p99_ms']:.0f} ms | {result['raw']['rate']:,.0f} "
            f"({'executemany' if result['backend'] == 'sqlite' else 'COPY'}) | "
            f"{result['raw_writes']['rate']:,.0f} | "
            f"{result['ratio']:.2f} | {cost['server']:.0f} / "
            f"{database} / "
            f"{cost['client']:.0f} / {cost['machine']:.0f} ({cost['busy_share']:.0%}) | "
            f"{cost['ceiling']:,.0f}/s | "
            f"{'met' if result['rate'] >= TARGET_RATES[result['backend']] else 'not met'} | "
            f"{'met' if result['ratio'] >= TARGET_RATIO else 'not met'} |"
        )
    lines.append("")
    common.append_docs_section(lines)


if __name__ == "__main__":
    main()
