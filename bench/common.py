"""What the benchmarks share: throwaway databases, the environment of their child processes,
a gunicorn on loopback, and the section each appends to docs/benchmarks.md.

Every benchmark measures in a child process (Django is configured once per process, with
the database it is given), so the parent's part — a fresh database, the child's environment,
its result read back — is the same everywhere and lives here. What a benchmark measures, and
how it reports it, stays in its own module.
"""

import argparse
import base64
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

ROOT = Path(__file__).resolve().parent.parent
BIN = ROOT / ".venv" / "bin"
DOCS = ROOT / "docs" / "benchmarks.md"
PG_SERVER = "postgres://postgres@127.0.0.1:5432"
PG_ADMIN_URL = f"{PG_SERVER}/postgres"
# The folder of the benchmarks that serve the application over HTTP: their SQLite files
# and the server's var directory.
HTTP_WORKDIR = Path(tempfile.gettempdir()) / "bench_ingest_http"
# What a `--one` child prints before its result, so that the parent finds it in the output.
RESULT = "RESULT "


# --- throwaway databases ----------------------------------------------------------------


def fresh_sqlite(path: Path, reuse: bool = False) -> str:
    """The URL of a SQLite file at `path`, removed first (with its WAL files) unless
    `reuse`: each run measures a database it built itself."""
    if not reuse:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    return f"sqlite:///{path}"


def postgres_url(name: str) -> str:
    """The URL of the database `name` on the local PostgreSQL server."""
    return f"{PG_SERVER}/{name}"


def reset_postgres(name: str, *, reuse: bool = False, force: bool = True) -> str:
    """Drop and create the PostgreSQL database `name` (kept as it is when `reuse` and it
    exists), and return its URL. `force` ends the sessions still connected to it.

    Raises ImportError without psycopg and psycopg.OperationalError when the server does
    not answer: for the benchmarks that cannot run without it."""
    import psycopg

    with psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3) as conn:
        exists = (
            reuse
            and conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        )
        if not exists:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"' + (" WITH (FORCE)" if force else ""))
            conn.execute(f'CREATE DATABASE "{name}"')
    return postgres_url(name)


def optional_postgres(name: str, reuse: bool = False) -> str | None:
    """reset_postgres, or None when psycopg is missing or the server does not answer: for
    the benchmarks that measure PostgreSQL when it is there and skip it otherwise."""
    try:
        import psycopg
    except ImportError:
        return None
    try:
        return reset_postgres(name, reuse=reuse)
    except psycopg.OperationalError:
        return None


def fresh_database(backend: str, sqlite_path: Path, pg_name: str, *, force: bool = True) -> str:
    """A fresh SQLite file for "sqlite", else the PostgreSQL database `pg_name` recreated:
    the `--databases` benchmarks, which fail when PostgreSQL is asked for and not there."""
    if backend == "sqlite":
        return fresh_sqlite(sqlite_path)
    return reset_postgres(pg_name, force=force)


def run_each(
    only: str | None,
    sqlite: Callable[[], str],
    postgres: Callable[[], str | None],
    run: Callable[[str], T],
) -> list[T]:
    """`run` on SQLite, then on PostgreSQL, as `--only` asks; PostgreSQL is skipped (and
    said so) when unreachable. Each database is made just before its run."""
    results = []
    if only in (None, "sqlite"):
        results.append(run(sqlite()))
    if only in (None, "postgres"):
        url = postgres()
        if url is None:
            print("PostgreSQL at 127.0.0.1:5432 is unreachable: skipped")
        else:
            results.append(run(url))
    return results


# --- child processes --------------------------------------------------------------------


def demo_env(database_url: str, var_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a child that builds the demo district: this one's, pointed at the
    bench database and its own var directory (the demo's secrets), plus `extra`."""
    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        DJANGO_SETTINGS_MODULE="wangge.settings",
        WANGGE_DEMO="true",
        WANGGE_VAR_DIR=str(var_dir),
        **extra,
    )
    return env


def parse_or_child(
    parser: argparse.ArgumentParser, child: Callable[[argparse.Namespace], None]
) -> argparse.Namespace | None:
    """Parse the command line; with the hidden `--child` this process is the child: it
    runs `child` (which prints the result) and gives None, else the parent's options."""
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args)
        return None
    return args


def child_command(module: str, args: argparse.Namespace, names: tuple[str, ...]) -> list[str]:
    """The command of a `--child` run of `module` with the options `names` of this run."""
    return [sys.executable, "-m", module, "--child", *forward(args, names)]


