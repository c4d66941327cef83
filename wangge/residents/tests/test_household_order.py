"""Households are listed by their number as people read it: 1-1-101 before 1-1-1001."""

import pytest

from tests.factories import make_resident
from wangge.lib.natural import natural_sort_key
from wangge.residents import actions
from wangge.residents.exports import grid_residents
from wangge.residents.models import Household
from wangge.residents.tests.sheets import number, person, register_xlsx

ROOMS = ["1001", "101", "2001", "201", "102"]
READ_ORDER = ["1-1-101", "1-1-102", "1-1-201", "1-1-1001", "1-1-2001"]


@pytest.fixture
def homes(tree):
    for room in ROOMS:
        make_resident(tree["grid_a"], f"住户{room}", room=room)
    return tree["grid_a"]


def test_the_grid_page_lists_households_by_their_number_as_a_number(client, alice, homes):
    client.force_login(alice)
    page = client.get(f"/areas/{homes.pk}/").context["page"]
    assert [resident.household.label for resident in page] == READ_ORDER


def test_the_exported_register_keeps_the_same_order(alice, homes):
    assert [r.household.label for r in grid_residents(alice, homes)] == READ_ORDER


def test_households_an_import_creates_get_their_sort_key(tree, alice):
    rows = [person(f"导入{room}", number(), room=room) for room in ROOMS]
    batch = actions.stage_import(
        register_xlsx(rows), "底册.xlsx", tree["grid_a"], acting_user=alice
    )
    actions.apply_import(batch, acting_user=alice)
    homes = Household.objects.filter(grid=tree["grid_a"])
    assert homes.count() == len(ROOMS)
    for home in homes:
        assert home.sort_key == natural_sort_key(home.building, home.unit, home.room)
