"""Rows an installation starts with (the default duties, the incidents' clock policies).

Their data migrations write them through the installer each app registers here in its
AppConfig.ready(), so the rows are said once. A test that empties the database (a browser
test's flush) puts them back through the same installers (conftest.py).
"""

from collections.abc import Callable

Installer = Callable[[], None]

_installers: dict[str, Installer] = {}


def register(name: str, installer: Installer) -> None:
    """`installer()` writes the app's default rows if missing (idempotent)."""
    _installers[name] = installer


def install_all() -> None:
    for _name, installer in sorted(_installers.items()):
        installer()
