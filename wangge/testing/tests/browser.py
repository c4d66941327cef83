"""Debian's Chromium driven by Playwright, for the browser tests (the `browser` fixture is
in conftest.py)."""

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
