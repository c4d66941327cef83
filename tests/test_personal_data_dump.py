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
import os
import random
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from wangge.lib.idnumbers import IdType, make_resident_card_number

ROOT = Path(__file__).resolve().parent.parent


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
NEW_PHONE = "18629504417"  # the first person's phone after an update


def forbidden() -> list[str]:
    values = [NEW_PHONE, NEW_PHONE[-8:]]
    for _name, number, phone in PEOPLE:
        values += [number, number[-8:], phone, phone[-8:]]
    return values


def leaks(blob: bytes) -> list[str]:
    return [value for value in forbidden() if value.encode() in blob]


def build_registry() -> str:
    """Register everyone through the actions, update and reveal one of them, search by
    number (an audited search); returns the first person's masked number (it must be in the dump)."""
    from tests.factories import UserFactory, make_resident, make_tree
    from wangge.accounts.audit import Actor
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
    searcher = UserFactory(username="dump_searcher", is_superuser=True)
    assert list(actions.find_residents(searcher, PEOPLE[1][1], acting_user=actor)) == [residents[1]]
    return str(first.id_number_masked)


_SQLITE_SCRIPT = """
import os, shutil, sys
import django
django.setup()
from django.core.management import call_command
from django.db import connection
call_command("migrate", verbosity=0)
from tests.test_personal_data_dump import build_registry
masked = build_registry()
database, snapshot = sys.argv[1], sys.argv[2]
# Copy the files while the connection is open: the -wal file still holds the writes.
for suffix in ("", "-wal"):
    if os.path.exists(database + suffix):
        shutil.copyfile(database + suffix, os.path.join(snapshot, "open" + suffix))
print(masked)
"""


def test_sqlite_file_and_wal_hold_no_number(tmp_path):
    database = tmp_path / "registry.sqlite3"
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wangge.settings_test",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _SQLITE_SCRIPT, str(database), str(snapshot)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    masked = done.stdout.strip().splitlines()[-1]
    wal = snapshot / "open-wal"
    assert wal.exists() and wal.stat().st_size > 0, "the database did not run in WAL mode"
    files = [snapshot / "open", wal, database]
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
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is not installed"
    masked = build_registry()
    connection.close()
    settings = connection.settings_dict
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    command = [pg_dump, "--no-owner", "-d", str(settings["NAME"])]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings.get(key):
            command += [flag, str(settings[key])]
    done = subprocess.run(command, env=env, capture_output=True, timeout=300, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    dump = done.stdout
    assert masked.encode() in dump and "居民0".encode() in dump
    assert not leaks(dump), f"pg_dump contains {leaks(dump)[:5]}"


def test_the_leak_check_finds_a_number():
    name, number, phone = PEOPLE[3]
    assert leaks(f"xx{number}yy".encode()) == [number, number[-8:]]
    assert leaks(f"tel:{phone[-8:]}".encode()) == [phone[-8:]]
