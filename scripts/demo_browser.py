"""What the screenshot scripts share: the demo logins (var/demo-logins.txt, which the demo
writes), Debian's Chromium through Playwright (tests/browser.py) and signing in."""

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.browser import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

PHONE = {"width": 390, "height": 844}


def demo_logins() -> list[tuple[str, str]]:
    """(username, password) of each row of the printed table."""
    lines = (ROOT / "var/demo-logins.txt").read_text(encoding="utf-8").splitlines()
    return [(line.split()[0], line.split()[-1]) for line in lines[2:] if line.strip()]


@contextmanager
def chromium() -> Iterator[Any]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def signed_in_page(browser: Any, base: str, username: str, password: str, viewport: dict) -> Any:
    """A page of a new Chinese browser context, signed in and on the workbench home."""
    context = browser.new_context(viewport=viewport, locale="zh-CN")
    page = context.new_page()
    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/")
    return page
