"""No page answers 5xx to a query string, whatever it holds.

Every route of the permission matrix (tests/test_permission_matrix.py) that is not an API
route (the API's inputs are Schemathesis's) is requested as a principal allowed to use it,
first plainly — while every name the view reads from a QueryDict is recorded — then with
odd values for each of those names and for a few names any page could be asked for: a
fixed list of nasty values (non-ASCII digits, out-of-range and impossible dates, huge and
negative numbers, NUL, very long values), the same names repeated, and Hypothesis-generated
values (derandomized, a fixed number per route). A view that reads no parameter, and the
admin's many look-alike pages, get the nasty values spread over their names in a few
requests instead. Run by URL namespace, so that xdist shares the work.
"""

import contextlib
import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from unittest import mock

import pytest
from django.db import transaction
from django.http import QueryDict
from django.test import Client
from django.utils.datastructures import MultiValueDict
from django.utils.http import urlencode
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wangge.accounts.tests.permission_matrix import (
    LOGIN,
    SUPERUSER,
    Case,
    World,
    _url,
    build_world,
    collect_cases,
    expected,
    iter_url_entries,
    targets_of,
)
from wangge.core.permissions import Role

# Names any page could be asked for, whether or not it reads them today.
COMMON_NAMES = ("page", "q", "area", "round", "status", "format", "from", "until", "day", "next")

NASTY = [
    "１２",  # full-width digits
    "٣",  # Arabic-Indic three
    "²",  # a digit that is no decimal one
    "0000-01-01",
    "9999-12-31",
    "9999-12-31T99",
    "2026-02-30",
    "1" + "0" * 30,
    str(2**63),
    "9" * 5000,
    "-1",
    "1e309",
    "nan",
    "\x00",
    "x" * 20_000,
    "",
    "<script>alert(1)</script>",
    "all",
]

odd_value = st.one_of(
    st.sampled_from(NASTY),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.text(st.characters(categories=("Nd", "No")), min_size=1, max_size=22),
    st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)).map(dt.date.isoformat),
    st.datetimes().map(dt.datetime.isoformat),
    st.text(max_size=60),
)
# A scalar, or the same name repeated.
odd_entry = st.one_of(odd_value, st.lists(odd_value, min_size=2, max_size=3))

EXAMPLES_PER_ROUTE = 4


def _web_cases() -> list[Case]:
    return [case for case in collect_cases() if not case.is_api]


def _allowed(case: Case) -> str:
    """The principal to fuzz a route as: one who gets its page (a 200) if anyone does."""
    candidates = [*Role.values, SUPERUSER]
    wants = {principal: expected(case, principal, False) for principal in candidates}

    def rank(principal: str) -> int:
        want = wants[principal]
        allowed = want if isinstance(want, tuple) else (want,)
        if 200 in allowed:
            return 0
        if want == LOGIN or 404 in allowed or 403 in allowed:
            return 2
        return 1

    return min(candidates, key=rank)


@contextmanager
def _recording(names: set[str]) -> Iterator[None]:
    """Record every key a view looks up in a QueryDict (request.GET, request.POST, copies)."""
    originals = {
        name: getattr(MultiValueDict, name)
        for name in ("get", "getlist", "__getitem__", "__contains__")
    }

    def recorder(name: str) -> Any:
        original = originals[name]

        def read(self: MultiValueDict, key: Any, *args: Any) -> Any:  # type: ignore[type-arg]
            if isinstance(self, QueryDict):
                names.add(str(key))
            return original(self, key, *args)

        return read

    with contextlib.ExitStack() as stack:
        for name in originals:
            stack.enter_context(mock.patch.object(MultiValueDict, name, recorder(name)))
        yield


class Route:
    """One URL of a case, the principal allowed on it, and how to request it."""

    def __init__(self, case: Case, world: World, url: str) -> None:
        self.case = case
        self.world = world
        self.url = url
        self.principal = _allowed(case)
        self.client = Client(raise_request_exception=False)
        self.client.force_login(world.users[self.principal])

    def send(self, query: dict[str, Any]) -> int:
        data = self.case.data(self.world) if self.case.data else {}
        with transaction.atomic():
            if self.case.method == "GET":
                response = self.client.get(self.url, {**data, **query})
            else:
                target = self.url
                if query:
                    target += "?" + _encode(query)
                response = self.client.generic(
                    self.case.method,
                    target,
                    _encode(data),
                    content_type="application/x-www-form-urlencoded",
                )
            transaction.set_rollback(True)
        return response.status_code


def _encode(query: dict[str, Any]) -> str:
    return urlencode(query, doseq=True)


def _routes(world: World) -> Iterator[Route]:
    cases = _web_cases()
    entries = list(iter_url_entries())
    for case in cases:
        for entry in targets_of(case, cases, entries):
            kwargs = case.kwargs(world) if case.kwargs else {}
            yield Route(case, world, _url(entry.route, entry.key, kwargs, entry.params))


def _fuzz(route: Route) -> list[str]:
    """The 5xx answers of one route: plain, with each nasty value, with generated ones."""
    failures: list[str] = []
    names: set[str] = set()
    with _recording(names):
        status = route.send({})
    if status >= 500:
        return [f"{route.case.method} {route.url} as {route.principal}: {status} without a query"]
    names = {name for name in names if name and name != "csrfmiddlewaretoken"}
    keys = sorted(names | set(COMMON_NAMES))

    def check(query: dict[str, Any]) -> None:
        status = route.send(query)
        if status >= 500:
            shown = {key: repr(value)[:60] for key, value in query.items()}
            failures.append(
                f"{route.case.method} {route.url} as {route.principal}: {status} for {shown}"
            )

    if not names or route.case.is_glob:
        # A view that reads no parameter, or one of the admin's many look-alike pages:
        # a few requests with the nasty values spread over the names, and empty ones.
        for shift in (0, 6, 12):
            check({key: NASTY[(index + shift) % len(NASTY)] for index, key in enumerate(keys)})
        check(dict.fromkeys(keys, ""))
        check({key: NASTY[:3] for key in keys})
        return failures
    for value in NASTY:
        check(dict.fromkeys(keys, value))
    check({key: NASTY[:3] for key in keys})

    @settings(
        max_examples=EXAMPLES_PER_ROUTE,
        derandomize=True,
        database=None,
        deadline=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(st.fixed_dictionaries({}, optional=dict.fromkeys(keys, odd_entry)))
    def generated(query: dict[str, Any]) -> None:
        check(query)

    generated()
    return failures


def _group(case: Case) -> str:
    return case.url.split(":")[0] if ":" in case.url else "site"


GROUPS = sorted({_group(case) for case in _web_cases()})


@pytest.mark.parametrize("group", GROUPS)
def test_no_page_answers_5xx_to_odd_query_parameters(group, tree, other_tree):
    world = build_world(tree, other_tree)
    routes = [route for route in _routes(world) if _group(route.case) == group]
    assert routes, f"no route in {group}"
    failures = [failure for route in routes for failure in _fuzz(route)]
    assert not failures, f"{len(failures)} answers were 5xx:\n" + "\n".join(failures[:200])


def test_the_walk_covers_every_web_route_of_the_matrix(tree, other_tree):
    world = build_world(tree, other_tree)
    assert len(list(_routes(world))) >= len(_web_cases())
