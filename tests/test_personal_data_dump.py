"""A leaked backup gives away no ID number and no phone.

A registry is built through the residents' actions (register, update, reveal, search);
then the raw bytes of the database are searched for every resident's ID number and phone,
and for their last eight digits (the masked forms show only the last four):
  - SQLite: the database file and its write-ahead log (-wal), read while the connection
    is open and again after it closed. This half always runs, on a file-based database
    built by a separate process (the test suite's own SQLite database lives in memory).
  - PostgreSQL: `pg_dump` of the test database. This half runs when the suite runs on
    PostgreSQL (DATABASE_URL), and is skipped otherwise.
"""

import datetime as dt
import random
from pathlib import Path

import pytest
from django.db import connection

from tests.dumps import pg_dump_bytes, sqlite_snapshot
from wangge.lib.idnumbers import IdType, make_resident_card_number


def _people() -> list[tuple[str, str, str]]:
    """Forty people with valid, distinct ID numbers and mobiles (deterministic)."""
    rng = random.Random(20220404)
    people = []
    for index in range(40):
        birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(0, 30000))
        number = make_resident_card_number("620103", birth, rng.randrange(1, 999), "MF"[index % 2])
        phone = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
        people.append((f"居民{index}", number, phone))
    return people


PEOPLE = _people()
# People followed as key persons who are not in the registry (their numbers sealed on the
# key person itself).
KEY_PEOPLE = [
    (
        f"重点{index}",
        make_resident_card_number("620102", dt.date(1975, 3, 1 + index), 11 + index, "M"),
        f"1350931{index:04d}",
    )
    for index in range(4)
]
NEW_PHONE = "18629504417"  # the first person's phone after an update


def forbidden() -> list[str]:
    values = [NEW_PHONE, NEW_PHONE[-8:]]
    for _name, number, phone in PEOPLE + KEY_PEOPLE:
        values += [number, number[-8:], phone, phone[-8:]]
    return values


def leaks(blob: bytes) -> list[str]:
    return [value for value in forbidden() if value.encode() in blob]


def build_registry() -> str:
    """Register everyone through the actions, update and reveal one of them, search by
    number (an audited search); returns the first person's masked number (it must be in the dump)."""
    from tests.factories import UserFactory, make_resident, make_tree
    from wangge.audit.log import Actor
    from wangge.residents import actions

    tree = make_tree()
    actor = Actor(user=None, label="dump test")
    residents = [
        make_resident(
            tree["grid_a"] if index % 2 else tree["grid_b"],
            name,
            number=number,
            phone=phone,
            room=str(index),
        )
        for index, (name, number, phone) in enumerate(PEOPLE)
    ]
    first = residents[0]
    changed = actions.ResidentData.clean(
        name=first.name, id_type=IdType.RESIDENT_CARD, id_number=PEOPLE[0][1], phone=NEW_PHONE
    )
    actions.update_resident(first, changed, acting_user=actor)
    actions.reveal_identity(first, "phone", acting_user=actor)
    from wangge.keypersons.actions import NamedPerson, place_under_measure, reveal_identity

    for index, (name, number, phone) in enumerate(KEY_PEOPLE):
        followed = place_under_measure(
            NamedPerson(name=name, id_number=number, phone=phone),
            category="returnee",
            measure="home_monitoring",
            started_on=dt.date(2026, 3, 1),
            area=tree["grid_a"],
            acting_user=actor,
        )
        if index == 0:
            reveal_identity(followed, "id_number", acting_user=actor)
    searcher = UserFactory(username="dump_searcher", is_superuser=True)
    assert list(actions.find_residents(searcher, PEOPLE[1][1], acting_user=actor)) == [residents[1]]
    _traced_list(tree, actor)
    return str(first.id_number_masked)


def _traced_list(tree, actor) -> None:
    """Everyone on a list to trace (协查), imported and given feedback: its rows are sealed
    like the registry's (the number and phone columns of the kept row emptied)."""
    from wangge.keypersons.choices import Category, Measure
    from wangge.tracing import actions as tracing
    from wangge.tracing import importing
    from wangge.tracing.choices import TracedStatus

    lines = ["姓名,身份证号,联系电话,协查原因"] + [f"{n},{i},{p},密接" for n, i, p in PEOPLE]
    analysis = importing.analyse("\n".join(lines).encode(), "协查.csv")
    assert not analysis.errors
    traced_list = tracing.import_list(
        analysis,
        area=tree["community"],
        title="协查",
        reason="",
        deadline=dt.datetime(2030, 1, 1, tzinfo=dt.UTC),
        acting_user=actor,
    )
    first = traced_list.people.order_by("row_number").first()
    tracing.give_feedback(
        first,
        status=TracedStatus.FOUND_PLACED,
        category=Category.CLOSE_CONTACT,
        measure=Measure.HOME_QUARANTINE,
        acting_user=actor,
    )


def test_sqlite_file_and_wal_hold_no_number(tmp_path):
    database, snapshot, masked = sqlite_snapshot(
        tmp_path, "tests.test_personal_data_dump:build_registry"
    )
    files = [snapshot / "open", snapshot / "open-wal", database]
    files += [Path(f"{database}{suffix}") for suffix in ("-wal", "-shm")]
    blobs = {str(path): path.read_bytes() for path in files if path.exists()}
    # The registry is really in there (masked), so the search below is not vacuous …
    assert any(masked.encode() in blob for blob in blobs.values())
    # … and no number is.
    for name, blob in blobs.items():
        assert not leaks(blob), f"{name} contains {leaks(blob)[:5]}"


@pytest.mark.django_db(transaction=True)
def test_pg_dump_holds_no_number():
    if connection.vendor != "postgresql":
        pytest.skip("the pg_dump half runs when the suite runs on PostgreSQL (DATABASE_URL)")
    masked = build_registry()
    dump = pg_dump_bytes()
    assert masked.encode() in dump and "居民0".encode() in dump
    assert not leaks(dump), f"pg_dump contains {leaks(dump)[:5]}"


def test_the_leak_check_finds_a_number():
    name, number, phone = PEOPLE[3]
    assert leaks(f"xx{number}yy".encode()) == [number, number[-8:]]
    assert leaks(f"tel:{phone[-8:]}".encode()) == [phone[-8:]]
