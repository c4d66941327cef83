"""Filling a gap of the chain in a real browser on a phone-size screen (390 px), as
community staff: the community's chain page shows grid B without a grid leader; the
assign link opens the form with the duty chosen; a search finds the worker (HTMX); the
assignment closes the gap."""

import os
import re
import tempfile
from pathlib import Path

import pytest

from tests.browser import PASSWORD, WAIT_MS
from tests.factories import UserFactory, grant
from wangge.core.permissions import Role
from wangge.workforce.models import Responsibility
from wangge.workforce.tests.factories import assign, duty, make_worker

SCREENSHOT = Path(
    os.environ.get("CHAIN_SCREENSHOT", Path(tempfile.gettempdir()) / "chain-390x844.png")
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_community_staff_fill_a_gap_of_the_chain_on_a_phone(browser, live_server, tree):
    grant(UserFactory(username="zhaoliu"), Role.COMMUNITY_STAFF, tree["community"])
    assign(make_worker(tree["street"], "街道领导"), tree["community"], "street_leader_community")
    assign(make_worker(tree["community"], "社区干部"), tree["community"], "cadre_community")
    for grid in (tree["grid_a"], tree["grid_b"]):
        assign(make_worker(grid, f"驻守{grid.name}"), grid, "stationed_cadre_grid")
    assign(make_worker(tree["grid_a"], "网格长甲"), tree["grid_a"], "grid_leader")
    newcomer = make_worker(tree["grid_b"], "新来的网格长")
    errors = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(WAIT_MS)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "zhaoliu")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"{live_server.url}/workforce/chains/areas/{tree['community'].pk}/")
    assert "二号小区" in page.text_content("#gap-lists")
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    leader = duty("grid_leader").pk
    page.click(f"#gap-lists a[href$='/chains/areas/{tree['grid_b'].pk}/assign/?duty={leader}']")
    page.fill("#worker-q", "新来")
    page.wait_for_selector(f"input[name=worker][value='{newcomer.pk}']")
    page.check(f"input[name=worker][value='{newcomer.pk}']")
    page.click("form[method=post] button[type=submit]")
    page.wait_for_url(re.compile(rf"/chains/areas/{tree['grid_b'].pk}/$"))
    assert "新来的网格长" in page.text_content("table.chain")
    assert Responsibility.objects.filter(worker=newcomer, area=tree["grid_b"]).exists()
    assert errors == []
    context.close()
