"""The write-side helpers of the scoping choke point."""

import pytest
from django.http import Http404

from tests.factories import UserFactory, grant
from wangge.accounts.roles import Perm, Role
from wangge.areas.models import Area
from wangge.core.scoping import STEPLEN, OutOfScope, in_scope, overlaps, require_in_scope


def test_the_path_step_is_the_area_trees():
    assert Area.steplen == STEPLEN


def test_a_sibling_is_neither_in_scope_nor_overlapping():
    assert in_scope(["00010001"], "000100010002")
    assert not in_scope(["00010001"], "00010002")
    assert overlaps(["000100010002"], "00010001")  # a point serving the whole community
    assert not overlaps(["000100010002"], "000100010003")
    assert in_scope(None, "0009") and overlaps(None, "0009")


def test_a_write_beside_the_actors_grid_is_not_found(tree):
    bob = grant(UserFactory(username="bob"), Role.GRID_LEADER, tree["grid_a"])
    require_in_scope(bob, Perm.EDIT_REGISTRY, [tree["grid_a"]])
    with pytest.raises(OutOfScope) as raised:
        require_in_scope(bob, Perm.EDIT_REGISTRY, [tree["grid_a"], tree["grid_b"]])
    assert isinstance(raised.value, Http404)  # answered as not found, never as forbidden
    # The system itself (a command, the demo) writes everywhere.
    require_in_scope(None, Perm.EDIT_REGISTRY, [tree["grid_b"]])
