"""No ID number and no phone can be narrowed below 10,000 candidates (issue 9).

A district of hard cases (tests/privacy/district.py) is built through the actions; then
everything an attacker can read is collected as text and attributed to people
(tests/privacy/texts.py), the facts each text gives away are read in the worst case and
the candidates counted exactly (tests/privacy/candidates.py, rules in its docstring):

  - the raw database: SQLite (the file and its write-ahead log, every row of every table,
    and windows of the raw bytes around each person's name and code) and PostgreSQL
    (`pg_dump`, when the suite runs on it). A row belongs to a person when it is their
    resident or walk-in row, names them or their code, references them (a column ending
    in resident_id / walk_in_id, their household, an audit entry about them) or belongs
    to the import that registered them;
  - every GET page, HTMX partial, Excel export, PDF (the HTML WeasyPrint is given) of the
    permission matrix, as each role WITHOUT the reveal permission (and a user without a
    role), for every person, household, grid and round object of the district;
  - a station: everything its devices download (device, rounds, every roster page and
    change pass, sampled codes, home visits) with the device's key in hand; a keyed hash
    of the ID number in the roster is brute-forced over the candidates with the project's
    own `testing.roster.id_key`;
  - a role's pages together with its own device.

Every person must keep at least 10,000 candidate numbers and phones in every source. The
smallest counts per source are printed (`pytest -s`) and named in a failure.
"""

from __future__ import annotations

import base64
import datetime as dt
import importlib
import itertools
import json
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from tests.dumps import pg_dump_bytes, sqlite_snapshot
from tests.factories import UserFactory, grant
from tests.privacy import candidates as cand
from tests.privacy.candidates import IdFacts, Truth, count_id_candidates, facts_from_text
from tests.privacy.district import District, build_district, district_specs
from tests.privacy.texts import Evidence, Ledger, Person, raw_windows, response_chunks

TARGET = 10_000
# A keyed hash is brute-forced over at most this many candidates; beyond, the matches
# are extrapolated from those tried (a hash is uniform over its inputs).
BRUTE_FORCE_BUDGET = 300_000


# --- the counter ----------------------------------------------------------------------


def _brute_force(facts: IdFacts, today: dt.date) -> int:
    """Every number of the window built and checked one by one (stdnum's check digit)."""
    earliest = max(facts.earliest or cand.FIRST_BIRTH_DATE, cand.FIRST_BIRTH_DATE)
    latest = min(facts.latest or today, today)
    count = 0
    day = earliest
    while day <= latest:
        for order in range(1000):
            body = f"{facts.region}{day:%Y%m%d}{order:03d}"
            number = body + ric.calc_check_digit(body + "0")
            sex = "M" if order % 2 else "F"
            if facts.sex not in (None, sex):
                continue
            if all(number[p] == c for p, c in facts.pinned.items()):
                count += 1
        day += dt.timedelta(days=1)
    return count


@settings(max_examples=25, deadline=None)
@given(
    start=st.dates(dt.date(1899, 12, 20), dt.date(2026, 1, 10)),
    days=st.integers(0, 12),
    sex=st.sampled_from([None, "M", "F"]),
    positions=st.sets(st.sampled_from([6, 7, 10, 12, 13, 14, 15, 16, 17]), max_size=3),
    pattern=st.text("0123456789", min_size=18, max_size=18),
    check=st.sampled_from("0123456789X"),
)
def test_the_counter_equals_brute_force_on_small_windows(
    start: dt.date, days: int, sex: str | None, positions: set[int], pattern: str, check: str
) -> None:
    today = dt.date(2026, 1, 15)
    pins = {p: (check if p == 17 else pattern[p]) for p in positions}
    facts = IdFacts.resident_card("620103").born_between(start, start + dt.timedelta(days=days))
    facts = replace(facts.with_pins(pins), sex=sex)
    expected = _brute_force(facts, today)
    assert count_id_candidates(facts, today) == expected
    assert len(set(cand.iter_id_candidates(facts, today))) == expected


@given(st.text("0123456789", min_size=17, max_size=17))
def test_the_check_character_is_stdnums(body: str) -> None:
    assert cand.check_char(cand._body_sum(body, 0)) == ric.calc_check_digit(body + "0")


