"""Screenshots of the workbench of every demo login, on a phone (390 px) and a PC (1366 px),
in Chinese, from a running demo: `make demo PORT=8014`, then

    .venv/bin/python scripts/workbench_screenshots.py http://127.0.0.1:8014 docs/screenshots/workbench

The logins and passwords are read from var/demo-logins.txt (the demo writes it).
"""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SCREENS = {"phone": {"width": 390, "height": 844}, "pc": {"width": 1366, "height": 768}}


def demo_logins() -> list[tuple[str, str]]:
    """(username, password) of each row of the printed table."""
    lines = (ROOT / "var/demo-logins.txt").read_text(encoding="utf-8").splitlines()
    return [(line.split()[0], line.split()[-1]) for line in lines[2:] if line.strip()]


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        for username, password in demo_logins():
            for screen, viewport in SCREENS.items():
                context = browser.new_context(viewport=viewport, locale="zh-CN")
                page = context.new_page()
                page.goto(f"{base}/accounts/login/")
                page.fill("input[name=username]", username)
                page.fill("input[name=password]", password)
                page.click("button[type=submit]")
                page.wait_for_url(f"{base}/")
                page.screenshot(path=str(out / f"{username}-{screen}.png"), full_page=True)
                if screen == "phone" and username.endswith("gridmember"):
                    page.click(".menu-toggle")
                    page.screenshot(path=str(out / f"{username}-{screen}-menu.png"))
                context.close()
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
