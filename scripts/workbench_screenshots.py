"""Screenshots of the workbench of every demo login, on a phone (390 px) and a PC (1366 px),
in Chinese, from a running demo: `make demo PORT=8014`, then

    .venv/bin/python scripts/workbench_screenshots.py http://127.0.0.1:8014 docs/screenshots/workbench

The logins and passwords are read from var/demo-logins.txt (the demo writes it).
"""

import sys
from pathlib import Path

from demo_browser import PHONE, chromium, demo_logins, signed_in_page

SCREENS = {"phone": PHONE, "pc": {"width": 1366, "height": 768}}


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with chromium() as browser:
        for username, password in demo_logins():
            for screen, viewport in SCREENS.items():
                page = signed_in_page(browser, base, username, password, viewport)
                page.screenshot(path=str(out / f"{username}-{screen}.png"), full_page=True)
                if screen == "phone" and username.endswith("gridmember"):
                    page.click(".menu-toggle")
                    page.screenshot(path=str(out / f"{username}-{screen}-menu.png"))
                page.context.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
