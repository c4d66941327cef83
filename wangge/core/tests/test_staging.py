"""The one staging helper for uploads (wangge/core/staging.py): private, encrypted, for
their uploader only, and gone when expired or discarded."""

import os
import time

import pytest

from wangge.core.staging import StagedUploadGone, Staging


@pytest.fixture
def staging(settings, tmp_path):
    settings.WANGGE_IMPORT_DIR = tmp_path / "imports"
    return Staging(purpose="probe", folder="probe", max_age_seconds=60)


def test_a_kept_payload_comes_back_to_its_uploader_only(staging):
    token = staging.keep({"rows": ["张伟"]}, owner=7)
    assert staging.fetch(token, owner=7) == {"rows": ["张伟"]}
    assert staging.fetch(token, owner=8) is None


def test_a_staged_file_is_encrypted_and_bound_to_its_token_and_kind(staging, settings):
    token = staging.keep({"rows": ["张伟"]}, owner=7)
    stored = settings.WANGGE_IMPORT_DIR / "probe" / f"{token}.data"
    assert "张伟".encode() not in stored.read_bytes()
    other = staging.new_token()
    os.rename(stored, stored.with_name(f"{other}.data"))
    assert staging.fetch(other, owner=7) is None
    twin = Staging(purpose="other", folder="probe")
    assert twin.fetch(other, owner=7) is None


def test_an_old_upload_expires_and_is_purged_by_the_next(staging, settings):
    token = staging.keep({"n": 1}, owner=7)
    stored = settings.WANGGE_IMPORT_DIR / "probe" / f"{token}.data"
    old = time.time() - 120
    os.utime(stored, (old, old))
    assert staging.fetch(token, owner=7) is None
    staging.keep({"n": 2}, owner=7)
    assert not stored.exists()


def test_a_discarded_or_malformed_token_reads_as_gone(staging):
    token = staging.new_token()
    staging.write(token, b"x", part="src")
    staging.delete(token, parts=("src",))
    with pytest.raises(StagedUploadGone):
        staging.read(token, part="src")
    with pytest.raises(StagedUploadGone):
        staging.read("../../etc/passwd")
    with pytest.raises(ValueError, match="not a staging token"):
        staging.write("../x", b"x")


def test_a_part_is_replaced_only_when_asked(staging):
    token = staging.new_token()
    staging.write(token, b"first", part="plan")
    with pytest.raises(FileExistsError):
        staging.write(token, b"second", part="plan")
    staging.write(token, b"second", part="plan", replace=True)
    assert staging.read(token, part="plan") == b"second"
