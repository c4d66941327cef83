"""The write-side helpers of the scoping choke point."""

import pytest
from django.http import Http404

from tests.factories import UserFactory, grant
from wangge.areas.models import Area
from wangge.core.permissions import Perm, Role
from wangge.core.scoping import STEPLEN, OutOfScope, in_scope, overlapping, require_in_scope


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
