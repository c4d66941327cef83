"""Uploads kept between their check and the uploader's decision: the one staging helper.

An import is read and checked once; the person then sees the report and applies the file or
walks away. What was checked waits here, under WANGGE_IMPORT_DIR: each upload is named by a
random token, written 0600 in a 0700 folder (`lib.private_files`), encrypted with the data
keyring and bound to its kind, token and part (a file renamed to another token or kind does
not decrypt), and it expires. What was uploaded by whom is the caller's to check: `keep` and
`fetch` hold a JSON payload for one user; an app that records its uploads in its own table
(the registry's ImportBatch) stores parts by token and expires them with its records.
"""

import json
import os
import re
import secrets
import time
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings

from wangge.core.personal_data import cipher
from wangge.lib.crypto import KeyringError
from wangge.lib.private_files import private_directory, write_private

_TOKEN = re.compile(r"[0-9a-f]{32}")
_PART = re.compile(r"[a-z]{1,8}")
_NONCE_BYTES = 12
DAY_SECONDS = 24 * 3600


class StagedUploadGone(Exception):
    """The staged upload was discarded, has expired, or never existed."""


@dataclass(frozen=True)
class Staging:
    """One kind of staged upload: its folder below WANGGE_IMPORT_DIR and how long it keeps.

    `purpose` is bound into every file's encryption. `max_age_seconds` None leaves the
    expiry to the caller's own records.
    """

    purpose: str
    folder: str
    max_age_seconds: int | None = DAY_SECONDS

    def new_token(self) -> str:
        return secrets.token_hex(16)

    def write(self, token: str, data: bytes, *, part: str = "data", replace: bool = False) -> None:
        """Stage `data` as the token's `part`; an existing part is replaced only if asked."""
        path = self._path(token, part)
        if path is None:
            raise ValueError("not a staging token")
        write_private(path, self._seal(data, token, part), exclusive=not replace)

    def read(self, token: str, *, part: str = "data") -> bytes:
        """The staged part, or StagedUploadGone."""
        path = self._path(token, part)
        try:
            if path is None or self._expired(path):
                raise StagedUploadGone(token)
            blob = path.read_bytes()
        except FileNotFoundError as exc:  # purged, or lost with the server's disk
            raise StagedUploadGone(token) from exc
        try:
            return self._unseal(blob, token, part)
        except (InvalidTag, KeyringError, ValueError, zlib.error) as exc:
            raise StagedUploadGone(token) from exc  # an older format, or a retired key

    def delete(self, token: str, *, parts: tuple[str, ...] = ("data",)) -> None:
        for part in parts:
            path = self._path(token, part)
            if path is not None:
                path.unlink(missing_ok=True)

    def purge_expired(self) -> None:
        """Remove whatever in this kind's folder is older than its age limit."""
        if self.max_age_seconds is None:
            return
        for path in self._folder().iterdir():
            if path.is_file() and self._expired(path):
                path.unlink(missing_ok=True)

    def keep(self, payload: Any, *, owner: int) -> str:
        """Stage a JSON payload for one user (expired uploads go first); its new token."""
        self.purge_expired()
        token = self.new_token()
        document = {"owner": owner, "payload": payload}
        self.write(token, json.dumps(document, ensure_ascii=False).encode())
        return token

    def fetch(self, token: str, *, owner: int) -> Any | None:
        """The payload `keep` staged, if it is still there and `owner` staged it."""
        try:
            document = json.loads(self.read(token))
        except StagedUploadGone:
            return None
        return document["payload"] if document.get("owner") == owner else None

    def _folder(self) -> Path:
        return private_directory(Path(settings.WANGGE_IMPORT_DIR) / self.folder)

    def _path(self, token: str, part: str) -> Path | None:
        if not (_TOKEN.fullmatch(token) and _PART.fullmatch(part)):
            return None
        return self._folder() / f"{token}.{part}"

    def _expired(self, path: Path) -> bool:
        if self.max_age_seconds is None:
            return False
        try:
            return path.stat().st_mtime < time.time() - self.max_age_seconds
        except FileNotFoundError:
            return True

    def _context(self, token: str, part: str) -> bytes:
        return f"{self.purpose}:{token}:{part}".encode()

    def _seal(self, data: bytes, token: str, part: str) -> bytes:
        keyring = cipher().keyring
        key_id = keyring.current_id
        nonce = os.urandom(_NONCE_BYTES)
        sealed = AESGCM(keyring.get(key_id)).encrypt(
            nonce, zlib.compress(data, 1), self._context(token, part)
        )
        return key_id + b"$" + nonce + sealed

    def _unseal(self, blob: bytes, token: str, part: str) -> bytes:
        key_id, _sep, rest = blob.partition(b"$")
        aead = AESGCM(cipher().keyring.get(key_id))
        plain = aead.decrypt(rest[:_NONCE_BYTES], rest[_NONCE_BYTES:], self._context(token, part))
        return zlib.decompress(plain)
