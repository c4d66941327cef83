"""One escalation pass over 10,000 overdue incidents, against the same writes as raw SQL.

    .venv/bin/python -m bench.escalation [--incidents 10000] [--grids 200] [--repeat 3]
                                         [--only sqlite|postgres] [--append-docs]

For each database (a SQLite file under /tmp, and the PostgreSQL database bench_escalation
when the server answers) a child process builds a district of `--grids` grids (streets of
ten communities of ten grids) with a full chain of responsibility (stationed cadre and grid
leader on every grid, two leaders on every community, one on every street, all with a
login) and `--incidents` open incidents spread over the grids, all past their acknowledge
limit. It measures `incidents.escalation.escalate_due` once (one worker pass: the claim,
the chains of every grid, the grouped updates, the timeline, the notifications, the audit
entry), `--repeat` times from the same state.

The raw limit, in the same run and transaction shape: the same rows written by bare SQL —
one UPDATE of every overdue incident (a constant new assignee and due time: the least a
pass can write) and the same number of timeline lines, notifications and outbound messages
as the pass wrote, inserted with `executemany`; and, alone, the bare UPDATE. Target (issue 11): one pass
under 1 s.
"""

import argparse
import datetime as dt
import json
import statistics
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

from bench import common

SQLITE_FILE = Path(tempfile.gettempdir()) / "wangge-bench-escalation.sqlite3"
PG_NAME = "bench_escalation"
VAR_DIR = Path(tempfile.gettempdir()) / "wangge-bench-escalation-var"
TARGET = 1.0


