"""Uploaded area sheets waiting for the user's "apply", kept as JSON under var/imports.

The upload is read and checked once; the person sees the report and then applies or
walks away. Only the rows are kept (no file), only for the user who uploaded them, and
files older than a day are removed whenever a new one is written.
"""

import json
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from wangge.areas.importing import TreeRow, rows_from_dicts, rows_to_dicts
from wangge.lib.private_files import private_directory, write_private

MAX_AGE_SECONDS = 24 * 3600
_TOKEN_BYTES = 18


@dataclass(frozen=True)
class PendingImport:
    token: str
    user_id: int
    within_id: int | None
    source: str
    rows: list[TreeRow]


def _folder() -> Path:
    return private_directory(Path(settings.WANGGE_IMPORT_DIR) / "areas")


def _path(token: str) -> Path | None:
    if not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
        return None
    return _folder() / f"{token}.json"


def save(user_id: int, within_id: int | None, source: str, rows: list[TreeRow]) -> str:
    folder = _folder()
    cutoff = time.time() - MAX_AGE_SECONDS
    for old in folder.glob("*.json"):
        if old.stat().st_mtime < cutoff:
            old.unlink(missing_ok=True)
    token = secrets.token_urlsafe(_TOKEN_BYTES)
    payload = {
        "user": user_id,
        "within": within_id,
        "source": source,
        "rows": rows_to_dicts(rows),
    }
    write_private(folder / f"{token}.json", json.dumps(payload, ensure_ascii=False))
    return token


def load(token: str, user_id: int) -> PendingImport | None:
    """The pending import, if it exists, is fresh and was uploaded by this user."""
    path = _path(token)
    if path is None or not path.exists():
        return None
    if path.stat().st_mtime < time.time() - MAX_AGE_SECONDS:
        return None
    payload = json.loads(path.read_text())
    if payload.get("user") != user_id:
        return None
    return PendingImport(
        token=token,
        user_id=user_id,
        within_id=payload.get("within"),
        source=str(payload.get("source", "")),
        rows=rows_from_dicts(payload["rows"]),
    )


def discard(token: str) -> None:
    path = _path(token)
    if path is not None:
        path.unlink(missing_ok=True)
