"""Large exports: time and peak memory of a grid's register as rows grow (10k / 50k / 100k).

    .venv/bin/python -m bench.export_memory [--sizes 10000,50000,100000]
        [--databases sqlite,postgres] [--pg-name bench_export]

For each database (a SQLite file under /tmp, PostgreSQL at
postgres://postgres@127.0.0.1:5432/<pg-name>, both recreated), one child process fills one
grid with residents (sealed ID numbers and phones, as the import writes them) up to each
size in turn and measures, in the same run and at the same size:

* floor: the export's query read through (`.iterator()`, every resident and household),
  nothing written: what any export of these rows costs;
* streamed: `exports.grid_register_xlsx` — residents read 2,000 at a time, XlsxWriter in
  constant-memory mode, the finished file read back in 64 KB blocks as the response sends it;
* before: what the export did before issue 14 — every resident in a list, openpyxl's
  write-only workbook, the bytes in memory.

Peak memory is given two ways: Python's allocations (tracemalloc, peak above the start)
and the process's resident set (VmHWM after resetting it through /proc/self/clear_refs,
above the RSS at the start). How memory grows with rows is the point: the streamed export
should stay flat, the old one grow by about the same amount per row.
"""

import argparse
import datetime as dt
import io
import os
import random
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import common

WORKDIR = Path(tempfile.gettempdir()) / "bench_export_memory"
SQLITE_PATH = WORKDIR / "bench_export.sqlite3"
PG_NAME = "bench_export"


def _rss_kb(field: str) -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as refs:
            refs.write("5")
    except OSError:
        return False
    return True


def measure(work: Callable[[], int], traced: bool = True) -> dict[str, float]:
    """Run `work` twice: once for its wall time and its resident-set peak above the start,
    once under tracemalloc (which slows Python down) for the peak of Python's allocations
    (not with `traced` False: a quicker run, RSS only)."""
    import gc

    gc.collect()
    resettable = _reset_peak()
    rss_start = _rss_kb("VmRSS")
    start = time.perf_counter()
    rows = work()
    wall = time.perf_counter() - start
    rss_peak = _rss_kb("VmHWM") if resettable else 0
    peak = 0
    if traced:
        gc.collect()
        tracemalloc.start()
        work()
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    return {
        "rows": rows,
        "seconds": wall,
        "traced_mb": peak / 1e6,
        "rss_mb": max(rss_peak - rss_start, 0) / 1024,
    }


def _setup() -> tuple[object, object]:
    from django.core.management import call_command

    from wangge.accounts.models import User
    from wangge.areas.choices import AreaKind
    from wangge.areas.models import Area

    call_command("migrate", verbosity=0)
    city = Area.objects.add_root(instance=Area(name="兰州市", kind=AreaKind.CITY))
    district = Area.objects.add_child(
        city, instance=Area(name="七里河区", kind=AreaKind.DISTRICT, code="620103")
    )
    street = Area.objects.add_child(district, instance=Area(name="西园街道", kind=AreaKind.STREET))
    community = Area.objects.add_child(
        street, instance=Area(name="西园社区", kind=AreaKind.COMMUNITY)
    )
    grid = Area.objects.add_child(community, instance=Area(name="第1网格", kind=AreaKind.GRID))
    user = User.objects.create_user("bench", password=None, is_superuser=True)
    return grid, user


