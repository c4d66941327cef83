"""Files holding secrets, demo passwords and staged imports are their owner's alone:
0600 in a 0700 directory, also when the file or directory was there before with wider
modes (a restored backup, a copy made by hand, an older version of Wangge)."""

import json
import os
import stat
from pathlib import Path

import pytest
from django.test import override_settings

from wangge.demo.logins import DemoLogin, write_table
from wangge.lib import secrets as local_secrets
from wangge.lib.private_files import write_private
from wangge.residents import importing
from wangge.testing import lab_import
from wangge.testing.lab_import import LabFile, LabRow


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def _usual_umask():
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _loose(path: Path, text: str = "old") -> Path:
    """A file left readable by everyone in a directory open to everyone."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.parent.chmod(0o755)
    path.write_text(text)
    path.chmod(0o644)
    return path


def test_a_new_private_file_is_0600_in_a_0700_directory(tmp_path):
    path = tmp_path / "keys" / "token.txt"
    write_private(path, "s3cret")
    assert path.read_text() == "s3cret"
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


def test_an_existing_world_readable_file_is_narrowed_when_rewritten(tmp_path):
    path = _loose(tmp_path / "var" / "token.txt")
    write_private(path, b"new")
    assert path.read_bytes() == b"new"
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


def test_exclusive_write_never_replaces_a_file(tmp_path):
    path = _loose(tmp_path / "token.txt")
    with pytest.raises(FileExistsError):
        write_private(path, "new", exclusive=True)
    assert path.read_text() == "old"


def test_demo_secrets_copied_in_with_wider_modes_are_narrowed(tmp_path):
    path = _loose(tmp_path / "var" / "secrets.json", json.dumps({"SECRET_KEY": "x"}))
    assert local_secrets.load_or_create(path) == {"SECRET_KEY": "x"}
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


def test_new_demo_secrets_are_private(tmp_path):
    path = tmp_path / "var" / "secrets.json"
    local_secrets.load_or_create(path)
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


def test_the_demo_logins_file_is_private_even_if_it_was_not(tmp_path):
    path = _loose(tmp_path / "var" / "demo-logins.txt")
    write_table([DemoLogin("qlh_admin", "Administrator", "七里河区", "Wangge-x-2022-01")], path)
    assert "Wangge-x-2022-01" in path.read_text()
    assert _mode(path) == 0o600
    assert _mode(path.parent) == 0o700


def test_a_staged_lab_file_is_private(tmp_path):
    with override_settings(WANGGE_IMPORT_DIR=tmp_path / "imports"):
        token = lab_import.save_pending(LabFile("lab.csv", [LabRow(2, "T1", "阳性")]), 1)
        path = tmp_path / "imports" / "lab" / f"{token}.data"
        assert _mode(path) == 0o600
        assert _mode(path.parent) == 0o700


def test_a_staged_register_is_private_even_in_an_open_folder(tmp_path):
    folder = tmp_path / "imports"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    with override_settings(WANGGE_IMPORT_DIR=folder):
        importing.store_source("0123456789abcdef0123456789abcdef", b"name,id\n")
    staged = list(folder.iterdir())
    assert staged
    assert all(_mode(path) == 0o600 for path in staged)
    assert _mode(folder) == 0o700
