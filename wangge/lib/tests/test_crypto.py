import base64
import hashlib
import hmac
import os

import pytest
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st

from wangge.lib.crypto import BlindIndex, Cipher, Keyring, KeyringError, b32_20


def _ring(*ids):
    return Keyring.parse(",".join(f"{i}:{base64.b64encode(os.urandom(32)).decode()}" for i in ids))


def test_encrypt_round_trips_and_hides_the_value():
    cipher = Cipher(_ring("a"))
    blob = cipher.encrypt("62010319800517123X", b"id_number")
    assert b"62010319800517123X" not in blob
    assert cipher.decrypt(blob, b"id_number") == "62010319800517123X"


def test_ciphertext_is_bound_to_its_column():
    cipher = Cipher(_ring("a"))
    blob = cipher.encrypt("13900000000", b"phone")
    with pytest.raises(InvalidTag):
        cipher.decrypt(blob, b"id_number")


def test_old_keys_still_decrypt_after_a_new_key_is_added():
    old = _ring("a")
    blob = Cipher(old).encrypt("x", b"c")
    text = ",".join(
        f"{k.decode()}:{base64.b64encode(v).decode()}"
        for k, v in ((b"b", os.urandom(32)), *old.keys)
    )
    rotated = Cipher(Keyring.parse(text))
    assert rotated.decrypt(blob, b"c") == "x"
    assert not rotated.is_current(blob)


def test_blind_index_is_stable_and_keyed():
    one, two = BlindIndex(_ring("a")), BlindIndex(_ring("a"))
    assert one.compute("v", b"c") == one.compute("v", b"c")
    assert one.compute("v", b"c") != two.compute("v", b"c")


@pytest.mark.parametrize(
    "text", ["", "a", "a:notbase64!", "a:" + base64.b64encode(b"short").decode()]
)
def test_malformed_keyrings_are_refused(text):
    with pytest.raises(KeyringError):
        Keyring.parse(text)


@given(st.binary(min_size=20, max_size=40))
def test_the_fast_base32_is_base32(digest):
    assert b32_20(digest) == base64.b32encode(digest[:20]).decode().rstrip("=")


def test_the_blind_index_is_the_hmac_it_always_was():
    keyring = Keyring.parse("k1:" + base64.b64encode(bytes(range(32))).decode())
    value = hmac.new(bytes(range(32)), b"id_number\x00RC:620103199001011234", hashlib.sha256)
    expected = "k1$" + base64.b32encode(value.digest()[:20]).decode().rstrip("=")
    assert BlindIndex(keyring).compute("RC:620103199001011234", b"id_number") == expected
