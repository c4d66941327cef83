import pytest


@pytest.fixture(autouse=True)
def bulletin_files(settings, tmp_path):
    """Each test's bulletins are written under its own MEDIA_ROOT."""
    settings.MEDIA_ROOT = tmp_path
    return tmp_path / "bulletins"
