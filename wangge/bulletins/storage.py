"""Where a bulletin's files live: MEDIA_ROOT/bulletins, readable by the server's account only.

A file's name says which area, day, version and language it is, so making the same
bulletin again (after a crash between the file and its row, or when a file was lost)
writes the same name; a file is written under a temporary name and moved into place, so a
reader never sees half of one.
"""

import datetime as dt
import hashlib
import os
import uuid
from pathlib import Path

from django.conf import settings

from wangge.lib.private_files import private_directory, write_private


def root() -> Path:
    return Path(settings.MEDIA_ROOT) / "bulletins"


def name_for(area_id: int, day: dt.date, version: int, language: str, extension: str) -> str:
    return f"{area_id}/{day.isoformat()}/v{version}-{language}.{extension}"


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def save(name: str, data: bytes) -> None:
    """Write the file (0600, in 0700 directories) in one move."""
    path = root() / name
    private_directory(root())
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}")
    write_private(temporary, data, exclusive=True)
    os.replace(temporary, path)


def read(name: str, sha256: str) -> bytes | None:
    """The file's bytes, or None when it is missing or no longer what was written."""
    try:
        data = (root() / name).read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return data if digest(data) == sha256 else None