def test_a_birth_date_beside_todays_mask_leaves_one_candidate() -> None:
    today = dt.date(2026, 12, 7)
    number = "620103199001011238"
    number = number[:17] + ric.calc_check_digit(number)
    truth = Truth("resident_card", number, "13912345678", dt.date(1990, 1, 1), "M")
    page = f"<tr><td>6201**********{number[-4:]}</td><td>1990年1月1日 (36岁)</td></tr>"
    facts = facts_from_text(page, truth, today)
    assert cand.count_id(facts.id, truth, today) == 1
    # The region alone and the birth year leave a year of dates times 500 sequences.
    facts = facts_from_text("620103************ 出生年份 1990 男", truth, today)
    assert cand.count_id(facts.id, truth, today) == 365 * 500


def test_extraction_reads_each_form_of_a_fact() -> None:
    today = dt.date(2026, 12, 7)
    number = "62010320210304123"
    number += ric.calc_check_digit(number + "0")
    truth = Truth("resident_card", number, "0931234567", dt.date(2021, 3, 4), "F")
    one_day = (dt.date(2021, 3, 4), dt.date(2021, 3, 4))
    for text in ("2021-03-04", "20210304", "2021/3/4", "2021年3月4日", "March 4, 2021"):
        facts = facts_from_text(f"x {text} y", truth, today).id
        assert (facts.earliest, facts.latest) == one_day, text
    assert facts_from_text("2021年3月", truth, today).id.latest == dt.date(2021, 3, 31)
    age = facts_from_text("年龄: 5", truth, today).id  # either reading: 2020-12-08 … 2021
    assert (age.earliest, age.latest) == (dt.date(2020, 12, 8), dt.date(2021, 12, 31))
    assert facts_from_text("5", truth, today).id.earliest is None  # a bare number is no age
    assert facts_from_text("女", truth, today).id.sex == "F"
    assert facts_from_text(f"尾号{number[-4:]}", truth, today).id.pinned == {
        14 + i: c for i, c in enumerate(number[-4:])
    }
    assert facts_from_text(f"**{number[-3:]}", truth, today).id.pinned == {
        15 + i: c for i, c in enumerate(number[-3:])
    }
    assert facts_from_text(f"后两位{number[-2:]}", truth, today).id.pinned == {
        16: number[16],
        17: number[17],
    }
    assert facts_from_text(f"id {number}", truth, today).id.known
    landline = facts_from_text("093****567", truth, today).phone
    assert cand.count_phone(landline) == 10_000
    assert cand.count_phone(facts_from_text("0931234567", truth, today).phone) == 1
    # Someone else's mask pins nothing.
    assert facts_from_text("6201**********9999", truth, today).id.pinned == {}


def test_an_age_keeps_the_dates_of_either_reading() -> None:
    today = dt.date(2026, 12, 7)
    born_today = Truth("resident_card", "620103198612078834", "", dt.date(1986, 12, 7), None)
    facts = facts_from_text("出生年份: 1986 | 年龄: 40", born_today, today).id
    assert cand.count_id(facts, born_today, today) == 365 * 1000
    # A full-date age beside the birth year: the birthday lies between tomorrow and 31 Dec.
    tomorrow = Truth("resident_card", "620103199612088834", "", dt.date(1996, 12, 8), None)
    facts = facts_from_text("出生年份: 1996 | 年龄: 29", tomorrow, today).id
    assert (facts.earliest, facts.latest) == (dt.date(1996, 12, 8), dt.date(1996, 12, 31))


def test_a_phone_mask_pins_nothing_of_an_id_number_ending_alike() -> None:
    today = dt.date(2026, 12, 7)
    truth = Truth("resident_card", "620103198612078834", "093104800034", None, "M")
    facts = facts_from_text("620103************ 093*******34", truth, today)
    assert facts.id.pinned == dict(enumerate("620103"))
    assert facts.phone.pinned == {0: "0", 1: "9", 2: "3", 10: "3", 11: "4"}


def test_raw_bytes_are_read_without_token_bounds() -> None:
    """A database record runs its columns together: index, mask, sex, birth date."""
    today = dt.date(2026, 12, 7)
    truth = Truth("resident_card", "620103190503121016", "13000000000", dt.date(1905, 3, 12), "M")
    record = "i1$ab9c6201**********1016M1905-03-12汉130****0000"
    assert facts_from_text(record, truth, today).id.earliest is None
    facts = cand.facts_from_raw(record, truth, today)
    assert cand.count_id(facts.id, truth, today) == 1
    assert cand.count_phone(facts.phone) == 10_000


