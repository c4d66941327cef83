"""The daily bulletin: one district's, and the worker's whole set for a made day.

    .venv/bin/python -m bench.bulletin [--streets 10] [--communities 10] [--grids 10]
                                       [--repeat 5] [--only sqlite|postgres] [--append-docs]

For each database (a SQLite file under /tmp, and the PostgreSQL database bench_bulletin
when the server answers) a child process builds a district of `--streets` streets of
`--communities` communities of `--grids` grids, with 14 days of frozen figures for the
district, its streets and its communities (the grids have the last day only: they are the
communities' children in their bulletins), the district's lists full (50 items each). It
measures:

* one district bulletin, `--repeat` times (the row removed between runs, so each run makes
  it): reading the snapshots (`content.gather`), drawing the seven charts, laying out the
  PDF, writing the workbook, and the whole `make_bulletin` (files and audit included);
* the worker's set for the made day (`make_run_bulletins` at the default two levels: the
  district, its streets and their communities) and at one level;
* the floor, in the same run: WeasyPrint laying out a one-page A4 document in the same CJK
  font (what any PDF costs), and the bulletin's HTML laid out with its charts already drawn.

The load average is read before and after, and the CPU time of the making beside its wall
time (the machine is shared: under load, wall time is mostly waiting for a core).
"""

import argparse
import json
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common

SQLITE_FILE = Path(tempfile.gettempdir()) / "wangge-bench-bulletin.sqlite3"
PG_NAME = "bench_bulletin"
VAR_DIR = Path(tempfile.gettempdir()) / "wangge-bench-bulletin-var"
DAYS = 14
# The floor: one A4 page in the CJK font, what any PDF costs.
FLOOR_PAGE = "<h1>基准区疫情防控工作日报</h1><p>一页文字，与简报同一字体。</p>"


def _median(samples: list[float]) -> float:
    return round(statistics.median(samples), 3)


