from pathlib import Path

import pytest
from django.db import connections

from tests.factories import make_resident
from wangge.testing.tests.browser import CHROMIUM, CHROMIUM_ARGS
from wangge.testing.tests.factories import make_round

PHONE = "13912345678"  # the phone of `person`


@pytest.fixture
def grid_round(tree):
    """An open round over the community of grid A and grid B."""
    return make_round(tree["community"])


@pytest.fixture
def person(tree):
    """A resident of grid A with a phone, to follow up and call."""
    return make_resident(tree["grid_a"], "王五", room="301", phone=PHONE)


@pytest.fixture
def browser(monkeypatch):
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