def test_phone_counts_know_mobiles_and_landlines() -> None:
    assert cand.count_phone_candidates({}, 11) == 7 * 10**9 + 10**10
    assert (
        cand.count_phone_candidates({0: "1", 1: "3", 2: "9", 7: "0", 8: "0", 9: "0", 10: "0"}, 11)
        == 10_000
    )
    assert cand.count_phone_candidates({0: "0", 1: "9", 2: "3", 8: "0", 9: "1"}, 10) == 100_000


# --- people as the attacker marks them ------------------------------------------------


def people_of(district: District) -> list[Person]:
    from wangge.residents.models import Resident

    codes = dict(
        Resident.objects.filter(name__in=[s.name for s in district.specs]).values_list(
            "name", "code"
        )
    )
    return [
        Person(spec.label, spec.truth, (spec.name, codes.get(spec.name, "")))
        for spec in district.specs
    ]


def failures_and_summary(ledger: Ledger) -> tuple[list[str], str]:
    failures: list[str] = []
    smallest: dict[str, list[Any]] = {}
    for source, person, ids, phones, evidence in ledger.counts():
        entry = smallest.setdefault(source, [None, "", None, "", None])
        if ids is not None and (entry[0] is None or ids < entry[0]):
            entry[0], entry[1] = ids, person.label
        if phones is not None and (entry[2] is None or phones < entry[2]):
            entry[2], entry[3] = phones, person.label
        if person.truth.is_resident_card and ids is not None:
            entry[4] = ids if entry[4] is None else min(entry[4], ids)
        if (ids is not None and ids < TARGET) or (phones is not None and phones < TARGET):
            places = sorted(
                set(evidence.places if evidence else []),
                key=lambda p: min(c for c in (p[1], p[2], 10**30) if c is not None),
            )
            where = "; ".join(f"{place} ({i} / {p})" for place, i, p in places[:3])
            failures.append(
                f"{person.label}: {source}: {ids} ID candidates, {phones} phone candidates"
                f" — from {where}"
            )
    lines = [
        f"  {source}: fewest ID candidates {entry[0]} ({entry[1]}; resident cards"
        f" {entry[4]}), fewest phone candidates {entry[2]} ({entry[3]})"
        for source, entry in sorted(smallest.items())
    ]
    return failures, "smallest counts per source:\n" + "\n".join(lines)


def assert_everyone_keeps_ten_thousand(ledger: Ledger) -> None:
    failures, summary = failures_and_summary(ledger)
    print(summary)  # noqa: T201 - the figures the lead reports before and after
    assert ledger.sources, "nothing was read: the collection is broken"
    assert not failures, (
        f"{len(failures)} person/source pairs below {TARGET} candidates:\n"
        + "\n".join(failures[:40])
        + "\n"
        + summary
    )


# --- the raw database -----------------------------------------------------------------


def read_rows(
    ledger: Ledger,
    source: str,
    tables: dict[str, tuple[list[str], list[Sequence[Any]]]],
) -> None:
    """Attribute database rows to people (see the module docstring) and read them."""
    ledger.sources.setdefault(source, {})
    from wangge.audit.models import AuditEntry
    from wangge.residents.models import Resident
    from wangge.testing.models import WalkIn

    def index_by_name(table: str, *names: str) -> dict[str, list[str]]:
        columns, rows = tables.get(table, ([], []))
        if "name" not in columns:
            return {}
        at = [columns.index(n) for n in names]
        return {str(row[columns.index("name")]): [str(row[i]) for i in at] for row in rows}

    residents = index_by_name(Resident._meta.db_table, "id", "household_id")
    walk_ins = index_by_name(WalkIn._meta.db_table, "id")
    audit_table = AuditEntry._meta.db_table
    by_label = {person.label: person for person in ledger.people}
    keys: dict[str, tuple[str, str, str]] = {}
    for spec_name, person in ((p.markers[0], p) for p in ledger.people):
        pk, household = residents.get(spec_name, ["", ""])
        walk = walk_ins.get(spec_name, [""])[0]
        keys[person.label] = (pk, household, walk)
    for table, (columns, rows) in tables.items():
        for row in rows:
            values = {c: "" if v is None else str(v) for c, v in zip(columns, row, strict=False)}
            text = " | ".join(f"{c}: {_db_text(v)}" for c, v in zip(columns, row, strict=False))
            for label, (pk, household, walk) in keys.items():
                person = by_label[label]
                if _row_is_about(table, values, text, person, pk, household, walk, audit_table):
                    ledger.add(source, f"{table} row", person, text)


def _db_text(value: Any) -> str:
    if isinstance(value, bytes | memoryview):
        return bytes(value).decode("utf-8", errors="ignore")
    return "" if value is None else str(value)


def _row_is_about(
    table: str,
    values: dict[str, str],
    text: str,
    person: Person,
    pk: str,
    household: str,
    walk: str,
    audit_table: str,
) -> bool:
    from wangge.residents.models import Resident
    from wangge.testing.models import WalkIn

    if any(marker and marker in text for marker in person.markers):
        return True
    if "import" in table:
        return True  # the batches that registered everyone
    if pk:
        if table == Resident._meta.db_table and values.get("id") == pk:
            return True
        if any(c.endswith("resident_id") and v == pk for c, v in values.items()):
            return True
        if household and values.get("household_id") == household:
            return True
        if table == audit_table and values.get("object_id") == pk:
            return "resident" in values.get("object_type", "") or "resident" in values.get(
                "action", ""
            )
    if walk:
        if table == WalkIn._meta.db_table and values.get("id") == walk:
            return True
        if any(c.endswith("walk_in_id") and v == walk for c, v in values.items()):
            return True
    return False


def sqlite_tables(path: Path) -> dict[str, tuple[list[str], list[Sequence[Any]]]]:
    database = sqlite3.connect(path)
    try:
        names = [
            row[0]
            for row in database.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        tables = {}
        for name in names:
            cursor = database.execute(f'SELECT * FROM "{name}"')  # noqa: S608 - table names
            tables[name] = ([d[0] for d in cursor.description], cursor.fetchall())
        return tables
    finally:
        database.close()


@pytest.mark.django_db
def test_sqlite_file_and_wal_leave_everyone_ten_thousand_candidates(tmp_path: Path) -> None:
    _database, snapshot, _ = sqlite_snapshot(tmp_path, "tests.privacy.district:build_district")
    today = timezone.localdate()
    raw = {path.name: path.read_bytes() for path in sorted(snapshot.iterdir())}
    assert raw.get("open-wal"), "the database did not run in WAL mode"
    # The rows, as SQLite reads them from the file and its WAL (a copy: opening it may
    # checkpoint).
    reading = tmp_path / "reading"
    reading.mkdir()
    for name in raw:
        shutil.copyfile(snapshot / name, reading / name)
    tables = sqlite_tables(reading / "open")
    from wangge.residents.models import Resident

    columns, rows = tables[Resident._meta.db_table]
    codes = {row[columns.index("name")]: row[columns.index("code")] for row in rows}
    specs = district_specs(today)
    people = [Person(s.label, s.truth, (s.name, codes.get(s.name, ""))) for s in specs]
    ledger = Ledger(today, people)
    read_rows(ledger, "SQLite rows", tables)
    for name, blob in raw.items():
        ledger.sources.setdefault(f"SQLite raw bytes ({name})", {})
        for person, window in raw_windows(blob, people):
            ledger.add(f"SQLite raw bytes ({name})", "bytes", person, window, raw=True)
    assert "SQLite rows" in ledger.sources
    assert_everyone_keeps_ten_thousand(ledger)


def pg_dump_tables(dump: str) -> dict[str, tuple[list[str], list[Sequence[Any]]]]:
    """The COPY blocks of a plain-text pg_dump, as tables of rows."""
    tables: dict[str, tuple[list[str], list[Sequence[Any]]]] = {}
    header = re.compile(r"^COPY (?:[\w\"]+\.)?\"?(\w+)\"? \((.*)\) FROM stdin;$")
    lines = iter(dump.splitlines())
    for line in lines:
        found = header.match(line)
        if not found:
            continue
        columns = [c.strip().strip('"') for c in found.group(2).split(",")]
        rows: list[Sequence[Any]] = []
        for data in lines:
            if data == "\\.":
                break
            rows.append([None if v == "\\N" else v for v in data.split("\t")])
        tables[found.group(1)] = (columns, rows)
    return tables


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_pg_dump_leaves_everyone_ten_thousand_candidates() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the pg_dump half runs when the suite runs on PostgreSQL (DATABASE_URL)")
    district = build_district()
    people = people_of(district)
    dump_bytes = pg_dump_bytes()
    dump = dump_bytes.decode()
    ledger = Ledger(timezone.localdate(), people)
    read_rows(ledger, "pg_dump rows", pg_dump_tables(dump))
    ledger.sources.setdefault("pg_dump text", {})
    for person, window in raw_windows(dump_bytes, people):
        ledger.add("pg_dump text", "dump", person, window, raw=True)
    assert "pg_dump rows" in ledger.sources
    assert_everyone_keeps_ten_thousand(ledger)


# --- what roles without the reveal permission see --------------------------------------


class _CapturedHTML:
    """Stands in for weasyprint.HTML: the 'PDF' is the HTML it would be rendered from."""

    def __init__(self, *args: Any, string: str = "", **kwargs: Any) -> None:
        self.string = string

    def write_pdf(self, *args: Any, **kwargs: Any) -> bytes:
        return self.string.encode()


class _Recorder(dict[str, Any]):
    """A dict that notes which keys a case's URL builder reads."""

    def __init__(self, data: dict[str, Any], side: str, seen: set[tuple[str, str]]) -> None:
        super().__init__(data)
        self.side, self.seen = side, seen

    def __getitem__(self, key: str) -> Any:
        self.seen.add((self.side, key))
        return super().__getitem__(key)


def _non_revealing_roles() -> list[str]:
    from wangge.core.permissions import ROLE_PERMISSIONS, Perm, Role

    return [r for r in Role.values if Perm.REVEAL_PERSONAL not in ROLE_PERMISSIONS[r]]


def _replacements(district: District) -> Callable[[str, str, Any], list[Any]]:
    """For a world object a URL names, the district's objects of the same kind."""
    from wangge.checkpoints.models import Checkpoint
    from wangge.keypersons.models import KeyPerson
    from wangge.residents.models import Household, Resident
    from wangge.testing.models import Round
    from wangge.tracing.models import TracedList, TracedPerson

    names = [spec.name for spec in district.specs]
    traced = list(TracedPerson.objects.filter(name__in=names).order_by("pk"))
    traced_lists = list(TracedList.objects.filter(people__in=traced).distinct())
    residents = list(Resident.objects.filter(name__in=names).order_by("pk"))
    households = list(Household.objects.filter(members__in=residents).distinct().order_by("pk"))

    def options(side: str, key: str, value: Any) -> list[Any]:
        if side == "tree":
            return (
                [district.tree["grid_a"], district.tree["grid_b"]] if key.startswith("grid") else []
            )
        if isinstance(value, Resident):
            return residents
        if isinstance(value, Household):
            return households
        if isinstance(value, Round):
            return [district.round]
        if isinstance(value, KeyPerson):
            return list(
                KeyPerson.objects.filter(area__path__startswith=district.tree["community"].path)
            )
        if isinstance(value, TracedPerson):
            return traced
        if isinstance(value, TracedList):
            return traced_lists
        if isinstance(value, Checkpoint):
            return list(Checkpoint.objects.filter(name="枚举卡口"))
        model = type(value)
        if hasattr(model, "_meta") and any(f.name == "round" for f in model._meta.get_fields()):
            return list(model.objects.filter(round=district.round).order_by("pk")[:5])
        return []

    return options


def _variants(
    case: Any, world: Any, options: Callable[[str, str, Any], list[Any]]
) -> Iterator[Any]:
    """The world as the case's builders see it, with each object they read replaced by
    each of the district's objects of that kind (the original kept too)."""
    seen: set[tuple[str, str]] = set()
    probe = replace(
        world, tree=_Recorder(world.tree, "tree", seen), mine=_Recorder(world.mine, "mine", seen)
    )
    for builder in (case.kwargs, case.data):
        if builder is not None:
            try:
                builder(probe)
            except Exception:  # noqa: BLE001 - the variants below fail the same way
                return
    choices = []
    for side, key in sorted(seen):
        store = world.tree if side == "tree" else world.mine
        if key not in store:
            continue  # made by the builder itself, on first use
        choices.append(
            [(side, key, value) for value in [store[key], *options(side, key, store[key])]]
        )
    for combination in itertools.product(*choices):
        tree, mine = dict(world.tree), dict(world.mine)
        for side, key, value in combination:
            (tree if side == "tree" else mine)[key] = value
        yield replace(world, tree=tree, mine=mine)


_PAGE_LINK = re.compile(r"href=\"\?[^\"]*page=(\d+)")


def _fetch(
    client: Client, url: str, data: dict[str, Any], headers: dict[str, str]
) -> tuple[str, bytes]:
    response = client.get(url, data, **headers)
    if response.status_code != 200:
        return "", b""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response.headers.get("Content-Type", ""), body


def read_web(ledger: Ledger, district: District, world: Any) -> None:
    """Every GET page of the matrix as every role without the reveal permission."""
    from wangge.accounts.tests.permission_matrix import (
        LOGIN,
        NOBODY,
        collect_cases,
        expected,
        iter_url_entries,
    )

    options = _replacements(district)
    entries = {entry.key: entry for entry in iter_url_entries()}
    users = {
        role: grant(UserFactory(username=f"enum_web_{role}"), role, district.tree["district"])
        for role in _non_revealing_roles()
    }
    users[NOBODY] = UserFactory(username="enum_web_nobody")
    clients = {}
    for principal, user in users.items():
        clients[principal] = Client()
        clients[principal].force_login(user)
    surnames = sorted({spec.name[:2] for spec in district.specs})
    for case in collect_cases():
        if case.method != "GET" or case.is_glob or case.is_api or case.url not in entries:
            continue
        entry = entries[case.url]
        allowed = [p for p in users if expected(case, p, False) not in (LOGIN, 403, 404)]
        for number, variant in enumerate(_variants(case, world, options)):
            try:
                kwargs = case.kwargs(variant) if case.kwargs else {}
                data = dict(case.data(variant)) if case.data else {}
            except Exception:  # noqa: BLE001,S112 - a builder that needs the matrix's own objects
                continue
            url = reverse(case.url, kwargs={k: v for k, v in kwargs.items() if k in entry.params})
            queries = [data]
            # A search: by each surname of the district, if searching finds its people.
            if (
                "q" in data
                and allowed
                and _finds_people(clients[allowed[0]], url, data, surnames, ledger)
            ):
                queries += [{**data, "q": name} for name in surnames]
            for principal, query in itertools.product(allowed, queries):
                # The HTMX partial shows the page's data in another template: once per URL.
                _read_page(
                    ledger, f"web as {principal}", clients[principal], url, query, number == 0
                )


def _finds_people(
    client: Client, url: str, data: dict[str, Any], surnames: list[str], ledger: Ledger
) -> bool:
    kind, body = _fetch(client, url, {**data, "q": surnames[0]}, {})
    text = body.decode(errors="ignore")
    return bool(kind) and any(p.markers[0] in text for p in ledger.people)


def _read_page(
    ledger: Ledger,
    source: str,
    client: Client,
    url: str,
    query: dict[str, Any],
    htmx: bool,
) -> None:
    """A page, its HTMX partial, and the further pages its pagination links to."""
    queue, seen = [query], set()
    while queue and len(seen) < 30:
        current = queue.pop()
        key = json.dumps(current, sort_keys=True, default=str)
        if key in seen:
            continue
        seen.add(key)
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}) if htmx else ({},):
            kind, body = _fetch(client, url, current, headers)
            if not kind:
                continue
            if body.startswith(b"%PDF"):
                body = _pdf_text(body)
            place = f"GET {url} {current or ''}{' (htmx)' if headers else ''}"
            ledger.read(source, place, response_chunks(kind, body))
            if "html" in kind and not headers:
                for page in _PAGE_LINK.findall(body.decode(errors="ignore")):
                    queue.append({**current, "page": page})


