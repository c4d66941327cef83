"""Raw copies of the database as a thief would take them, for the leaked-backup tests.

- `sqlite_snapshot`: a child process migrates a file-based SQLite database, builds a
  registry with the named builder and copies the file and its write-ahead log while the
  connection is still open (the test suite's own SQLite database lives in memory).
- `pg_dump_bytes`: `pg_dump` of the test database the suite runs on.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent

_SQLITE_SCRIPT = """
import importlib, os, shutil, sqlite3, sys
import django
django.setup()
from django.core.management import call_command
call_command("migrate", verbosity=0)
database, snapshot, builder = sys.argv[1], sys.argv[2], sys.argv[3]
# A second connection held open: if Django's closes meanwhile, the WAL is not folded back.
witness = sqlite3.connect(database)
witness.execute("SELECT count(*) FROM django_migrations").fetchall()
module, _, function = builder.partition(":")
result = getattr(importlib.import_module(module), function)()
# Copied while the connection is open: the -wal file still holds the writes.
for suffix in ("", "-wal"):
    if os.path.exists(database + suffix):
        shutil.copyfile(database + suffix, os.path.join(snapshot, "open" + suffix))
print(result)
"""


def sqlite_snapshot(tmp_path: Path, builder: str) -> tuple[Path, Path, str]:
    """(database file, folder holding `open` and `open-wal`, what the builder returned).

    `builder` names a function as "module:function"; it runs in a child process on a fresh
    file-based database and may return a value to print (the last line of its output).
    """
    database = tmp_path / "registry.sqlite3"
    snapshot = tmp_path / "snapshot"
    snapshot.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wangge.settings_test",
        "DATABASE_URL": f"sqlite:///{database}",
    }
    done = subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", _SQLITE_SCRIPT, str(database), str(snapshot), builder],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    wal = snapshot / "open-wal"
    assert wal.exists() and wal.stat().st_size > 0, "the database did not run in WAL mode"
    return database, snapshot, done.stdout.strip().splitlines()[-1]


def pg_dump_bytes() -> bytes:
    """A plain-text `pg_dump` of the test database (its connection is closed first)."""
    pg_dump = shutil.which("pg_dump")
    assert pg_dump, "pg_dump is not installed"
    connection.close()
    settings_dict = connection.settings_dict
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    command = [pg_dump, "--no-owner", "-d", str(settings_dict["NAME"])]
    for flag, key in (("-h", "HOST"), ("-p", "PORT"), ("-U", "USER")):
        if settings_dict.get(key):
            command += [flag, str(settings_dict[key])]
    done = subprocess.run(command, env=env, capture_output=True, timeout=300, check=False)  # noqa: S603
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    return done.stdout
