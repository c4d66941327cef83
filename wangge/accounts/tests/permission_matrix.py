"""The permission matrix's machinery: cases, the world they run in, and the URL walk.

The format of a case is documented at the top of tests/test_permission_matrix.py; this
module holds the implementation that the test and the apps' `tests/matrix.py` modules
import (`from wangge.accounts.tests.permission_matrix import Case, World, LOGIN`).
"""

from __future__ import annotations

import fnmatch
import importlib
import json
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.urls import URLResolver, get_resolver, reverse

from tests.factories import UserFactory, grant
from wangge.accounts.audit import Actor
from wangge.accounts.devices import issue_device_token
from wangge.accounts.models import User
from wangge.accounts.roles import ROLE_PERMISSIONS, Role
from wangge.areas.models import Area

# An expectation: a status, several acceptable statuses, or LOGIN (a 302 to the case's
# login page: what an anonymous visitor of a page gets).
LOGIN = "login"
Expect = int | tuple[int, ...] | str
Builder = Callable[["World"], dict[str, Any]]

ANONYMOUS = "anonymous"
NOBODY = "nobody"  # signed in, holding no role anywhere
SUPERUSER = "superuser"
PRINCIPALS: list[str] = [ANONYMOUS, NOBODY, *Role.values, SUPERUSER]

# Where each role's matrix user holds the role: the level people with that role work at.
# Every one of these areas contains world.tree["grid_a"], so an object in grid_a is in
# every role's scope and only the permission decides.
ROLE_HOME: dict[str, str] = {
    Role.ADMINISTRATOR: "district",
    Role.COMMAND_CENTRE: "district",
    Role.STREET_STAFF: "street",
    Role.COMMUNITY_STAFF: "community",
    Role.GRID_LEADER: "grid_a",
    Role.GRID_MEMBER: "grid_a",
    Role.SAMPLER: "grid_a",
    Role.CHECKPOINT_OFFICER: "street",
    Role.LAB_LIAISON: "district",
    Role.VOLUNTEER: "grid_a",
}


@dataclass(frozen=True)
class Case:
    """How one URL answers each principal (see tests/test_permission_matrix.py)."""

    url: str
    perm: str | None = None
    method: str = "GET"
    kwargs: Builder | None = None
    foreign: Builder | None = None
    data: Builder | None = None
    ok: Expect = 200
    denied: Expect = 404
    public: bool = False
    expect: Mapping[str, Expect] = field(default_factory=dict)
    api_auth: str = "device"
    login_url: str = ""

    @property
    def is_api(self) -> bool:
        return self.url.startswith(f"{api_namespace()}:") and self.url not in _API_PAGES

    @property
    def is_glob(self) -> bool:
        return any(char in self.url for char in "*?[")

    @property
    def label(self) -> str:
        return f"{self.method} {self.url}"

    def sign_in_url(self) -> str:
        return self.login_url or reverse(settings.LOGIN_URL)


@dataclass
class World:
    """The fixtures every case runs against, built fresh for each case.

    `tree` is the scope of every role user (objects in its grid_a are in scope for all);
    `other` is another district nobody but the superuser may see. Apps add their objects
    to `mine` (in tree) and `foreign` (in other), and strings that name foreign objects to
    `foreign_markers`: no page shown to anyone but the superuser may contain them.
    """

    tree: dict[str, Area]
    other: dict[str, Area]
    users: dict[str, User] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    mine: dict[str, Any] = field(default_factory=dict)
    foreign: dict[str, Any] = field(default_factory=dict)
    foreign_markers: list[str] = field(default_factory=list)


# Collection of the apps' cases


def matrix_modules() -> list[Any]:
    """`wangge.<app>.tests.matrix` of every installed Wangge app that has one."""
    modules = []
    for config in apps.get_app_configs():
        if not config.name.startswith("wangge."):
            continue
        name = f"{config.name}.tests.matrix"
        try:
            modules.append(importlib.import_module(name))
        except ModuleNotFoundError as exc:
            if exc.name not in (name, f"{config.name}.tests"):
                raise
    return modules


def collect_cases() -> list[Case]:
    cases: list[Case] = []
    for module in matrix_modules():
        cases.extend(module.CASES)
    return cases


