"""Permission-matrix cases of the checkpoints app (format: tests/test_permission_matrix.py).

The app's pages and routes (the checkpoint device, the API, the office pages) are built by
several people, each declaring their cases in a `matrix_<part>.py` module beside this one;
this module gathers them all, so a new part's cases are found without editing a shared list.
"""

import importlib
import pkgutil
from pathlib import Path
from types import ModuleType

from wangge.accounts.tests.permission_matrix import Case, World


def _parts() -> list[ModuleType]:
    folder = str(Path(__file__).resolve().parent)
    return [
        importlib.import_module(f"{__package__}.{info.name}")
        for info in sorted(pkgutil.iter_modules([folder]), key=lambda info: info.name)
        if info.name.startswith("matrix_")
    ]


PARTS = _parts()
CASES: list[Case] = [case for part in PARTS for case in part.CASES]


def build(world: World) -> None:
    for part in PARTS:
        part_build = getattr(part, "build", None)
        if part_build is not None:
            part_build(world)