def fill(grid: Any, start: int, stop: int, rng: random.Random) -> None:
    """Residents start..stop of the grid, households of about three, written by the same
    bulk path as the register import (ID numbers and phones sealed)."""
    from django.db import transaction
    from django.utils import timezone

    from wangge.lib.idnumbers import make_resident_card_number
    from wangge.residents import actions, importing
    from wangge.residents.models import Resident

    rows = []
    for index in range(start, stop):
        # One birth day per thousand people, each with its own order code: numbers unique.
        born = dt.date(1940, 1, 1) + dt.timedelta(days=index // 1000 * 97 + rng.randrange(97))
        sex = "M" if index % 2 else "F"
        number = make_resident_card_number("620103", born, index % 1000, sex)
        data = actions.ResidentData(
            name="王" + "伟芳娜敏静丽强磊"[index % 8] + "军洋勇艳"[index % 4],
            id_number=number,
            sex=sex,
            birth_date=born,
            phone=f"139{index:08d}",
            relation="户主" if index % 3 == 0 else "子",
        )
        home = index // 3
        rows.append(
            importing.ValidRow(
                index, data, grid.pk, f"{home // 60 + 1}", f"{home % 3 + 1}", f"{home % 60 + 1}", ""
            )
        )
    with transaction.atomic():
        households = actions._households_for([row.household_key for row in rows], {})
        columns = [f for f in Resident._meta.concrete_fields if not f.primary_key]
        values = actions._resident_values(rows, households, timezone.now(), columns)
        from wangge.core import bulk

        bulk.copy_rows(Resident, [str(f.column) for f in columns], values)


def floor(grid: Any, user: Any) -> int:
    from wangge.residents import exports

    count = 0
    for _person in exports.grid_residents_query(user, grid).iterator(chunk_size=2000):
        count += 1
    return count


def streamed(grid: Any, user: Any) -> int:
    from wangge.residents import exports

    handle = exports.grid_register_xlsx(grid, user, acting_user=user)
    size = 0
    with handle:
        while block := handle.read(65536):
            size += len(block)
    return size


def before(grid: Any, user: Any) -> int:
    """The export as it was: a list of residents, openpyxl write-only, bytes in memory."""
    from django.utils import timezone
    from openpyxl import Workbook

    from wangge.lib.excel import safe_cell
    from wangge.residents import exports

    people = exports.grid_residents(user, grid)
    today = timezone.localdate()
    book = Workbook(write_only=True)
    sheet = book.create_sheet("register")
    for person in people:
        home = person.household
        sheet.append(
            [
                safe_cell(value)
                for value in (
                    home.building,
                    home.unit,
                    home.room,
                    person.name,
                    person.get_sex_display(),
                    person.birth_year,
                    person.age(today),
                    person.get_id_type_display(),
                    person.id_number_masked,
                    person.phone_masked,
                    person.ethnicity,
                    person.relation,
                    person.get_status_display(),
                    "、".join(str(label) for label in person.tag_labels()),
                    person.code,
                    person.note,
                )
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return len(buffer.getvalue())


def child(kind: str, sizes: list[int], pg_name: str, traced: bool) -> None:
    os.environ["DATABASE_URL"] = common.fresh_database(kind, SQLITE_PATH, pg_name, force=False)
    os.environ["DJANGO_SETTINGS_MODULE"] = "wangge.settings_test"
    os.environ["WANGGE_VAR_DIR"] = str(WORKDIR / "var")
    import django

    django.setup()
    grid, user = _setup()
    rng = random.Random(2022)
    have = 0
    print(f"{kind}: load {os.getloadavg()[0]:.1f}", flush=True)
    for size in sizes:
        fill(grid, have, size, rng)
        have = size
        results = {
            "floor": measure(lambda: floor(grid, user), traced),
            "streamed": measure(lambda: streamed(grid, user), traced),
            "before": measure(lambda: before(grid, user), traced),
        }
        base = results["floor"]["seconds"]
        line = " | ".join(
            f"{name} {r['seconds']:.2f} s ({r['seconds'] / base:.2f}× floor), "
            f"traced {r['traced_mb']:.1f} MB, RSS +{r['rss_mb']:.1f} MB"
            for name, r in results.items()
        )
        print(
            f"  {size} rows (load {os.getloadavg()[0]:.1f}): {line} "
            f"| file {results['streamed']['rows'] / 1e6:.1f} MB",
            flush=True,
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,50000,100000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--pg-name", default=PG_NAME)
    parser.add_argument(
        "--no-traced", action="store_true", help="RSS only, no tracemalloc pass (quicker)"
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    sizes = sorted(int(size) for size in args.sizes.split(","))
    WORKDIR.mkdir(parents=True, exist_ok=True)
    if args.child:
        child(args.child, sizes, args.pg_name, not args.no_traced)
        return
    print(f"{os.cpu_count()} cores; sizes {sizes}")
    for kind in args.databases.split(","):
        code = subprocess.call(
            [
                sys.executable,
                "-m",
                "bench.export_memory",
                "--sizes",
                args.sizes,
                "--pg-name",
                args.pg_name,
                *(["--no-traced"] if args.no_traced else []),
                "--child",
                kind,
            ]
        )
        if code:
            sys.exit(code)


if __name__ == "__main__":
    main()
