"""docs/screenshots/control/: the checkpoint device on a phone (390 px) and a PC, in Chinese —
its setup, online, and offline with three vehicles queued and an alert shown.

The pictures are taken by the browser test that takes a checkpoint through an outage
(wangge/checkpoints/tests/test_device_browser.py), which builds its own officer, checkpoints
and people, so they need no demo server:

    .venv/bin/python scripts/control_screenshots_checkpoint_device.py
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "docs/screenshots/control"


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "wangge.settings_test",
        "CHECKPOINT_SCREENSHOTS": str(OUT),
    }
    test = "wangge/checkpoints/tests/test_device_browser.py"
    command = [str(ROOT / ".venv/bin/pytest"), "-q", "-p", "no:randomly", test]
    return subprocess.run(command, cwd=ROOT, env=env, check=False).returncode  # noqa: S603


if __name__ == "__main__":
    sys.exit(main())
