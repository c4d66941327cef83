import pytest


@pytest.fixture(autouse=True)
def import_dir(settings, tmp_path):
    """Checked workforce lists are kept (encrypted) here during a test, never under var/."""
    folder = tmp_path / "imports"
    settings.WANGGE_IMPORT_DIR = folder
    return folder
