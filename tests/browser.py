"""Debian's Chromium through Playwright, for the browser tests (the `browser` fixture of
conftest.py)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.db import connections

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # A synthetic camera, so that the camera scanner (html5-qrcode) runs under the CSP.
    "--use-fake-device-for-media-stream",
    "--use-fake-ui-for-media-stream",
]
PASSWORD = "correct horse battery"  # tests.factories.UserFactory
WAIT_MS = 20_000


def launched_chromium(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    # Playwright's sync API keeps an event loop on this thread; the test's own ORM calls
    # run between its steps, never inside the loop, so Django's guard can stand down.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (make test does)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield launched
        launched.close()
        # Close what the test opened while Playwright's loop ran (Django's connections are
        # local to it): left open, PostgreSQL refuses to drop the test database at the end.
        connections.close_all()
