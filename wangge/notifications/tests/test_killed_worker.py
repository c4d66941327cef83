"""Exactly once, even when the worker is killed in the middle of a delivery.

The worker runs as a real process against a database this test can share with it (a
SQLite file, or the PostgreSQL test database). A positive pool notifies a grid leader; the
webhook double holds the first request, the test kills the worker with SIGKILL while the
message is claimed and on the wire, and starts another worker. The message's lease runs
out, the second worker sends it again with the same idempotency key, and the gateway,
deduplicating on it, takes it once; the inbox holds one notification.
"""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from wangge.notifications.tests.doubles import start_gateway

ROOT = Path(__file__).resolve().parents[3]
PROCESS_TIMEOUT = 120

SEED = """
from tests.factories import UserFactory, grant, make_resident, make_tree
from wangge.core.permissions import Role
from wangge.testing.actions.results import ResultItem, record_results
from wangge.testing.models import Tube
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import make_tube

tree = make_tree()
grant(UserFactory(username="leader"), Role.GRID_LEADER, tree["grid_a"])
people = [make_resident(tree["grid_a"], n, room=r, phone="") for n, r in (("甲", "1"), ("乙", "2"))]
round_ = make_round(tree["grid_a"])
tube = make_tube(round_, tree["grid_a"], *people)
record_results([ResultItem(tube.barcode, "positive")], tubes=Tube.objects.all(), acting_user=None)
"""

REPORT = """
import json
from wangge.notifications.models import Notification, OutboundMessage
print(json.dumps({
    "inbox": list(Notification.objects.values_list("user__username", flat=True)),
    "outbound": [
        [str(m.pk), m.status, m.attempts] for m in OutboundMessage.objects.all()
    ],
}))
"""


def _environment(tmp_path, gateway_url):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wangge.settings_test",
        "WANGGE_VAR_DIR": str(tmp_path),
        "WANGGE_NOTIFY_CHANNEL": "webhook",
        "WANGGE_WEBHOOK_URL": gateway_url,
        "WANGGE_WEBHOOK_SECRET": "kill-test-secret",
        # The killed worker's claim runs out quickly, so the test does not wait long.
        "WANGGE_WORKER_LEASE_SECONDS": "2",
        "PYTHONPATH": str(ROOT),
    }
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        env["DATABASE_URL"] = (
            f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
        )
    else:
        env["DATABASE_URL"] = f"sqlite:///{tmp_path / 'worker.sqlite3'}"
    return env


def _copy_schema(path):
    """The in-memory test database, migrated and empty, copied into a file the worker opens
    (much faster than migrating the file)."""
    connection.ensure_connection()
    target = sqlite3.connect(path)
    with target:
        connection.connection.backup(target)
    target.close()


def _manage(env, *args):
    return subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "wangge", *args],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
        timeout=PROCESS_TIMEOUT,
    ).stdout


def _worker(env):
    return subprocess.Popen(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "wangge", "worker", "--interval", "0.2"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _wait_for(condition, what):
    deadline = time.monotonic() + PROCESS_TIMEOUT
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.1)


@pytest.mark.django_db(transaction=True)
def test_a_worker_killed_mid_delivery_delivers_once_after_restart(tmp_path):
    gateway = start_gateway()
    gateway.hold_first = True
    env = _environment(tmp_path, gateway.url)
    workers = []
    try:
        if connection.vendor == "sqlite":
            _copy_schema(tmp_path / "worker.sqlite3")
        _manage(env, "shell", "-v", "0", "-c", SEED)

        workers.append(_worker(env))
        assert gateway.arrived.wait(PROCESS_TIMEOUT), "the worker never sent the message"
        workers[0].send_signal(signal.SIGKILL)
        workers[0].wait(PROCESS_TIMEOUT)
        gateway.release.set()

        workers.append(_worker(env))
        _wait_for(lambda: gateway.delivered, "the second worker's delivery")
        workers[1].send_signal(signal.SIGTERM)
        workers[1].wait(PROCESS_TIMEOUT)
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
        gateway.stop()

    report = json.loads(_manage(env, "shell", "-v", "0", "-c", REPORT))
    assert report["inbox"] == ["leader"]
    ((key, status, attempts),) = report["outbound"]
    assert (status, attempts) == ("sent", 2)
    # Sent twice with one key; the gateway took it once.
    assert [r.headers["Idempotency-Key"] for r in gateway.requests] == [key, key]
    assert list(gateway.delivered) == [key]