def child(args: argparse.Namespace) -> None:  # noqa: PLR0915
    import datetime as dt

    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone, translation

    from wangge.areas.choices import AreaKind
    from wangge.areas.models import Area
    from wangge.bulletins import charts, render
    from wangge.bulletins.actions import make_bulletin, make_run_bulletins
    from wangge.bulletins.content import gather
    from wangge.bulletins.models import Bulletin
    from wangge.core.pdf import render_pdf
    from wangge.snapshots.figures import FIGURES, LIST_LIMIT, RISK_ORDER
    from wangge.snapshots.models import DaySnapshot, RunTrigger, SnapshotRun

    settings.MEDIA_ROOT = str(VAR_DIR / "media")
    call_command("migrate", verbosity=0)
    city = Area.objects.add_root(instance=Area(name="基准市", kind=AreaKind.CITY))
    district = city.add_child(instance=Area(name="基准区", kind=AreaKind.DISTRICT, code="629997"))
    areas: list[Area] = [district]
    grids: list[Area] = []
    for s in range(args.streets):
        district.refresh_from_db()
        street = district.add_child(instance=Area(name=f"第{s + 1}街道", kind=AreaKind.STREET))
        areas.append(street)
        for c in range(args.communities):
            street.refresh_from_db()
            community = street.add_child(
                instance=Area(name=f"第{s + 1}-{c + 1}社区", kind=AreaKind.COMMUNITY)
            )
            areas.append(community)
            for g in range(args.grids):
                community.refresh_from_db()
                grids.append(
                    community.add_child(
                        instance=Area(name=f"{g + 1}号小区", kind=AreaKind.COMPOUND)
                    )
                )

    def figures(seed: int, scale: int) -> dict[str, int]:
        values = {f.key: (seed * 7 + i * 3) % 11 * scale for i, f in enumerate(FIGURES)}
        expected = 1000 * scale
        untested = (seed % 13 + 2) * scale
        values.update(
            {
                "testing.expected": expected,
                "testing.sampled": expected - untested,
                "testing.untested": untested,
                "control.risk_level": RISK_ORDER["prevention"],
            }
        )
        return values

    def items(area: Area, count: int) -> list[dict[str, object]]:
        return [
            {
                "area_id": area.pk,
                "area": area.name,
                "ref": f"FW-2026-{i:04d}",
                "text": "送药上门，老人行动不便",
                "due": "2026-03-01T10:00:00+08:00",
                "url": "/services/",
            }
            for i in range(count)
        ]

    today = timezone.localdate()
    scale: dict[str, int] = {AreaKind.DISTRICT: 100, AreaKind.STREET: 10, AreaKind.COMMUNITY: 1}
    runs: dict[dt.date, SnapshotRun] = {}
    for offset in range(DAYS - 1, -1, -1):
        day = today - dt.timedelta(days=offset)
        run = SnapshotRun.objects.create(
            root=district, day=day, trigger=RunTrigger.SCHEDULED, made_at=timezone.now()
        )
        runs[day] = run
        rows = [
            DaySnapshot(
                run=run,
                area=area,
                day=day,
                version=1,
                figures=figures(area.pk + offset, scale[area.kind]),
                lists={
                    "services.late": items(area, LIST_LIMIT if area == district else 3),
                    "incidents.missed": items(area, LIST_LIMIT if area == district else 1),
                    "workforce.gaps": items(area, 20 if area == district else 0),
                },
            )
            for area in areas
        ]
        if offset == 0:
            rows += [
                DaySnapshot(
                    run=run,
                    area=g,
                    day=day,
                    version=1,
                    figures=figures(g.pk, 1)
                    | {
                        "testing.expected": 100,
                        "testing.sampled": 100 - g.pk % 9,
                        "testing.untested": g.pk % 9,
                    },
                )
                for g in grids
            ]
        DaySnapshot.objects.bulk_create(rows)
    load_before = os.getloadavg()
    snapshot = DaySnapshot.objects.select_related("area").get(area=district, day=today)

    steps: dict[str, list[float]] = {
        "gather": [],
        "charts": [],
        "pdf": [],
        "xlsx": [],
        "make": [],
        "floor": [],
        "layout": [],
        "make_cpu": [],
    }
    queries = 0
    from django.contrib.staticfiles import finders
    from weasyprint import CSS, HTML

    print_css = CSS(filename=finders.find("core/print.css"))
    HTML(string=FLOOR_PAGE).write_pdf(stylesheets=[print_css])  # the import, the font
    for _ in range(args.repeat):
        with translation.override("zh-hans"):
            started = time.perf_counter()
            content = gather(snapshot, language="zh-hans", made_at=timezone.now())
            steps["gather"].append(time.perf_counter() - started)
            started = time.perf_counter()
            drawn = charts.draw(content)
            steps["charts"].append(time.perf_counter() - started)
            started = time.perf_counter()
            render.pdf_bytes(content)
            steps["pdf"].append(time.perf_counter() - started)
            started = time.perf_counter()
            render.xlsx_bytes(content)
            steps["xlsx"].append(time.perf_counter() - started)
            # The layout alone: the same HTML with the charts already drawn.
            children = drawn.pop("children", "")
            started = time.perf_counter()
            render_pdf(
                "bulletins/bulletin_pdf.html",
                {
                    "b": content,
                    "made_at": "",
                    "trend_charts": [(n, render._data_uri(s)) for n, s in drawn.items()],
                    "children_chart": render._data_uri(children) if children else "",
                },
                stylesheets=[render.STYLESHEET],
            )
            steps["layout"].append(time.perf_counter() - started)
            started = time.perf_counter()
            HTML(string=FLOOR_PAGE).write_pdf(stylesheets=[print_css])
            steps["floor"].append(time.perf_counter() - started)
        Bulletin.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            started, cpu = time.perf_counter(), time.process_time()
            bulletin = make_bulletin(district, today, acting_user=None)
            steps["make"].append(time.perf_counter() - started)
            steps["make_cpu"].append(time.process_time() - cpu)
        queries = len(captured.captured_queries)
    pdf_size, xlsx_size = bulletin.pdf_size, bulletin.xlsx_size

    Bulletin.objects.all().delete()
    started = time.perf_counter()
    one_level = make_run_bulletins(runs[today], levels=1)
    one_level_s = time.perf_counter() - started
    Bulletin.objects.all().delete()
    started, cpu = time.perf_counter(), time.process_time()
    two_levels = make_run_bulletins(runs[today], levels=2)
    two_levels_s = time.perf_counter() - started
    two_levels_cpu = time.process_time() - cpu
    load_after = os.getloadavg()
    print(
        json.dumps(
            {
                "vendor": connection.vendor,
                "streets": args.streets,
                "communities": args.streets * args.communities,
                "grids": len(grids),
                "steps": {name: _median(samples) for name, samples in steps.items()},
                "make_max": round(max(steps["make"]), 3),
                "queries": queries,
                "pdf_kb": round(pdf_size / 1024),
                "xlsx_kb": round(xlsx_size / 1024),
                "one_level": one_level,
                "one_level_s": round(one_level_s, 1),
                "two_levels": two_levels,
                "two_levels_s": round(two_levels_s, 1),
                "two_levels_cpu": round(two_levels_cpu, 1),
                "load_before": [round(x, 1) for x in load_before],
                "load_after": [round(x, 1) for x in load_after],
            }
        )
    )


