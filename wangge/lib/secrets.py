"""The demo's own secrets, generated once into var/ so a restart keeps its data readable."""

import base64
import json
import os
import secrets
from pathlib import Path

from wangge.lib.private_files import FILE_MODE, private_directory, write_private


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def load_or_create(path: Path) -> dict[str, str]:
    """The secrets in `path`, made on the first start; the file is kept 0600 in a 0700
    directory even if it was copied in (or restored) with wider modes."""
    if path.exists():
        private_directory(path.parent)
        os.chmod(path, FILE_MODE)
        data: dict[str, str] = json.loads(path.read_text())
        return data
    data = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "WANGGE_DATA_KEYS": f"d1:{_new_key()}",
        "WANGGE_INDEX_KEYS": f"i1:{_new_key()}",
    }
    write_private(path, json.dumps(data), exclusive=True)
    return data
