"""The key persons' workbench card and list at 20,000 people under a measure (issue 12).

    .venv/bin/python -m bench.keypersons [--people 20000] [--grids 1000] [--repeat 7]
                                         [--only sqlite|postgres] [--append-docs]

For each database (a SQLite file under /tmp, and the PostgreSQL database bench_keypersons
when the server answers) a child process builds a district of `--grids` grids and
`--people` key persons spread over them, each with the scheduled tests of their policy and
a daily check for every past day of their measure (a third of them missing today's, one
in ten with a test past its day), written with bulk inserts; then measures the median of
`--repeat` runs of
  - the workbench card of a street's staff (FOLLOW_UP on the whole district) and of a grid
    member (one grid): one aggregate query with the overdue rule — target under 100 ms;
  - the list of the district as its page reads it: the counts by measure, the areas below
    and the first page of people with their overdue flags — target under 200 ms.
"""

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import common

SQLITE_FILE = Path(tempfile.gettempdir()) / "wangge-bench-keypersons.sqlite3"
PG_NAME = "bench_keypersons"
VAR_DIR = Path(tempfile.gettempdir()) / "wangge-bench-keypersons-var"


def _median(function: Any, repeat: int) -> float:
    timings = []
    for _ in range(repeat):
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def build(people: int, grids: int) -> dict[str, Any]:
    from django.utils import timezone

    from wangge.accounts.models import RoleAssignment, User
    from wangge.areas.choices import AreaKind
    from wangge.areas.models import Area
    from wangge.core.permissions import Role
    from wangge.keypersons.choices import Category, Measure
    from wangge.keypersons.defaults import DEFAULT_POLICIES
    from wangge.keypersons.models import HealthCheck, KeyPerson, ScheduledTest

    city = Area.objects.add_root(instance=Area(name="基准市", kind=AreaKind.CITY))
    district = Area.objects.add_child(city, instance=Area(name="基准区", kind=AreaKind.DISTRICT))
    grid_areas: list[Area] = []
    streets = max(1, grids // 200)
    for s in range(streets):
        street = Area.objects.add_child(
            district, instance=Area(name=f"街道{s}", kind=AreaKind.STREET)
        )
        for c in range(10):
            community = Area.objects.add_child(
                street, instance=Area(name=f"社区{s}-{c}", kind=AreaKind.COMMUNITY)
            )
            for g in range(grids // streets // 10):
                grid_areas.append(
                    Area.objects.add_child(
                        community, instance=Area(name=f"小区{s}-{c}-{g}", kind=AreaKind.COMPOUND)
                    )
                )
                community.refresh_from_db()
            street.refresh_from_db()
        district.refresh_from_db()
    policies = {m: (days, tests) for m, days, tests, _checks in DEFAULT_POLICIES}
    measures = list(Measure)
    categories = list(Category)
    today = timezone.localdate()
    rows = []
    for index in range(people):
        measure = measures[index % len(measures)]
        days, _tests = policies[measure.value]
        started = today - dt.timedelta(days=index % days)
        rows.append(
            KeyPerson(
                area=grid_areas[index % len(grid_areas)],
                name=f"人员{index}",
                category=categories[index % len(categories)],
                measure=measure,
                started_on=started,
                planned_end_on=started + dt.timedelta(days=days),
            )
        )
    KeyPerson.objects.bulk_create(rows, batch_size=2000)
    tests, checks = [], []
    for index, person in enumerate(KeyPerson.objects.order_by("pk")):
        _days, test_days = policies[person.measure]
        for day in test_days:
            due = person.started_on + dt.timedelta(days=day - 1)
            taken = due < today and index % 10 != 0  # one in ten: a test past its day
            tests.append(
                ScheduledTest(
                    key_person=person,
                    day=day,
                    due_on=due,
                    sampled_at=timezone.now() if taken else None,
                    result="negative" if taken else "",
                )
            )
        day = person.started_on
        while day <= today:
            if day < today or index % 3:  # a third without today's check
                checks.append(
                    HealthCheck(
                        key_person=person,
                        checked_on=day,
                        checked_at=timezone.now(),
                        temperature="36.5",
                    )
                )
            day += dt.timedelta(days=1)
    ScheduledTest.objects.bulk_create(tests, batch_size=5000)
    HealthCheck.objects.bulk_create(checks, batch_size=5000)
    street_staff = User.objects.create(username="bench_street")
    RoleAssignment.objects.create(user=street_staff, role=Role.STREET_STAFF, area=district)
    member = User.objects.create(username="bench_member")
    RoleAssignment.objects.create(user=member, role=Role.GRID_MEMBER, area=grid_areas[0])
    return {
        "district": district.pk,
        "grids": len(grid_areas),
        "people": people,
        "tests": len(tests),
        "checks": len(checks),
    }


def run_one(backend: str, args: argparse.Namespace) -> dict[str, Any]:
    url = common.fresh_database(backend, SQLITE_FILE, PG_NAME)
    common.setup_django(common.demo_env(url, VAR_DIR, LOG_LEVEL="WARNING"))
    from django.db import connection
    from django.test import RequestFactory
    from django.utils import timezone

    from wangge.accounts.models import User
    from wangge.areas.models import Area
    from wangge.keypersons import selectors
    from wangge.keypersons.cards import key_person_cards

    started = time.perf_counter()
    built = build(args.people, args.grids)
    build_seconds = time.perf_counter() - started
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    district = Area.objects.get(pk=built["district"])
    today = timezone.localdate()

    def card(username: str) -> Any:
        request = RequestFactory().get("/")
        holder = User.objects.get(username=username)
        holder.scope_paths("control.follow_up")  # the role cache, as a page has it already
        request.user = holder
        return lambda: key_person_cards(request)

    street_card = card("bench_street")
    figures = {str(f.label): f.value for f in street_card()[0].figures}
    user = User.objects.get(username="bench_street")

    def listing() -> None:
        everyone = selectors.key_persons_under(
            user, district.path, selectors.ListFilters(status=""), today
        )
        selectors.counts_by_measure(everyone, today)
        selectors.figures_below(everyone, district, today)
        people = selectors.with_flags(
            selectors.key_persons_under(user, district.path, selectors.ListFilters(), today),
            today,
        ).select_related("area")
        list(people.order_by("-test_overdue", "-check_due", "flagged_at", "planned_end_on")[:50])

    return {
        **built,
        "vendor": connection.vendor,
        "build_seconds": round(build_seconds, 1),
        "card_street_s": _median(street_card, args.repeat),
        "card_member_s": _median(card("bench_member"), args.repeat),
        "list_s": _median(listing, args.repeat),
        "figures": figures,
        "load": round(os.getloadavg()[0], 1),
    }


def report(r: dict[str, Any]) -> list[str]:
    return [
        f"{r['vendor']}: {r['people']:,} key persons in {r['grids']:,} grids, {r['tests']:,} "
        f"scheduled tests, {r['checks']:,} checks (built in {r['build_seconds']} s); "
        f"load average {r['load']}",
        f"  card of a street's staff {common.ms(r['card_street_s'])} "
        f"({r['figures']}), of a grid member {common.ms(r['card_member_s'])}; "
        f"the district's list {common.ms(r['list_s'])}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--grids", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("--append-docs", action="store_true")
    args = common.parse_or_one(parser, run_one)
    if args is None:
        return
    options = common.forward(args, ("people", "grids", "repeat"))
    results = []
    for backend in ("sqlite", "postgres"):
        if args.only in (None, backend):
            results.append(common.run_one_child("bench.keypersons", backend, options))
    lines = [line for r in results for line in report(r)]
    print("\n".join(lines))
    if args.append_docs:
        common.append_docs_section(
            ["## Key persons: the workbench card and the list (issue 12)", "", *lines]
        )


if __name__ == "__main__":
    main()
