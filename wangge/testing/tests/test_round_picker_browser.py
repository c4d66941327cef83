"""The round form's area picker in a real browser, on a phone-size screen: search by name,
open the tree, add and remove chips; the form posts the areas chosen."""

import re

import pytest

from tests.browser import PASSWORD
from tests.factories import UserFactory, grant, make_area
from wangge.areas.choices import AreaKind
from wangge.core.permissions import Role
from wangge.testing.models import Round
from wangge.testing.tests.test_station_browser import SCREENSHOT, _new_page

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_round_scope_is_chosen_in_the_tree_picker_on_a_phone(browser, live_server, tree):
    grant(UserFactory(username="zhao"), Role.STREET_STAFF, tree["street"])
    for n in range(3):
        make_area(f"搜索格{n}", AreaKind.GRID, tree["community"])
    errors = []
    context, page = _new_page(browser, errors)
    page.goto(f"{live_server.url}/accounts/login/?next=/testing/new/")
    page.fill("input[name=username]", "zhao")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r"/testing/new/$"))
    page.fill("input[name=name]", "树选轮次")

    # Search: the matches come a page at a time, each with where it lies.
    page.fill(".area-picker .picker-query", "搜索格")
    page.wait_for_selector(".picker-results .picker-found li >> nth=2")
    page.click(".picker-results [data-pick] >> nth=1")
    assert page.text_content(".picker-chips").strip() == "搜索格1×"
    # The tree: the street opens onto its community, the community onto its grids.
    page.click(f".picker-tree summary:has([data-pick='{tree['street'].pk}'])")
    page.click(f".picker-tree summary:has([data-pick='{tree['community'].pk}'])")
    page.click(f".picker-tree [data-pick='{tree['grid_a'].pk}']")
    page.click(f".picker-tree [data-pick='{tree['grid_b'].pk}']")
    page.click(f".picker-tree [data-pick='{tree['grid_a'].pk}']")  # already chosen: once
    assert page.locator(".picker-chip").count() == 3
    # × takes a chip out again.
    page.click(".picker-chip:has-text('搜索格1') .picker-remove")
    assert page.locator(".picker-chip").count() == 2
    page.screenshot(path=str(SCREENSHOT.with_name("round-picker-390.png")), full_page=True)
    width = page.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone

    page.fill("input[name=starts_at]", "2030-01-01T08:00")
    page.fill("input[name=ends_at]", "2030-01-01T20:00")
    page.click("form.narrow-form button[type=submit]")
    page.wait_for_url(re.compile(r"/testing/\d+/$"))
    round_ = Round.objects.get(name="树选轮次")
    chosen = set(round_.scope.values_list("area_id", flat=True))
    assert chosen == {tree["grid_a"].pk, tree["grid_b"].pk}
    assert not errors, errors
    context.close()
