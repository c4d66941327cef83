"""Files only their owner may read: secrets, demo passwords, staged imports and results.

A file made with `open()` or `Path.write_text()` gets the process's umask (usually 0644:
readable by every account on the machine), and a file that already exists keeps whatever
mode it had. These helpers create files 0600 in directories 0700, and bring an existing
file or directory back to those modes before anything is written into it.
"""

import os
from pathlib import Path

FILE_MODE = 0o600
DIRECTORY_MODE = 0o700


def private_directory(path: Path) -> Path:
    """The directory, created if missing, readable by its owner only."""
    path.mkdir(mode=DIRECTORY_MODE, parents=True, exist_ok=True)
    os.chmod(path, DIRECTORY_MODE)
    return path


def write_private(path: Path, data: bytes | str, *, exclusive: bool = False) -> None:
    """Write `data` to `path` (replacing it, or never an existing one with `exclusive`),
    the file 0600 and its directory 0700 whatever they were before."""
    private_directory(path.parent)
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    descriptor = os.open(path, flags, FILE_MODE)
    with os.fdopen(descriptor, "wb") as handle:
        # O_CREAT's mode only applies to a new file: an old one keeps its own.
        os.fchmod(handle.fileno(), FILE_MODE)
        handle.write(data.encode() if isinstance(data, str) else data)