def _pdf_text(body: bytes) -> bytes:
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages).encode()


@pytest.mark.django_db
def test_what_roles_without_reveal_see_leaves_everyone_ten_thousand_candidates(
    tree: dict[str, Any], other_tree: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import weasyprint

    from wangge.accounts.tests.permission_matrix import build_world
    from wangge.core.permissions import ROLE_PERMISSIONS, Perm

    monkeypatch.setattr(weasyprint, "HTML", _CapturedHTML)
    world = build_world(tree, other_tree)
    district = build_district(tree)
    ledger = Ledger(timezone.localdate(), people_of(district))
    read_web(ledger, district, world)
    assert any(source.startswith("web as") for source in ledger.sources)
    # A volunteer or sampler holds a device too: their pages and their device together.
    for role in _non_revealing_roles():
        if Perm.REGISTER_SAMPLES in ROLE_PERMISSIONS[role]:
            read_station(ledger, district, role, f"station device of {role}")
            ledger.combine(
                f"web and device as {role}", [f"web as {role}", f"station device of {role}"]
            )
    assert_everyone_keeps_ten_thousand(ledger)


# --- the station ----------------------------------------------------------------------


def read_station(ledger: Ledger, district: District, role: str, source: str) -> None:
    """Everything a device of this role downloads, and a brute force of any keyed hash."""
    from wangge.accounts.devices import issue_device_token
    from wangge.audit.log import Actor

    user = grant(UserFactory(username=f"enum_device_{role}"), role, district.tree["community"])
    token, _device = issue_device_token(
        user, district.tree["community"], f"枚举{role}", acting_user=Actor(user=None, label="test")
    )
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    held: list[Any] = []

    def get(name: str, **kwargs: Any) -> Any:
        query = kwargs.pop("query", {})
        response = client.get(reverse(f"api-v1:{name}", kwargs=kwargs), query)
        assert response.status_code in (200, 404), (name, response.status_code)
        answer = response.json() if response.status_code == 200 else None
        if answer is not None:
            held.append(answer)
            ledger.read(
                source, f"GET {name}", response_chunks("application/json", response.content)
            )
        return answer

    me = get("station_me")
    get("station_rounds")
    roster: dict[str, dict[str, Any]] = {}
    cursor, passes = None, 0
    for _page in range(200):  # a full pass in small pages, then a change pass
        page = get("station_roster", query={"limit": 7, **({"cursor": cursor} if cursor else {})})
        if page is None:
            break
        roster.update((item["code"], item) for item in page["items"])
        cursor = page["next_cursor"]
        held.append(_decoded(cursor))
        passes += page["complete"]
        if passes == 2:
            break
    get("station_sampled", round_id=district.round.pk)
    get("station_home_visits", round_id=district.round.pk)
    # What the device holds as a whole, and each roster item with the device's key.
    ledger.read(source, "device store", [json.dumps(held, ensure_ascii=False, default=str)])
    _brute_force_keyed_hashes(ledger, source, me, list(roster.values()))


def _decoded(cursor: str) -> str:
    try:
        return base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode(errors="ignore")
    except ValueError:
        return cursor


def _brute_force_keyed_hashes(
    ledger: Ledger, source: str, me: Any, roster: list[dict[str, Any]]
) -> None:
    """If roster items carry `id_key` under a key the device holds, try every candidate the
    other facts leave through the project's own `testing.roster.id_key`."""
    roster_module = importlib.import_module("wangge.testing.roster")
    id_key = getattr(roster_module, "id_key", None)
    key_text = (me or {}).get("roster_key")
    if id_key is None or not key_text:
        return
    key = base64.b64decode(key_text)
    for item in roster:
        target = item.get("id_key")
        person = next((p for p in ledger.people if item.get("code") in p.markers), None)
        if not target or person is None or not person.truth.is_resident_card:
            continue
        evidence = ledger.sources.setdefault(source, {}).setdefault(
            person.label, Evidence(ledger.blank(person))
        )
        total = count_id_candidates(evidence.facts.id, ledger.today)
        tried = matches = 0
        for number in cand.iter_id_candidates(evidence.facts.id, ledger.today):
            tried += 1
            matches += id_key(key, person.truth.id_type, number) == target
            if tried >= BRUTE_FORCE_BUDGET or matches >= TARGET:
                break
        left = matches if tried == total else max(1, round(matches * total / max(tried, 1)))
        evidence.ceiling = left if evidence.ceiling is None else min(evidence.ceiling, left)
        evidence.places.append(("id_key brute force over the roster's keyed hash", left, None))


@pytest.mark.django_db
def test_a_station_device_with_its_keys_leaves_everyone_ten_thousand_candidates(
    tree: dict[str, Any],
) -> None:
    from wangge.core.permissions import ROLE_PERMISSIONS, Perm

    district = build_district(tree)
    ledger = Ledger(timezone.localdate(), people_of(district))
    for role, permissions in ROLE_PERMISSIONS.items():
        if Perm.REGISTER_SAMPLES in permissions:
            read_station(ledger, district, role, f"station device of {role}")
    assert any(source.startswith("station device") for source in ledger.sources)
    assert_everyone_keeps_ten_thousand(ledger)