def last_json_line(stdout: str) -> dict[str, Any]:
    """The result a child printed as JSON on its last line of output."""
    result: dict[str, Any] = json.loads(stdout.strip().splitlines()[-1])
    return result


def run_json_child(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a child in the project folder and read its JSON result; when it fails, show its
    stderr and stop, naming the database (the scheme of its DATABASE_URL)."""
    output = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if output.returncode != 0:
        sys.stderr.write(output.stderr)
        raise SystemExit(f"the {env['DATABASE_URL'].split(':')[0]} run failed")
    return last_json_line(output.stdout)


def run_verbose_child(command: list[str], env: dict[str, str]) -> dict[str, Any]:
    """Run a child and read its JSON result, passing its stderr on as it is (the demo
    build's warnings); when it fails, raise CalledProcessError."""
    output = subprocess.run(command, env=env, check=False, capture_output=True, text=True)
    sys.stderr.write(output.stderr)
    output.check_returncode()
    return last_json_line(output.stdout)


def forward(args: argparse.Namespace, names: tuple[str, ...]) -> list[str]:
    """The options `names` of this run, as `--name=value`, for a child to parse again."""
    return [f"--{name.replace('_', '-')}={getattr(args, name)}" for name in names]


def parse_or_one(
    parser: argparse.ArgumentParser, run_one: Callable[[str, argparse.Namespace], dict[str, Any]]
) -> argparse.Namespace | None:
    """Parse the command line; with the hidden `--one BACKEND` this process measures that
    database (`run_one`), prints the result for the parent and gives None."""
    parser.add_argument("--one", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.one:
        emit_result(run_one(args.one, args))
        return None
    return args


def emit_result(result: dict[str, Any]) -> None:
    """Print a `--one` child's result where run_one_child finds it."""
    print(RESULT + json.dumps(result, default=str), flush=True)


def run_one_child(module: str, backend: str, options: list[str]) -> dict[str, Any]:
    """Run `python -m module --one backend options` and read the result it emitted; when
    there is none, show the end of its output and stop."""
    command = [sys.executable, "-m", module, "--one", backend, *options]
    output = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)
    line = next((x for x in output.stdout.splitlines() if x.startswith(RESULT)), None)
    if line is None:
        print(output.stdout[-3000:], output.stderr[-3000:], file=sys.stderr)
        raise SystemExit(f"{backend}: the benchmark failed")
    result: dict[str, Any] = json.loads(line[len(RESULT) :])
    return result


def setup_django(env: dict[str, str]) -> None:
    """Configure Django in this process with `env` and migrate its database: a `--one`
    child, which measures in the same process as it builds."""
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# --- the server -------------------------------------------------------------------------


def _key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def server_env(database_url: str) -> dict[str, str]:
    """Production settings with throwaway secrets, pointed at the bench database."""
    env = dict(os.environ)
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "wangge.settings",
            "DATABASE_URL": database_url,
            "DATABASE_CONN_MAX_AGE": "600",
            "SECRET_KEY": secrets.token_urlsafe(40),
            "WANGGE_DATA_KEYS": "b1:" + _key(),
            "WANGGE_INDEX_KEYS": "x1:" + _key(),
            "WANGGE_VAR_DIR": str(HTTP_WORKDIR / "var"),
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
        }
    )
    return env


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def start_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    """gunicorn serving wangge.wsgi on 127.0.0.1:`port` with `workers` sync workers,
    returned once /healthz answers (the measurement must not time its start)."""
    process = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "wangge.wsgi",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            # Load the application once, before forking: the workers are ready together
            # (without it each imports Django on its own, seconds when no bytecode is cached).
            "--preload",
            "--backlog",
            "256",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    stop_server(process)
    raise RuntimeError("gunicorn did not answer /healthz within 60 s")


def stop_server(process: subprocess.Popen[bytes]) -> None:
    """Stop the server start_server started (SIGTERM, then SIGKILL after 30 s)."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


# --- reporting --------------------------------------------------------------------------


def ms(seconds: float) -> str:
    """Seconds as milliseconds to a tenth, as the reports print timings."""
    return f"{seconds * 1000:.1f} ms"


def append_docs_section(lines: list[str]) -> None:
    """Append a benchmark's section (its lines) to docs/benchmarks.md."""
    with DOCS.open("a", encoding="utf-8") as docs:
        docs.write("\n".join(lines) + "\n")
