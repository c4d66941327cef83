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
from wangge.accounts.devices import issue_device_token
from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.core.permissions import ROLE_PERMISSIONS, Role

# An expectation: a status, several acceptable statuses, or LOGIN (a 302 to the case's
# login page: what an anonymous visitor of a page gets).
LOGIN = "login"
Expect = int | tuple[int, ...] | str
Builder = Callable[["World"], dict[str, Any]]
WRITE_METHODS = ("POST", "PUT", "PATCH", "DELETE")

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
    Role.STATIONED_CADRE: "grid_a",
}


@dataclass(frozen=True)
class Sibling:
    """A write across areas: the actor of grid A names an object of its sibling grid B.

    The actor holds every permission, on grid A only (`World.sibling_user`); through the
    API it is a device issued for grid A to a user who holds every permission on the whole
    community (`World.sibling_token`), so the device's own area is what must stop it.
    `kwargs` / `data` replace the case's own (either may be left to the case's); the
    answer is `status` and, for a batch, every item refused with one of `item_codes`
    ("not found" in the batch's words). Nothing in
    the database may change (`database_state`).
    """

    kwargs: Builder | None = None
    data: Builder | None = None
    status: Expect = 404
    item_codes: tuple[str, ...] = ()
    # A JSON answer that is refused as a whole in another shape (a lookup finding nobody).
    answer: Callable[[Any], bool] | None = None


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
    sibling: Sibling | None = None
    unscoped_write: str = ""

    @property
    def is_write(self) -> bool:
        return self.method in WRITE_METHODS

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
    # Objects in grid B, the sibling of grid A, for the write cases (`Sibling`).
    sibling: dict[str, Any] = field(default_factory=dict)
    sibling_user: User | None = None
    sibling_token: str = ""


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
    world.sibling_user = grant(
        UserFactory(username="matrix_sibling"), Role.ADMINISTRATOR, tree["grid_a"]
    )
    community_admin = grant(
        UserFactory(username="matrix_sibling_device"), Role.ADMINISTRATOR, tree["community"]
    )
    world.sibling_token, _device = issue_device_token(
        community_admin, tree["grid_a"], "matrix sibling", acting_user=system
    )
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


# Writes across areas


def view_methods(view: Callable[..., Any]) -> frozenset[str]:
    """The methods a view declares with Django's require_http_methods (require_POST …),
    read from the decorator's closure through the wrappers; empty if it declares none."""
    while view is not None:
        for cell in getattr(view, "__closure__", None) or ():
            try:
                value = cell.cell_contents
            except ValueError:  # an empty cell
                continue
            if (
                isinstance(value, list | tuple)
                and value
                and all(isinstance(item, str) and item.isupper() for item in value)
            ):
                return frozenset(value)
        view = getattr(view, "__wrapped__", None)
    return frozenset()


def write_routes(cases: list[Case]) -> list[tuple[str, str]]:
    """Every (method, URL name) that writes: API routes by their method, pages whose view
    accepts POST, and every write a case declares."""
    routes: set[tuple[str, str]] = {
        (operation.method, operation.key)
        for operation in api_operations()
        if operation.method in WRITE_METHODS
    }
    for entry, callback in _url_callbacks():
        routes |= {(method, entry.key) for method in view_methods(callback) & set(WRITE_METHODS)}
    routes |= {(case.method, case.url) for case in cases if case.is_write and not case.is_glob}
    return sorted(routes)


def _url_callbacks() -> Iterator[tuple[UrlEntry, Callable[..., Any]]]:
    """Each URL entry with its view (the patterns in the order iter_url_entries walks them)."""
    resolver = get_resolver()
    return zip(iter_url_entries(resolver), _flat_patterns(resolver), strict=True)  # type: ignore[return-value]


def _flat_patterns(resolver: URLResolver) -> Iterator[Callable[..., Any]]:
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from _flat_patterns(pattern)
        else:
            yield pattern.callback


def missing_write_cases(routes: list[tuple[str, str]], cases: list[Case]) -> list[str]:
    """Write routes without a case that sends an actor across areas (or says why the write
    names nothing in an area)."""
    missing = []
    for method, key in routes:
        case = case_for(key, cases, method)
        if case is None or (case.sibling is None and not case.unscoped_write):
            missing.append(f"{method} {key}")
    return sorted(missing)


# What a refused write must leave as it was: every row of Wangge's tables, but the audit
# log (a refused batch is still recorded, with its counts) and the devices' last use.
_UNWATCHED = {"audit.auditentry", "audit.auditchainhead", "accounts.devicetoken"}


def database_state() -> dict[str, list[tuple[Any, ...]]]:
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if not model.__module__.startswith("wangge.") or label in _UNWATCHED:
            continue
        state[label] = list(model._default_manager.order_by("pk").values_list())
    return state


def _items_refused(response: HttpResponse, codes: tuple[str, ...]) -> str:
    """Why a batch answer is not every item refused as one of `codes` ("" when it is)."""
    try:
        results = json.loads(response.content)["results"]
    except (ValueError, KeyError):
        return "not a batch answer"
    wrong = [
        item for item in results if item["status"] != "rejected" or item["reason_code"] not in codes
    ]
    return f"items not refused as {codes}: {wrong}" if wrong or not results else ""


def run_sibling(case: Case, world: World, entries: list[UrlEntry]) -> list[str]:
    """Send the case's write as the sibling actor; the ways it was not refused as not found."""
    sibling = case.sibling
    assert sibling is not None  # noqa: S101
    failures: list[str] = []
    for entry in targets_of(case, [case], entries):
        builder = sibling.kwargs or case.kwargs
        url = _url(entry.route, entry.key, builder(world) if builder else {}, entry.params)
        body = sibling.data or case.data
        data = body(world) if body else {}
        client = Client()
        extra: dict[str, Any] = {}
        with transaction.atomic():
            if case.is_api:
                extra["HTTP_AUTHORIZATION"] = f"Bearer {world.sibling_token}"
            else:
                assert world.sibling_user is not None  # noqa: S101
                client.force_login(world.sibling_user)
            before = database_state()
            if case.is_api:
                response = client.generic(
                    case.method, url, json.dumps(data), content_type="application/json", **extra
                )
            else:
                response = client.post(url, data)
            after = database_state()
            transaction.set_rollback(True)
        where = f"{case.method} {url} ({entry.key}) across areas"
        if not _matches(response, sibling.status, case.sign_in_url()):
            got = f"{response.status_code} {response.headers.get('Location', '')}".strip()
            failures.append(f"{where}: expected {sibling.status}, got {got}")
        if sibling.item_codes:
            problem = _items_refused(response, sibling.item_codes)
            if problem:
                failures.append(f"{where}: {problem}")
        if sibling.answer is not None and not sibling.answer(json.loads(response.content)):
            failures.append(f"{where}: answered {response.content.decode()[:300]}")
        changed = sorted(label for label in before if before[label] != after[label])
        if changed:
            failures.append(f"{where}: changed {changed}")
    return failures
