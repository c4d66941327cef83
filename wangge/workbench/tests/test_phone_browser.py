"""The workbench and the lists on a 390-px phone, in Debian's Chromium: the main menu
opens from its button, and a list's row reads as a card whose cells are never squeezed to
a few characters."""

import re

import pytest

from tests.browser import PASSWORD
from wangge.testing.tests.round_world import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# The narrowest a cell of a list's row may be on a phone, in characters of its font.
MIN_CHARACTERS = 4

NARROWEST_CELL = """() => {
  const row = document.querySelector(".table-wrap > table tbody tr");
  const cells = [...row.cells].filter((cell) => cell.offsetParent !== null);
  return Math.min(...cells.map((cell) =>
    cell.getBoundingClientRect().width / parseFloat(getComputedStyle(cell).fontSize)));
}"""


def _sign_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))


def test_on_a_phone_the_menu_opens_and_list_rows_stay_readable(browser, live_server, tree, alice):
    world = build_world(tree, alice, people=7)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    _sign_in(page, live_server, "alice")

    # The workbench: cards, and the main menu folded behind its button.
    assert page.locator("[data-card='testing.recalls']").is_visible()
    assert page.locator("#mainnav").is_hidden()
    page.click(".menu-toggle")
    # Testing's links share a group that opens in place in the folded menu.
    assert page.locator("#mainnav a[href='/testing/']").is_hidden()
    page.click("#mainnav .navgroup summary:has-text('检测')")
    assert page.locator("#mainnav a[href='/testing/']").is_visible()
    assert page.get_attribute(".menu-toggle", "aria-expanded") == "true"
    # Settings live in the user menu, not the main one.
    assert page.locator("#mainnav a[href='/accounts/password/']").count() == 0
    page.click(".usermenu summary")
    assert page.locator(".usermenu a[href='/accounts/password/']").is_visible()

    round_pk = world.round.pk
    for url in (
        "/residents/?q=居民",
        f"/residents/households/{world.people[0].household.pk}/",
        f"/areas/{tree['grid_a'].pk}/",
        f"/testing/{round_pk}/recalls/",
        f"/testing/{round_pk}/tubes/",
        f"/testing/{round_pk}/grids/{tree['grid_a'].pk}/untested/",
        "/testing/",
    ):
        page.goto(f"{live_server.url}{url}")
        page.wait_for_selector(".table-wrap > table.rows tbody tr")
        assert page.evaluate(NARROWEST_CELL) >= MIN_CHARACTERS, url
    assert errors == []
    context.close()
