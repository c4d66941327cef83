"""The write-side helpers of the scoping choke point."""

import pytest
from django.http import Http404
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory, grant
from wangge.areas.models import Area
from wangge.core.permissions import Perm, Role
from wangge.core.scoping import (
    STEPLEN,
    OutOfScope,
    ancestor_paths,
    in_scope,
    is_within,
    overlap,
    overlapping,
    require_in_scope,
    subtree_q,
    topmost,
)


def test_the_path_step_is_the_area_trees():
    assert Area.steplen == STEPLEN


def test_a_sibling_is_neither_in_scope_nor_overlapping(tree):
    grid_a, grid_b, community = tree["grid_a"], tree["grid_b"], tree["community"]
    assert in_scope([community.path], grid_a.path)
    assert not in_scope([grid_a.path], grid_b.path)
    assert in_scope(None, grid_b.path)
    near = Area.objects.filter(overlapping([grid_a.path], "path"))
    # Grid A, and what is above it (a point serving the whole community); never grid B.
    assert set(near) == {grid_a, community, tree["street"], tree["district"], tree["city"]}


def test_a_write_beside_the_actors_grid_is_not_found(tree):
    bob = grant(UserFactory(username="bob"), Role.GRID_LEADER, tree["grid_a"])
    require_in_scope(bob, Perm.EDIT_REGISTRY, [tree["grid_a"]])
    with pytest.raises(OutOfScope) as raised:
        require_in_scope(bob, Perm.EDIT_REGISTRY, [tree["grid_a"], tree["grid_b"]])
    assert isinstance(raised.value, Http404)  # answered as not found, never as forbidden
    # The system itself (a command, the demo) writes everywhere.
    require_in_scope(None, Perm.EDIT_REGISTRY, [tree["grid_b"]])


def test_an_area_is_within_itself_and_its_ancestors_only():
    assert is_within("00010002", "0001") and is_within("0001", "0001")
    assert not is_within("00010002", "00010003") and not is_within("0001", "00010002")
    assert ancestor_paths("000100020003") == ["0001", "00010002", "000100020003"]


def test_topmost_drops_what_lies_below_another_path():
    assert topmost(["00010002", "0001", "00020001", "000100020003", "0001"]) == [
        "0001",
        "00020001",
    ]
    assert topmost([]) == []


def test_the_overlap_of_two_scopes_is_the_lower_of_each_pair_that_meets():
    district, community, grid, other = "0001", "00010002", "000100020003", "0002"
    assert overlap([district], [grid, other]) == [grid]
    assert overlap([grid], [district]) == [grid]
    assert overlap([community, other], None) == [community, other]
    assert overlap([community], [other]) == []


_paths = st.lists(
    st.text(alphabet="12", min_size=1, max_size=3).map(lambda s: "".join(c * 4 for c in s)),
    max_size=5,
)


# No deadline: a loaded machine must not fail a test over its timing.
@settings(deadline=None)
@given(first=_paths, second=_paths, probe=_paths)
def test_overlap_holds_exactly_the_paths_in_both_scopes(first, second, probe):
    shared = overlap(first, second)
    for path in probe:
        assert in_scope(shared, path) == (in_scope(first, path) and in_scope(second, path))
    assert topmost(shared) == shared


@pytest.mark.django_db
def test_the_subtree_query_keeps_the_same_areas_as_the_python_rule(tree):
    areas = list(Area.objects.all())
    for scope in ([], [tree["grid_a"].path], [tree["community"].path, tree["grid_b"].path]):
        in_sql = set(Area.objects.filter(subtree_q(scope)).values_list("path", flat=True))
        assert in_sql == {area.path for area in areas if in_scope(scope, area.path)}
