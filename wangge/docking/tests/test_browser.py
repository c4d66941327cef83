"""The daily cycle in a browser (Debian's Chromium, 390 px): the community's staff dock the
day with one correction and its reason; the street's staff see the community as corrected,
with the figure, the two values and the reason, read the community's day on the command
dashboard and download its bulletin."""

import os
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone
from pypdf import PdfReader

from tests.browser import PASSWORD, WAIT_MS
from wangge.docking.models import Answer, Docking
from wangge.docking.tests.factories import make_day

SHOTS = Path(os.environ.get("DOCKING_SCREENSHOTS", tempfile.gettempdir()))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return context, page, errors


def test_a_community_corrects_a_figure_and_the_street_sees_it(
    browser, live_server, tree, alice, streetie
):
    today = timezone.localdate()
    for unit in (tree["street"], tree["community"]):
        make_day(unit, today)

    context, page, errors = _sign_in(browser, live_server, alice.username)
    # From the workbench's card to the community's day.
    page.click("[data-card='docking.unit'] h2 a")
    page.wait_for_selector("#dock-form")
    page.click("#fig-testing-sampled summary")
    page.fill("input[name='fix-testing.sampled']", "1108")
    page.fill("input[name='why-testing.sampled']", "8 人在外地采样，已补录")
    page.fill("textarea[name=comment]", "其余数据已与网格员核对")
    page.screenshot(path=str(SHOTS / "docking-community-390.png"), full_page=False)
    page.click("#dock-correct")
    page.wait_for_selector(".messages")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()

    docking = Docking.objects.get(area=tree["community"], day=today)
    assert docking.answer == Answer.CORRECTED and docking.answered_by == alice
    assert docking.corrections.get().corrected == 1108

    context, page, errors = _sign_in(browser, live_server, streetie.username)
    page.goto(f"{live_server.url}/docking/")
    row = page.locator(f"#units tr[data-unit='{tree['community'].pk}']")
    assert row.get_attribute("data-status") == "corrected"
    assert "已更正" in row.inner_text()
    corrections = " ".join(page.locator("#corrections").inner_text().split())
    assert "1100 → 1108" in corrections and "8 人在外地采样，已补录" in corrections

    # The command dashboard: the community's day, its coverage and its docking.
    page.goto(f"{live_server.url}/dashboard/?area={tree['community'].pk}")
    coverage = page.locator(".headline [data-figure='testing.coverage'] .value")
    assert coverage.inner_text().strip() == "95.7%"
    assert "已更正1个" in page.locator(".docking-panel").inner_text()
    # Its bulletin, downloaded from the dashboard: a PDF of the community's day in Chinese.
    with page.expect_download() as download:
        page.click(f"a[href='/bulletins/{tree['community'].pk}/{today.isoformat()}.pdf']")
    pdf = PdfReader(download.value.path())
    text = " ".join(page_.extract_text() for page_ in pdf.pages)
    assert tree["community"].name in text and "日报" in text
    assert errors == []
    context.close()
