"""The demo's own secrets, generated once into var/ so a restart keeps its data readable."""

import base64
import json
import os
import secrets
from pathlib import Path


def _new_key() -> str:
    return base64.b64encode(secrets.token_bytes(32)).decode()


def load_or_create(path: Path) -> dict[str, str]:
    if path.exists():
        data: dict[str, str] = json.loads(path.read_text())
        return data
    path.parent.mkdir(parents=True, exist_ok=True)
    data = {
        "SECRET_KEY": secrets.token_urlsafe(50),
        "WANGGE_DATA_KEYS": f"d1:{_new_key()}",
        "WANGGE_INDEX_KEYS": f"i1:{_new_key()}",
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(data, handle)
    return data
