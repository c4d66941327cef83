import pytest

from tests.factories import make_area, make_resident
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.areas.selectors import children_with_totals


def test_counts_roll_up_the_tree(tree):
    make_resident(tree["grid_a"], "甲", room="101")
    make_resident(tree["grid_a"], "乙", room="101")
    make_resident(tree["grid_b"], "丙", room="201")
    assert tree["district"].subtree_totals() == {"residents": 3, "households": 2, "grids": 2}
    rows = {row.area.name: row for row in children_with_totals(tree["community"])}
    assert rows["一号小区"].residents == 2
    assert rows["二号小区"].households == 1


def test_children_totals_take_a_fixed_number_of_queries(tree, django_assert_max_num_queries):
    for index in range(5):
        make_area(f"网格{index}", AreaKind.GRID, tree["community"])
    with django_assert_max_num_queries(2):
        rows = children_with_totals(tree["community"])
    assert len(rows) == 7


def test_sibling_names_are_unique(tree):
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        make_area("一号小区", AreaKind.COMPOUND, tree["community"])


def test_same_name_under_another_parent_is_fine(tree):
    other = make_area("东园社区", AreaKind.COMMUNITY, tree["street"])
    make_area("一号小区", AreaKind.COMPOUND, other)
    assert Area.objects.filter(name="一号小区").count() == 2
