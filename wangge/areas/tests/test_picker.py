"""The tree picker's branches and search: only areas the user holds the permission on,
a page at a time, in a fixed number of queries."""

import re

import pytest

from tests.factories import UserFactory, grant, make_area
from wangge.areas.choices import AreaKind
from wangge.core.permissions import Perm, Role

BRANCH = "/areas/picker/branch/"
SEARCH = "/areas/picker/search/"
ROUNDS = Perm.MANAGE_ROUNDS


@pytest.fixture
def manager(tree):
    """Plans the rounds of the street (Perm.MANAGE_ROUNDS there)."""
    return grant(UserFactory(username="zhao"), Role.STREET_STAFF, tree["street"])


@pytest.fixture
def far_manager(other_tree):
    return grant(UserFactory(username="qian"), Role.STREET_STAFF, other_tree["street"])


def _offered(response):
    assert response.status_code == 200
    return {int(pk) for pk in re.findall(r'data-pick="(\d+)"', response.content.decode())}


def test_a_branch_offers_the_children_in_scope_without_buildings(client, tree, manager):
    make_area("1号楼", AreaKind.BUILDING, tree["grid_a"])
    client.force_login(manager)
    community = tree["community"].path
    offered = _offered(client.get(BRANCH, {"perm": ROUNDS, "path": community}))
    assert offered == {tree["grid_a"].pk, tree["grid_b"].pk}
    # A grid opens onto buildings only: nothing to choose below it.
    assert _offered(client.get(BRANCH, {"perm": ROUNDS, "path": tree["grid_a"].path})) == set()
    assert (
        "picker-children"
        not in client.get(BRANCH, {"perm": ROUNDS, "path": community}).content.decode()
    )


def test_a_branch_outside_the_scope_offers_nothing(client, tree, other_tree, manager, bob):
    client.force_login(manager)
    for path in (other_tree["street"].path, tree["city"].path):
        text = client.get(BRANCH, {"perm": ROUNDS, "path": path}).content.decode()
        assert "data-pick" not in text
    # Bob holds no round-managing role: his grid is not offered, even below his area.
    client.force_login(bob)
    assert _offered(client.get(BRANCH, {"perm": ROUNDS, "path": tree["community"].path})) == set()
    assert _offered(
        client.get(BRANCH, {"perm": Perm.VIEW_AREAS, "path": tree["community"].path})
    ) == {tree["grid_a"].pk}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ({"path": "0001"}, 404),  # no permission named
        ({"perm": "nonsense", "path": "0001"}, 400),
        ({"perm": ROUNDS, "path": "00x1"}, 404),
        ({"perm": ROUNDS}, 404),
    ],
)
def test_a_branch_needs_a_permission_and_a_path(client, manager, query, status):
    client.force_login(manager)
    assert client.get(BRANCH, query).status_code == status


def test_a_branch_costs_the_same_queries_for_any_number_of_children(
    client, tree, manager, django_assert_max_num_queries
):
    client.force_login(manager)
    community = tree["community"].path
    client.get(BRANCH, {"perm": ROUNDS, "path": community})  # the session, warmed
    for n in range(30):
        make_area(f"格{n}", AreaKind.GRID, tree["community"])
    with django_assert_max_num_queries(4):
        assert len(_offered(client.get(BRANCH, {"perm": ROUNDS, "path": community}))) == 32


def test_search_is_scoped_and_paginated(client, tree, other_tree, manager):
    for n in range(25):
        make_area(f"测试格{n:02d}", AreaKind.GRID, tree["community"])
    make_area("测试格外", AreaKind.GRID, other_tree["community"])
    make_area("测试格楼", AreaKind.BUILDING, tree["grid_a"])
    client.force_login(manager)
    first = client.get(SEARCH, {"perm": ROUNDS, "q": "测试格"})
    text = first.content.decode()
    assert len(_offered(first)) == 20
    assert "page=2" in text and "西园街道 › 西园社区" in text  # where each lies
    second = _offered(client.get(SEARCH, {"perm": ROUNDS, "q": "测试格", "page": 2}))
    assert len(second) == 5 and not second & _offered(first)
    assert "测试格外" not in text and "测试格楼" not in text


def test_search_for_a_name_outside_the_scope_finds_nothing(client, tree, other_tree, far_manager):
    client.force_login(far_manager)
    response = client.get(SEARCH, {"perm": ROUNDS, "q": "一号小区"})
    assert _offered(response) == {other_tree["grid_a"].pk}
    assert (
        "No area has this name."
        in client.get(SEARCH, {"perm": ROUNDS, "q": "西园社区x"}).content.decode()
    )