def child(args: argparse.Namespace) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from wangge.accounts.models import User
    from wangge.areas.choices import AreaKind
    from wangge.areas.models import Area
    from wangge.incidents.choices import Clock, IncidentStatus
    from wangge.incidents.escalation import escalate_due
    from wangge.incidents.models import Incident, IncidentStep
    from wangge.notifications.models import Notification, OutboundMessage
    from wangge.workforce.choices import WorkerKind
    from wangge.workforce.models import Duty, Responsibility, Worker

    call_command("migrate", verbosity=0)
    now = timezone.now()
    since = now - dt.timedelta(days=365)
    duties = {duty.code: duty for duty in Duty.objects.all()}
    city = Area.objects.add_root(instance=Area(name="基准市", kind=AreaKind.CITY))
    district = city.add_child(instance=Area(name="基准区", kind=AreaKind.DISTRICT, code="629999"))
    grids: list[Area] = []
    people: list[tuple[Area, str]] = []
    streets = max(1, args.grids // 100)
    for s in range(streets):
        district.refresh_from_db()
        street = district.add_child(instance=Area(name=f"街道{s}", kind=AreaKind.STREET))
        people.append((street, "district_leader_street"))
        for c in range(10):
            street.refresh_from_db()
            community = street.add_child(
                instance=Area(name=f"社区{s}-{c}", kind=AreaKind.COMMUNITY)
            )
            people += [(community, "street_leader_community"), (community, "cadre_community")]
            for g in range(max(1, args.grids // streets // 10)):
                community.refresh_from_db()
                grid = community.add_child(
                    instance=Area(name=f"网格{s}-{c}-{g}", kind=AreaKind.COMPOUND)
                )
                grids.append(grid)
                people += [(grid, "stationed_cadre_grid"), (grid, "grid_leader")]
    users = User.objects.bulk_create(
        # "!" marks an unusable password (no one signs in as them here).
        [User(username=f"bench{i}", password="!") for i in range(len(people))],  # noqa: S106
        batch_size=1000,
    )
    workers = Worker.objects.bulk_create(
        [
            Worker(name=f"干部{i}", kind=WorkerKind.STATIONED_CADRE, area=area, user=user)
            for i, ((area, _duty), user) in enumerate(zip(people, users, strict=True))
        ],
        batch_size=1000,
    )
    Responsibility.objects.bulk_create(
        [
            Responsibility(worker=worker, duty=duties[code], area=area, started_at=since)
            for worker, (area, code) in zip(workers, people, strict=True)
        ],
        batch_size=1000,
    )
    cadre = {
        worker.area_id: worker
        for worker, (_area, code) in zip(workers, people, strict=True)
        if code == "stationed_cadre_grid"
    }
    reported = now - dt.timedelta(hours=1)
    due = reported + dt.timedelta(minutes=5)
    ids = [uuid.uuid4() for _ in range(args.incidents)]
    Incident.objects.bulk_create(
        [
            Incident(
                id=pk,
                kind="fever",
                severity="critical",
                area=grids[i % len(grids)],
                assignee=cadre[grids[i % len(grids)].pk],
                status=IncidentStatus.OPEN,
                clock=Clock.ACKNOWLEDGE,
                due_at=due,
                acknowledge_due=due,
                arrive_due=reported + dt.timedelta(minutes=30),
                report_due=reported + dt.timedelta(minutes=60),
                reported_at=reported,
            )
            for i, pk in enumerate(ids)
        ],
        batch_size=1000,
    )
    assignees = {pk: cadre[grids[i % len(grids)].pk].pk for i, pk in enumerate(ids)}

    def reset() -> None:
        with transaction.atomic():
            IncidentStep.objects.all().delete()
            OutboundMessage.objects.all().delete()
            Notification.objects.all().delete()
            Incident.objects.update(
                status=IncidentStatus.OPEN,
                clock=Clock.ACKNOWLEDGE,
                due_at=due,
                acknowledge_due=due,
                escalation_step=0,
                missed=0,
            )
            by_worker: dict[Any, list[Any]] = {}
            for pk, worker_id in assignees.items():
                by_worker.setdefault(worker_id, []).append(pk)
            for worker_id, pks in by_worker.items():
                Incident.objects.filter(pk__in=pks).update(assignee_id=worker_id)
        if connection.vendor == "postgresql":
            # The reset rewrote every row twice: cleared as autovacuum would, so the pass
            # does not pay for the bench's own dead rows.
            with connection.cursor() as cursor:
                cursor.execute(f"VACUUM ANALYZE {Incident._meta.db_table}")  # noqa: S608

    from django.urls import reverse

    reverse("incidents:list")  # a running worker has its URL patterns loaded already
    passes = []
    for _ in range(args.repeat):
        reset()
        started = time.perf_counter()
        escalated = escalate_due(now)
        passes.append(time.perf_counter() - started)
        assert escalated == args.incidents, escalated
    from django.test.utils import CaptureQueriesContext

    reset()
    with CaptureQueriesContext(connection) as captured:
        escalate_due(now)
    queries = len(captured)
    # Where the pass's time goes: the statements by kind, the rest is Python and commit.
    by_kind: dict[str, float] = {}
    for query in captured.captured_queries:
        words = query["sql"].split()
        kind = " ".join(words[:3]) if words else ""
        by_kind[kind] = by_kind.get(kind, 0.0) + float(query["time"])
    breakdown = dict(sorted(by_kind.items(), key=lambda item: -item[1])[:8])
    steps = IncidentStep.objects.count()
    notes = Notification.objects.count()

    def key(value: uuid.UUID) -> Any:
        return value.hex if connection.vendor == "sqlite" else value

    raw_full, raw_update = [], []
    table = Incident._meta.db_table
    leader = workers[1].pk
    user_id = users[1].pk
    for _ in range(args.repeat):
        reset()
        with transaction.atomic(), connection.cursor() as cursor:
            started = time.perf_counter()
            cursor.execute(
                f"UPDATE {table} SET assignee_id = %s, due_at = %s, acknowledge_due = %s, "  # noqa: S608
                "escalation_step = escalation_step + 1, missed = missed + 1 "
                "WHERE due_at <= %s AND status IN (%s, %s, %s)",
                [key(leader), now, now, now, "open", "acknowledged", "on_site"],
            )
            raw_update.append(time.perf_counter() - started)
            cursor.executemany(
                f"INSERT INTO {IncidentStep._meta.db_table} (incident_id, step, at, clock, note, reason) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, '', '')",
                [
                    (key(pk), step, now, "acknowledge")
                    for pk in ids
                    for step in ("missed", "escalated")
                ],
            )
            cursor.executemany(
                f"INSERT INTO {Notification._meta.db_table} (user_id, title, body, link, created_at) "  # noqa: S608
                "VALUES (%s, %s, %s, %s, %s)",
                # As many as the pass wrote: one per person escalated to.
                [(user_id, "升级", "时限已到", "/incidents/mine/", now) for _ in range(notes)],
            )
            cursor.execute(f"SELECT id FROM {Notification._meta.db_table}")  # noqa: S608
            note_ids = [row[0] for row in cursor.fetchall()]
            cursor.executemany(
                f"INSERT INTO {OutboundMessage._meta.db_table} (id, notification_id, channel, "  # noqa: S608
                "status, attempts, next_attempt_at, created_at, last_error) "
                "VALUES (%s, %s, 'log', 'pending', 0, %s, %s, '')",
                [(key(uuid.uuid4()), note_id, now, now) for note_id in note_ids],
            )
            raw_full.append(time.perf_counter() - started)
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "incidents": args.incidents,
                "grids": len(grids),
                "workers": len(workers),
                "pass_s": statistics.median(passes),
                "passes": passes,
                "queries": queries,
                "breakdown": breakdown,
                "steps": steps,
                "notifications": notes,
                "raw_update_s": statistics.median(raw_update),
                "raw_full_s": statistics.median(raw_full),
            }
        )
    )


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = common.child_command("bench.escalation", args, ("incidents", "grids", "repeat"))
    return common.run_json_child(
        command, common.demo_env(database_url, VAR_DIR, LOG_LEVEL="WARNING")
    )


