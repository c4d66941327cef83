"""The permission matrix: every URL pattern and API route, as every role, in and out of scope.

WHAT IT CHECKS
    Every URL pattern of the URL configuration (django.urls.get_resolver, includes
    followed) and every route of the NinjaAPI in wangge/api.py (each method) is requested
    as every principal: anonymous, "nobody" (signed in, no role), each Role held on its
    usual level above grid A of the `tree` fixture (wangge/accounts/tests/
    permission_matrix.py, ROLE_HOME), and a superuser; with an object in scope and with
    the same kind of object in the `other_tree` district. The rules:
      - out of scope is 404 — never 200, never a 403 that would confirm the object exists;
      - anonymous visitors are sent to the sign-in page (pages) or get 401 (API);
      - a 403 is only for a page that names no object, to someone who holds its
        permission nowhere;
      - no response to anyone but the superuser contains a string naming an object of the
        other district (World.foreign_markers);
      - a URL pattern or API route without a declared case FAILS the test, so a new view
        cannot escape the matrix.

WRITES ACROSS AREAS
    Reads out of scope are the other district; writes are tried closer: an actor of grid A
    names an object of grid B, its sibling in the same community (test_write_across_areas).
    On the web the actor holds every permission on grid A only; through the API it is a
    device issued for grid A to someone who holds every permission on the whole community,
    so the device's own area is what must stop it. The write must be refused as not found
    (404; a form offering only what is in scope comes back; every item of a batch refused
    "not found") and leave every row of Wangge's tables as it was (the audit log aside).
    Every write route — each API route with POST/PUT/PATCH/DELETE, each page whose view
    accepts POST, each POST case — needs a case with `sibling` (or `unscoped_write`, saying
    why it names nothing in an area): test_every_write_route_has_a_case_across_areas fails
    otherwise.

WHERE CASES LIVE
    Each app declares its own in `wangge/<app>/tests/matrix.py`:

        from wangge.core.permissions import Perm
        from wangge.accounts.tests.permission_matrix import LOGIN, Case, World

        def build(world: World) -> None:          # optional: the app's fixtures
            world.mine["round"] = make_round(world.tree["grid_a"])     # in scope
            world.foreign["round"] = make_round(world.other["grid_a"])  # out of scope
            world.foreign_markers.append(world.foreign["round"].name)

        CASES = [Case("testing:round", perm=Perm.VIEW_TESTING,
                      kwargs=lambda w: {"pk": w.mine["round"].pk},
                      foreign=lambda w: {"pk": w.foreign["round"].pk})]

    The modules are found through the app registry; an app without one contributes no
    cases (and the coverage test then names its URLs).

THE CASE FORMAT (wangge.accounts.tests.permission_matrix.Case)
    url        the URL name, "namespace:name" ("residents:detail"); an API route is
               "api-v1:<url name>" (ninja names it after the operation's function unless
               url_name= is given); an unnamed pattern is "namespace:[route]"; a glob
               ("admin:*") covers every pattern it matches that has no exact case.
    method     "GET" (default), "POST", … One case per method you want exercised; for an
               API route, one per method it accepts (each is required).
    perm       the Perm the view needs on the object (or anywhere, for a page without
               one). A role holding it expects `ok`, a role without it (and "nobody")
               expects `denied`. None: any signed-in user expects `ok`.
    kwargs     World -> URL kwargs naming an object IN scope: in world.tree["grid_a"] or
               below (every role's matrix user holds its role on an area containing it).
    foreign    World -> URL kwargs naming the same kind of object in world.other. Every
               signed-in principal but the superuser must get 404 (required whenever
               `kwargs` and `perm` are given).
    data       World -> POST body (form fields; JSON for the API) or GET query.
    ok         the status for those allowed: 200 (default), 302 for a POST that
               redirects (a 302 to the sign-in page never counts as success), a tuple of
               acceptable statuses, or LOGIN.
    denied     the status for those not allowed: 404 (default: a URL naming an object
               must answer 404), or 403 for a page that names no object.
    public     anonymous visitors are served too (they expect `ok`).
    expect     per-principal overrides for the in-scope request: {Role.SAMPLER: 404,
               "superuser": 302, "anonymous": 200, "nobody": 403}.
    api_auth   "device" (default): API requests carry the principal's device token
               (issued for grid A); "session": they use the signed-in session.
    login_url  where anonymous visitors are sent (default settings.LOGIN_URL).
    sibling    for a write: Sibling(kwargs=…, data=…) naming objects of grid B
               (world.sibling holds them), with the answer expected: status (404), for a
               batch item_codes (each item refused with one of them), or answer (a
               predicate on the JSON).
    unscoped_write  for a write that names nothing in an area (signing out, one's own
               password, a file kept for its uploader until it is applied): why.
    Each request runs in a transaction that is rolled back, so a POST as one principal
    does not change what the next one sees.
"""

import fnmatch

import pytest
from django.urls import get_resolver
from ninja import NinjaAPI, Router

from wangge.accounts.tests.permission_matrix import (
    PRINCIPALS,
    Case,
    Sibling,
    UrlEntry,
    api_namespace,
    api_operations,
    build_world,
    collect_cases,
    iter_url_entries,
    missing_api_cases,
    missing_url_cases,
    missing_write_cases,
    run_case,
    run_sibling,
    unsound_cases,
    view_methods,
    write_routes,
)
from wangge.core.permissions import Perm, Role

CASES = collect_cases()


def test_every_url_pattern_has_a_case():
    missing = missing_url_cases(list(iter_url_entries()), CASES)
    assert not missing, (
        "These URL patterns have no permission-matrix case; declare one in the app's "
        "tests/matrix.py (format: tests/test_permission_matrix.py):\n  " + "\n  ".join(missing)
    )


def test_every_api_route_and_method_has_a_case():
    missing = missing_api_cases(api_operations(), CASES)
    assert not missing, (
        "These API routes have no permission-matrix case for their method; declare one in "
        "the app's tests/matrix.py:\n  " + "\n  ".join(missing)
    )


def test_api_walk_matches_the_url_configuration():
    """The API walk reads ninja's routers; it must see what the URL configuration sees."""
    namespace = api_namespace()
    from_urls = {
        entry.key
        for entry in iter_url_entries()
        if entry.key.startswith(f"{namespace}:")
        and entry.key
        not in {f"{namespace}:openapi-json", f"{namespace}:openapi-view", f"{namespace}:api-root"}
    }
    assert {operation.key for operation in api_operations()} == from_urls


def test_case_declarations_are_sound():
    assert not unsound_cases(CASES)


def test_every_case_names_a_url_that_exists():
    keys = [entry.key for entry in iter_url_entries()]
    unknown = [
        case.label
        for case in CASES
        if not any(key == case.url or fnmatch.fnmatchcase(key, case.url) for key in keys)
    ]
    assert not unknown, f"cases for URLs that do not exist (renamed?): {unknown}"


def test_a_url_without_a_case_is_reported():
    """The coverage check can fail: a pattern nobody declared is named."""
    entries = [UrlEntry("home", "", ()), UrlEntry("shiny:new_view", "shiny/", ())]
    assert missing_url_cases(entries, [Case("home")]) == ["shiny:new_view"]
    assert missing_url_cases(entries, [Case("home"), Case("shiny:*")]) == []


def test_an_api_route_without_a_case_for_its_method_is_reported():
    router = Router()

    @router.get("/items/{pk}")
    def item(request, pk: int):  # pragma: no cover - never called
        return {}

    @router.post("/items/{pk}")
    def change_item(request, pk: int):  # pragma: no cover - never called
        return {}

    api = NinjaAPI(urls_namespace="matrix-probe")
    api.add_router("/shop/", router)
    operations = api_operations(api)
    assert {(op.key, op.method) for op in operations} == {
        ("matrix-probe:item", "GET"),
        ("matrix-probe:change_item", "POST"),
    }
    assert missing_api_cases(operations, [Case("matrix-probe:item")]) == [
        "POST matrix-probe:change_item (/shop/items/{pk})"
    ]


def test_a_403_for_an_object_is_refused_as_a_declaration():
    hinting = Case("residents:detail", perm="x", denied=403, kwargs=dict, foreign=dict)
    assert unsound_cases([hinting])


