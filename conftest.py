"""Shared fixtures. The named people: alice runs the community, bob is a grid member of
grid A only, charlie works in another district and must see nothing of alice's."""

import datetime as dt

import pytest
from hypothesis import settings
from pytest_django.plugin import blocking_manager_key

from tests.browser import launched_chromium
from tests.factories import UserFactory, grant, make_tree
from wangge.core import defaults
from wangge.core.permissions import Role
from wangge.events.tests.fixtures import FakeClock

# Timings are never asserted: a property test must not fail because a loaded machine ran
# one example slowly (Hypothesis's default 200 ms deadline per example).
settings.register_profile("wangge", deadline=None)
settings.load_profile("wangge")


@pytest.fixture
def tree(db):
    return make_tree()


@pytest.fixture
def other_tree(db):
    return make_tree(prefix="外", district_code="620981")


@pytest.fixture
def alice(tree):
    return grant(UserFactory(username="alice"), Role.COMMUNITY_STAFF, tree["community"])


@pytest.fixture
def bob(tree):
    return grant(UserFactory(username="bob"), Role.GRID_MEMBER, tree["grid_a"])


@pytest.fixture
def charlie(other_tree):
    return grant(UserFactory(username="charlie"), Role.COMMUNITY_STAFF, other_tree["community"])


@pytest.fixture
def admin_user(tree):
    return UserFactory(username="admin", is_superuser=True, is_staff=True)


@pytest.fixture
def clock(monkeypatch):
    """A fake clock: everything that asks `django.utils.timezone.now` (the worker, the
    actions, the task queue) reads it, and it moves only when the test moves it."""
    fake = FakeClock(dt.datetime(2026, 3, 1, 8, 0, 30, tzinfo=dt.UTC))
    monkeypatch.setattr("django.utils.timezone.now", fake)
    return fake


@pytest.fixture
def browser(monkeypatch):
    """Debian's Chromium, headless, driven by Playwright (tests marked `browser`)."""
    yield from launched_chromium(monkeypatch)


def _empties_the_database(item: pytest.Item) -> bool:
    marker = item.get_closest_marker("django_db")
    fixtures = getattr(item, "fixturenames", ())
    return bool(marker and marker.kwargs.get("transaction")) or bool(
        {"transactional_db", "live_server"} & set(fixtures)
    )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None):
    """A transactional test (a browser test's live server) ends by flushing every table,
    the rows the data migrations wrote included: put the installation's default rows back
    for the tests that run after it in this process."""
    yield
    # After the last test the test database is gone (session teardown): nothing to refill.
    if nextitem is not None and _empties_the_database(item):
        with item.config.stash[blocking_manager_key].unblock():
            defaults.install_all()


# The fixtures through which a test may reach the database (pytest-django blocks every
# other test's queries): a test with none of them and no `django_db` mark runs no SQL.
_DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
    "live_server",
}


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="Deselect the tests that cannot reach the database (the PostgreSQL pass: "
        "they ran in the SQLite pass and run no SQL).",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not config.getoption("--database-tests-only"):
        return
    kept, dropped = [], []
    for item in items:
        fixtures = set(getattr(item, "fixturenames", ()))
        reaches = item.get_closest_marker("django_db") or fixtures & _DATABASE_FIXTURES
        (kept if reaches else dropped).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept
