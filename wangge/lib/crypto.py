"""Encryption at rest (AES-256-GCM) and keyed blind indexes (HMAC-SHA256).

A keyring is "id:base64key,id:base64key": the first key is current, the others stay
readable until a rotation has re-written every value with the current one. Each
ciphertext and each index value starts with the id of the key that made it.
"""

import base64
import hashlib
import os
from dataclasses import dataclass
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

NONCE_BYTES = 12


class KeyringError(ValueError):
    """A keyring setting is malformed."""


@dataclass(frozen=True)
class Keyring:
    """Named 32-byte keys, the first one current."""

    keys: tuple[tuple[bytes, bytes], ...]

    @classmethod
    def parse(cls, text: str) -> "Keyring":
        keys: list[tuple[bytes, bytes]] = []
        for item in text.split(","):
            key_id, sep, encoded = item.strip().partition(":")
            if not sep or not key_id or len(key_id) > 8 or not key_id.isalnum():
                raise KeyringError("each key must be written as id:base64 (id up to 8 letters)")
            try:
                key = base64.b64decode(encoded, validate=True)
            except ValueError as exc:
                raise KeyringError(f"key {key_id} is not valid base64") from exc
            if len(key) != 32:
                raise KeyringError(f"key {key_id} must be 32 bytes, not {len(key)}")
            keys.append((key_id.encode(), key))
        if not keys:
            raise KeyringError("the keyring is empty")
        if len({key_id for key_id, _ in keys}) != len(keys):
            raise KeyringError("key ids must be unique")
        return cls(tuple(keys))

    @property
    def current_id(self) -> bytes:
        return self.keys[0][0]

    def get(self, key_id: bytes) -> bytes:
        for candidate_id, key in self.keys:
            if candidate_id == key_id:
                return key
        raise KeyringError(f"no key with id {key_id.decode(errors='replace')}")


def _split(blob: bytes) -> tuple[bytes, bytes]:
    key_id, sep, rest = blob.partition(b"$")
    if not sep:
        raise KeyringError("value carries no key id")
    return key_id, rest


class Cipher:
    """Encrypts short personal values; the associated data binds a value to its column."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._aeads = {key_id: AESGCM(key) for key_id, key in keyring.keys}

    def encrypt(self, plaintext: str, context: bytes) -> bytes:
        key_id = self.keyring.current_id
        nonce = os.urandom(NONCE_BYTES)
        return (
            key_id + b"$" + nonce + self._aeads[key_id].encrypt(nonce, plaintext.encode(), context)
        )

    def decrypt(self, blob: bytes, context: bytes) -> str:
        key_id, rest = _split(bytes(blob))
        aead = self._aeads.get(key_id)
        if aead is None:
            raise KeyringError(f"no key with id {key_id.decode(errors='replace')}")
        nonce, sealed = rest[:NONCE_BYTES], rest[NONCE_BYTES:]
        return aead.decrypt(nonce, sealed, context).decode()

    def is_current(self, blob: bytes) -> bool:
        return _split(bytes(blob))[0] == self.keyring.current_id


_B32 = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
# Each byte's low five bits as their base32 letter (the high three bits are zero).
_B32_LETTERS = bytes(_B32[i & 31] for i in range(256))


def _spreading_steps() -> tuple[tuple[int, int, int], ...]:
    """The (keep, move, shift) masks that spread 160 bits into 32 bytes of 5 bits: each
    step halves the chunks (160 → 80 → … → 5 bits), moving every chunk's upper half
    into the upper half of a slot twice as wide."""
    steps = []
    chunk, slot = 160, 256
    while chunk > 5:
        half = chunk // 2
        keep = move = 0
        for start in range(0, 256, slot):
            keep |= ((1 << half) - 1) << start
            move |= ((1 << chunk) - (1 << half)) << start
        steps.append((keep, move, slot // 2 - half))
        chunk, slot = half, slot // 2
    return tuple(steps)


_B32_STEPS = _spreading_steps()


def b32_20(digest: bytes) -> str:
    """base64.b32encode of 20 bytes (32 characters, no padding) with a few big-integer
    operations and one translate instead of a Python loop over its characters: an import
    computes this hundreds of thousands of times."""
    number = int.from_bytes(digest[:20], "big")
    for keep, move, shift in _B32_STEPS:
        number = (number & keep) | ((number & move) << shift)
    return number.to_bytes(32, "big").translate(_B32_LETTERS).decode()


class BlindIndex:
    """A keyed hash for exact lookups: equal inputs give equal values, nothing else leaks."""

    def __init__(self, keyring: Keyring) -> None:
        self.keyring = keyring
        self._prefixes = {key_id: key_id.decode() + "$" for key_id, _ in keyring.keys}
        # HMAC-SHA256 (RFC 2104) with each key's inner and outer hash started once: a
        # digest is then two SHA-256 continuations, half the cost of hmac.digest, which
        # starts both again for every value (an import hashes a few hundred thousand).
        self._pads: dict[bytes, tuple[Any, Any]] = {}
        for key_id, key in keyring.keys:
            block = key.ljust(64, b"\x00")
            self._pads[key_id] = (
                hashlib.sha256(bytes(b ^ 0x36 for b in block)),
                hashlib.sha256(bytes(b ^ 0x5C for b in block)),
            )

    def _digest(self, key_id: bytes, value: str, context: bytes) -> str:
        pads = self._pads.get(key_id)
        if pads is None:
            self.keyring.get(key_id)  # raises KeyringError naming the unknown key
            raise AssertionError("unreachable")
        inner, outer = pads[0].copy(), pads[1].copy()
        inner.update(context + b"\x00" + value.encode())
        outer.update(inner.digest())
        return self._prefixes[key_id] + b32_20(outer.digest())

    def compute(self, value: str, context: bytes) -> str:
        return self._digest(self.keyring.current_id, value, context)

    def candidates(self, value: str, context: bytes) -> list[str]:
        """The value's index under every key, so lookups work during a rotation."""
        return [self._digest(key_id, value, context) for key_id, _ in self.keyring.keys]