def test_every_role_is_a_principal():
    assert set(Role.values) <= set(PRINCIPALS)


ENTRIES = list(iter_url_entries())


@pytest.mark.parametrize("case", CASES, ids=[case.label for case in CASES])
def test_matrix(case, tree, other_tree):
    world = build_world(tree, other_tree)
    failures = run_case(case, world, ENTRIES, CASES)
    assert not failures, "\n".join(failures)


def test_the_matrix_catches_a_leak(tree, other_tree):
    """A case that declares the wrong answer fails: an out-of-scope area is not a 200."""
    world = build_world(tree, other_tree)
    honest = Case(
        "areas:detail",
        perm=Perm.VIEW_AREAS,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
    )
    assert not run_case(honest, world, ENTRIES)
    # One that calls the other district "in scope" is caught for every role.
    lying = Case(
        "areas:detail", perm=Perm.VIEW_AREAS, kwargs=lambda w: {"pk": w.other["grid_a"].pk}
    )
    failures = run_case(lying, world, ENTRIES)
    assert len(failures) == len(Role.values)
    assert all("expected 200, got 404" in failure for failure in failures)


def test_resolver_is_walked_into_includes():
    keys = {entry.key for entry in iter_url_entries(get_resolver())}
    assert {"home", "login", "accounts:users", "areas:detail", "admin:index"} <= keys


def test_the_matrix_catches_a_foreign_name_on_a_page(tree, other_tree):
    """A page showing something named by a foreign marker fails, whatever its status."""
    world = build_world(tree, other_tree)
    world.foreign_markers.append(tree["community"].name)  # pretend it were out of scope
    failures = run_case(Case("areas:tree"), world, ENTRIES)
    assert failures and all("shows objects out of scope" in failure for failure in failures)


# Writes across areas


def test_every_write_route_has_a_case_across_areas():
    missing = missing_write_cases(write_routes(CASES), CASES)
    assert not missing, (
        "These write routes have no case sending an actor of grid A at grid B; declare one "
        "with sibling=Sibling(...) (or unscoped_write=...) in the app's tests/matrix.py:\n  "
        + "\n  ".join(missing)
    )


def test_a_write_route_without_a_case_across_areas_is_reported():
    routes = [("POST", "shiny:save"), ("POST", "shiny:logout")]
    cases = [Case("shiny:save", method="POST"), Case("shiny:logout", method="POST")]
    assert missing_write_cases(routes, cases) == ["POST shiny:logout", "POST shiny:save"]
    declared = [
        Case("shiny:save", method="POST", sibling=Sibling()),
        Case("shiny:logout", method="POST", unscoped_write="signs oneself out"),
    ]
    assert missing_write_cases(routes, declared) == []


def test_pages_that_accept_a_post_are_write_routes():
    from wangge.testing.views import points_teams, rounds

    assert view_methods(points_teams.point_edit) == {"GET", "POST"}
    assert view_methods(rounds.round_open) == {"POST"}
    assert view_methods(rounds.round_detail) == {"GET"}
    routes = write_routes([])
    assert ("POST", "testing:point_edit") in routes
    assert ("POST", "api-v1:station_registrations") in routes
    assert not any(key == "testing:round" for _method, key in routes)


WRITE_CASES = [case for case in CASES if case.sibling is not None]


@pytest.mark.parametrize("case", WRITE_CASES, ids=[case.label for case in WRITE_CASES])
def test_write_across_areas(case, tree, other_tree):
    world = build_world(tree, other_tree)
    failures = run_sibling(case, world, ENTRIES)
    assert not failures, "\n".join(failures)


def test_the_write_matrix_catches_a_write_that_gets_through(tree, other_tree):
    """A write the actor may make (into grid A) is reported: its status and what changed."""
    world = build_world(tree, other_tree)
    own_grid = Case(
        "residents:household_create",
        method="POST",
        perm=Perm.EDIT_REGISTRY,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        data=lambda w: {"building": "9", "unit": "1", "room": "909"},
        sibling=Sibling(),
    )
    failures = run_sibling(own_grid, world, ENTRIES)
    assert any("expected 404, got 302" in failure for failure in failures)
    assert any("changed ['residents.household']" in failure for failure in failures)
