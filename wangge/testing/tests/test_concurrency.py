"""Two stations at once: filling the same tube, registering the same person, retrying the same
batch while the first upload is still running. Whatever the interleaving, the data ends
consistent: a tube's `filled` is its number of registrations and never passes its capacity,
no client id is stored twice, and a person is sampled once per round.

On PostgreSQL the stations are threads with their own connections to the test database
(real row locks, real unique-index waits). On SQLite the same races run in a subprocess
against a database file with the project's settings (WAL, BEGIN IMMEDIATE, a busy timeout):
the test database is in memory with a shared cache, which does not lock like a file does.
"""

# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import json
import os
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.db import connection
from django.db.models import Count

from tests.factories import make_resident
from wangge.testing.models import Registration, RoundSample, Tube
from wangge.testing.tests.station_factories import item, open_round_over, station_for, upload

ROOT = Path(__file__).resolve().parents[3]
SQLITE_RUN = (
    "import django; django.setup(); "
    "from wangge.testing.tests.test_concurrency import sqlite_main; sqlite_main()"
)


def race(stations, batches):
    """Upload the batches at the same moment, one thread (one connection) per station."""
    for station in stations:
        station.device.scope_paths("testing.register")  # load the device's roles up front
    barrier = threading.Barrier(len(batches))
    answers = [None] * len(batches)
    errors = []

    def run(index):
        try:
            barrier.wait(timeout=30)
            answers[index] = upload(stations[index], batches[index])
        except Exception as exc:  # noqa: BLE001 - reported to the test below
            errors.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(len(batches))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return answers


def statuses(answers):
    return [r.status if r.status != "rejected" else r.reason_code for r in answers]


def assert_consistent():
    for tube in Tube.objects.annotate(n=Count("registrations")):
        assert tube.filled == tube.n <= tube.capacity, (tube.barcode, tube.filled, tube.n)
        assert (tube.status == "sealed") == (tube.filled == tube.capacity)
    assert (
        Registration.objects.values("client_id").distinct().count() == Registration.objects.count()
    )
    assert not (
        RoundSample.objects.values("round", "resident").annotate(n=Count("pk")).filter(n__gt=1)
    )
    registered = set(
        Registration.objects.filter(resident__isnull=False).values_list("round", "resident")
    )
    assert registered == set(RoundSample.objects.values_list("round", "resident"))


def run_races(stations, round_, residents):
    """The three races; returns what the test asserts on. Needs 40 residents."""
    east, west = stations
    outcome = {}
    # 1. Two stations fill the same new tube (capacity 10) with 8 people each, five times.
    accepted_per_tube = []
    for n in range(5):
        barcode = f"RACE{n}"
        left = [item(round_, barcode, person) for person in residents[:8]]
        right = [item(round_, barcode, person) for person in residents[8:16]]
        answers = race([east, west], [left, right])
        flat = statuses(answers[0] + answers[1])
        accepted_per_tube.append(flat.count("accepted"))
        assert set(flat) <= {"accepted", "tube_full"}, flat
    outcome["accepted_per_tube"] = accepted_per_tube
    # 2. The same person into two tubes at once, from two stations.
    person = residents[20]
    answers = race(
        [east, west],
        [[item(round_, "SAME-A", person)], [item(round_, "SAME-B", person)]],
    )
    outcome["same_person"] = statuses(answers[0] + answers[1])
    outcome["same_person_samples"] = RoundSample.objects.filter(
        round=round_, resident=person
    ).count()
    # 3. A retry racing the original upload: the same client ids, at once.
    batch = [item(round_, f"RETRY{i // 5}", p, capacity=5) for i, p in enumerate(residents[21:36])]
    answers = race([east, east], [batch, [dict(x) for x in batch]])
    both = statuses(answers[0]) + statuses(answers[1])
    outcome["retry"] = {status: both.count(status) for status in set(both)}
    outcome["retry_stored"] = Registration.objects.filter(
        client_id__in=[x["client_id"] for x in batch]
    ).count()
    assert_consistent()
    return outcome


def check_outcome(outcome):
    assert outcome["accepted_per_tube"] == [10] * 5
    assert outcome["same_person"] == ["accepted", "accepted"]
    assert outcome["same_person_samples"] == 1
    assert outcome["retry"] == {"accepted": 15, "duplicate": 15}
    assert outcome["retry_stored"] == 15


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_stations_at_once_on_postgresql(tree, alice):
    if connection.vendor != "postgresql":
        pytest.skip("runs on PostgreSQL (DATABASE_URL); SQLite runs the file-based test below")
    round_ = open_round_over(tree["community"], alice)
    residents = [make_resident(tree["grid_a"], f"人{i}", room=str(i), phone="") for i in range(40)]
    stations = [station_for(tree["community"], f"desk {n}") for n in (1, 2)]
    check_outcome(run_races(stations, round_, residents))


def test_two_stations_at_once_on_a_sqlite_file():
    """The same races in a subprocess, against a SQLite file with the project's settings."""
    with tempfile.TemporaryDirectory() as workdir:
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": f"sqlite:///{workdir}/race.sqlite3",
                "DJANGO_SETTINGS_MODULE": "wangge.settings_test",
                "WANGGE_VAR_DIR": workdir,
            }
        )
        done = subprocess.run(  # noqa: S603 - our own interpreter and module
            [sys.executable, "-c", SQLITE_RUN],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("OUTCOME "))
    outcome = json.loads(line[len("OUTCOME ") :])
    check_outcome(outcome)
    assert outcome["journal_mode"] == "wal"


def sqlite_main():
    """The SQLite races, in a process of their own (see the module's docstring)."""
    from django.core.management import call_command

    from tests.factories import UserFactory, make_tree

    call_command("migrate", verbosity=0)
    tree = make_tree()
    alice = UserFactory(username="alice")
    round_ = open_round_over(tree["community"], alice)
    residents = [make_resident(tree["grid_a"], f"人{i}", room=str(i), phone="") for i in range(40)]
    stations = [station_for(tree["community"], f"desk {n}") for n in (1, 2)]
    outcome = run_races(stations, round_, residents)
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        outcome["journal_mode"] = cursor.fetchone()[0]
    print("OUTCOME " + json.dumps(outcome))