def build_world(tree: dict[str, Area], other: dict[str, Area]) -> World:
    world = World(tree=tree, other=other)
    for role in Role.values:
        world.users[role] = grant(
            UserFactory(username=f"matrix_{role}"), role, tree[ROLE_HOME[role]]
        )
    world.users[NOBODY] = UserFactory(username="matrix_nobody")
    world.users[SUPERUSER] = UserFactory(
        username="matrix_superuser", is_superuser=True, is_staff=True
    )
    system = Actor(user=None, label="matrix")
    for principal, user in world.users.items():
        world.tokens[principal], _device = issue_device_token(
            user, tree["grid_a"], f"matrix {principal}", acting_user=system
        )
    world.foreign_markers.extend(area.name for area in other.values())
    for module in matrix_modules():
        build = getattr(module, "build", None)
        if build is not None:
            build(world)
    return world


# The URL configuration and the API, walked


@dataclass(frozen=True)
class UrlEntry:
    """One URL pattern: its key ("namespace:name", or "namespace:[route]" if unnamed)."""

    key: str
    route: str
    params: tuple[str, ...]


def iter_url_entries(
    resolver: URLResolver | None = None, namespace: str = "", prefix: str = ""
) -> Iterator[UrlEntry]:
    """Every URL pattern of the URL configuration, recursing into includes."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = pattern.namespace
            joined = f"{namespace}:{inner}" if namespace and inner else (inner or namespace)
            yield from iter_url_entries(pattern, joined, route)
        else:
            name = pattern.name or f"[{route}]"
            key = f"{namespace}:{name}" if namespace else name
            yield UrlEntry(key, route, _route_params(route))


def _route_params(route: str) -> tuple[str, ...]:
    names = re.findall(r"<(?:\w+:)?(\w+)>", route) + re.findall(r"\(\?P<(\w+)>", route)
    return tuple(names)


def api_namespace() -> str:
    from wangge.api import api

    return str(api.urls_namespace)


_API_PAGES = {"api-v1:openapi-json", "api-v1:openapi-view", "api-v1:api-root"}


@dataclass(frozen=True)
class ApiOperation:
    key: str
    method: str
    route: str


def api_operations(api: Any = None) -> list[ApiOperation]:
    """Every (URL name, method) of a NinjaAPI's routes, named as ninja names their URL
    patterns (the operation's url_name, else its function's name, with the mount's prefix).

    Ninja has no public listing of its mounted operations; this reads its bound routers.
    test_api_walk_matches_the_url_configuration checks that it still sees what the URL
    configuration sees, so a change inside ninja cannot hide a route from the matrix.
    """
    if api is None:
        from wangge.api import api as project_api

        api = project_api
    operations = []
    for bound in api._get_bound_routers():
        for path, path_view in bound.path_operations.items():
            for operation in path_view.operations:
                url_name = getattr(operation, "url_name", "") or ""
                if not url_name:
                    url_name = api.get_operation_url_name(operation, router=bound.template)
                    if bound.url_name_prefix and url_name:
                        url_name = f"{bound.url_name_prefix}_{url_name}"
                route = "/".join(
                    part.strip("/") for part in (bound.prefix, path) if part.strip("/")
                )
                for method in operation.methods:
                    operations.append(
                        ApiOperation(f"{api.urls_namespace}:{url_name}", method.upper(), route)
                    )
    return operations


def case_for(key: str, cases: list[Case], method: str | None = None) -> Case | None:
    """The case that declares `key` (an exact name before a glob)."""
    fitting = [case for case in cases if method is None or case.method == method]
    for case in fitting:
        if case.url == key:
            return case
    for case in fitting:
        if case.is_glob and fnmatch.fnmatchcase(key, case.url):
            return case
    return None


def missing_url_cases(entries: list[UrlEntry], cases: list[Case]) -> list[str]:
    return sorted({entry.key for entry in entries if case_for(entry.key, cases) is None})


def missing_api_cases(operations: list[ApiOperation], cases: list[Case]) -> list[str]:
    return sorted(
        {
            f"{operation.method} {operation.key} (/{operation.route})"
            for operation in operations
            if case_for(operation.key, cases, operation.method) is None
        }
    )


def unsound_cases(cases: list[Case]) -> list[str]:
    """Declarations that contradict the rules, whatever the views answer."""
    problems = []
    for case in cases:
        names_object = case.kwargs is not None and not case.is_glob
        if names_object and case.denied == 403 and not case.public:
            problems.append(
                f"{case.label}: names an object, so those who may not see it get 404, not 403"
            )
        if case.foreign is not None and case.kwargs is None:
            problems.append(f"{case.label}: a foreign object needs an in-scope one too")
        if names_object and case.foreign is None and not case.public and case.perm is not None:
            problems.append(
                f"{case.label}: names an object but declares no foreign one (out of scope)"
            )
    return problems


# Running a case


def _url(entry_route: str, name: str, kwargs: dict[str, Any], params: tuple[str, ...]) -> str:
    used = {key: value for key, value in kwargs.items() if key in params}
    if not name.endswith("]"):
        return reverse(name, kwargs=used)
    # An unnamed pattern: fill its route in by hand.
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(used[m.group(1)]), entry_route)
    path = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(used[m.group(1)]), path)
    return "/" + path.replace("^", "").replace("$", "")


def expected(case: Case, principal: str, foreign: bool) -> Expect:
    if principal == ANONYMOUS:
        if ANONYMOUS in case.expect:
            return case.expect[ANONYMOUS]
        if case.public:
            return case.ok
        return 401 if case.is_api else LOGIN
    if foreign:
        if principal == SUPERUSER and not (case.is_api and case.api_auth == "device"):
            return case.expect.get(SUPERUSER, case.ok)
        return 404
    if principal in case.expect:
        return case.expect[principal]
    if principal == SUPERUSER or case.perm is None:
        return case.ok
    if principal == NOBODY:
        return case.denied
    return case.ok if case.perm in ROLE_PERMISSIONS[principal] else case.denied


def _matches(response: HttpResponse, expectation: Expect, sign_in: str) -> bool:
    location = str(response.headers.get("Location", ""))
    if expectation == LOGIN:
        return response.status_code == 302 and location.startswith(sign_in)
    allowed = expectation if isinstance(expectation, tuple) else (expectation,)
    if response.status_code not in allowed:
        return False
    # A redirect that was meant as success must not be a bounce to the sign-in page.
    return not (response.status_code == 302 and location.startswith(sign_in))


def _send(case: Case, world: World, principal: str, url: str, data: dict[str, Any]) -> HttpResponse:
    client = Client()
    extra: dict[str, Any] = {}
    if principal != ANONYMOUS:
        if case.is_api and case.api_auth == "device":
            extra["HTTP_AUTHORIZATION"] = f"Bearer {world.tokens[principal]}"
        else:
            client.force_login(world.users[principal])
    if case.method == "GET":
        return client.get(url, data, **extra)
    if case.is_api:
        return client.generic(
            case.method, url, json.dumps(data), content_type="application/json", **extra
        )
    if case.method == "POST":
        return client.post(url, data, **extra)
    return client.generic(case.method, url, **extra)


def _body(response: HttpResponse) -> str:
    if getattr(response, "streaming", False):
        return ""
    return response.content.decode(errors="replace")


def targets_of(case: Case, cases: list[Case], entries: list[UrlEntry]) -> list[UrlEntry]:
    """The URL patterns a case exercises: its own, or for a glob those it matches that have
    no exact case (of any method) and no earlier glob."""
    if not case.is_glob:
        return [entry for entry in entries if entry.key == case.url]
    exact = {other.url for other in cases if not other.is_glob}
    return [
        entry
        for entry in entries
        if entry.key not in exact and case_for(entry.key, cases, case.method) is case
    ]


def run_case(
    case: Case, world: World, entries: list[UrlEntry], cases: list[Case] | None = None
) -> list[str]:
    """Request the case's URL(s) as every principal, in and out of scope; the mismatches."""
    targets = targets_of(case, cases or [case], entries)
    if not targets:
        return [f"{case.label}: no URL pattern has this name"]
    failures: list[str] = []
    for entry in targets:
        for foreign in (False, True) if case.foreign else (False,):
            builder = case.foreign if foreign else case.kwargs
            kwargs = builder(world) if builder else {}
            url = _url(entry.route, entry.key, kwargs, entry.params)
            for principal in PRINCIPALS:
                if foreign and principal == ANONYMOUS:
                    continue
                data = case.data(world) if case.data else {}
                with transaction.atomic():
                    response = _send(case, world, principal, url, data)
                    transaction.set_rollback(True)
                want = expected(case, principal, foreign)
                where = "out of scope" if foreign else "in scope"
                if not _matches(response, want, case.sign_in_url()):
                    got = f"{response.status_code} {response.headers.get('Location', '')}".strip()
                    failures.append(
                        f"{case.method} {url} ({entry.key}) as {principal}, {where}: "
                        f"expected {want}, got {got}"
                    )
                    continue
                if principal != SUPERUSER:
                    body = _body(response)
                    leaked = [marker for marker in world.foreign_markers if marker in body]
                    if leaked:
                        failures.append(
                            f"{case.method} {url} as {principal}, {where}: shows objects out of "
                            f"scope: {leaked}"
                        )
    return failures