def run_child(database_url: str, args: argparse.Namespace) -> dict[str, Any]:
    command = common.child_command(
        "bench.bulletin", args, ("streets", "communities", "grids", "repeat")
    )
    return common.run_json_child(
        command, common.demo_env(database_url, VAR_DIR, LOG_LEVEL="WARNING")
    )


def report(r: dict[str, Any]) -> str:
    s = r["steps"]
    return (
        f"{r['vendor']}: district bulletin {s['make']} s median (CPU {s.get('make_cpu', '—')} s, "
        f"max {r['make_max']} s, "
        f"{r['queries']} queries; gather {s['gather']} s, charts {s['charts']} s, PDF "
        f"{s['pdf']} s of which layout {s['layout']} s, workbook {s['xlsx']} s; floor "
        f"{s['floor']} s, bulletin ÷ floor {s['make'] / max(s['floor'], 0.001):.1f}×); "
        f"PDF {r['pdf_kb']} KB, workbook {r['xlsx_kb']} KB; worker's set: "
        f"{r['one_level']} bulletins in {r['one_level_s']} s at one level, "
        f"{r['two_levels']} in {r['two_levels_s']} s at two (CPU {r.get('two_levels_cpu', '—')} s); "
        f"load {r['load_before']} → "
        f"{r['load_after']}"
    )


def append_docs(results: list[dict[str, Any]], args: argparse.Namespace) -> None:
    lines = [
        "",
        "## The daily bulletin: one district's, and the worker's set (issue 13)",
        "",
        f"`.venv/bin/python -m bench.bulletin --streets {args.streets} --communities "
        f"{args.communities} --grids {args.grids} --repeat {args.repeat}` — 2 cores shared with "
        "six other sessions' work (noisy; the load average before → after is in the table). "
        "A district of 10 streets and 100 communities (1,000 grids) with 14 days of frozen "
        "figures and full lists. The district's bulletin made from nothing (`make_bulletin`: "
        "snapshots read, seven SVG charts drawn by matplotlib, the PDF laid out by WeasyPrint, "
        "the workbook by XlsxWriter, both files written and the audit entry), median of the "
        "runs, with its parts; the floor is WeasyPrint laying out one A4 page in the same CJK "
        "font, in the same run. Then the worker's set for the day at one level (district and "
        "streets) and at two (and communities).",
        "",
        "| database | district bulletin (CPU) | queries | gather | charts | PDF (layout only) | "
        "workbook | floor | bulletin ÷ floor | PDF / workbook | worker, 1 level | "
        "worker, 2 levels | load |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        s = r["steps"]
        lines.append(
            f"| {r['vendor']} | {s['make']} s ({s.get('make_cpu', '—')} s CPU; max "
            f"{r['make_max']} s) | {r['queries']} | "
            f"{s['gather']} s | {s['charts']} s | {s['pdf']} s ({s['layout']} s) | "
            f"{s['xlsx']} s | {s['floor']} s | {s['make'] / max(s['floor'], 0.001):.1f}× | "
            f"{r['pdf_kb']} KB / {r['xlsx_kb']} KB | {r['one_level']} in {r['one_level_s']} s | "
            f"{r['two_levels']} in {r['two_levels_s']} s ({r.get('two_levels_cpu', '—')} s CPU) | "
            f"{r['load_before'][0]} → "
            f"{r['load_after'][0]} |"
        )
    common.append_docs_section(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--streets", type=int, default=10)
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--grids", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=5)
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