def report(result: dict[str, Any]) -> str:
    met = "met" if result["pass_s"] < TARGET else "MISSED"
    return (
        f"{result['vendor']}: {result['incidents']:,} overdue incidents over {result['grids']} "
        f"grids: one pass {common.ms(result['pass_s'])} ({result['queries']} queries; "
        f"{result['steps']:,} timeline rows, {result['notifications']:,} notifications); raw SQL "
        f"of the same writes {common.ms(result['raw_full_s'])} "
        f"(→ {result['pass_s'] / result['raw_full_s']:.1f}×), the bare UPDATE alone "
        f"{common.ms(result['raw_update_s'])}; target < 1 s: {met}\n  statements (s): "
        + json.dumps(result["breakdown"], ensure_ascii=False)
    )


def append_docs(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lines = [
        "",
        "## Escalation of overdue incidents in one worker pass (issue 11)",
        "",
        f"`.venv/bin/python -m bench.escalation --incidents {args.incidents} --grids {args.grids} "
        f"--repeat {args.repeat}` — 2 cores shared; every incident past its acknowledge limit, "
        "a full chain with logins on every grid, community and street; one "
        "`escalate_due` (claim, chains, grouped updates, timeline, notifications, audit entry), "
        "median of the runs. Raw limit: the same rows written by bare SQL in one transaction "
        "(one UPDATE of every incident, `executemany` of the timeline, notification and "
        "outbound rows); the bare UPDATE alone for scale.",
        "",
        "| database | incidents | one pass | queries | raw SQL, same writes | pass ÷ raw | "
        "bare UPDATE | target < 1 s |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['vendor']} | {r['incidents']:,} | {common.ms(r['pass_s'])} | {r['queries']} | "
            f"{common.ms(r['raw_full_s'])} | {r['pass_s'] / r['raw_full_s']:.1f}× | "
            f"{common.ms(r['raw_update_s'])} | {'met' if r['pass_s'] < TARGET else 'MISSED'} |"
        )
    common.append_docs_section(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--incidents", type=int, default=10_000)
    parser.add_argument("--grids", type=int, default=200)
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
