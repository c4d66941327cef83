"""The follow-up loop in a real browser on a phone-size screen (390 px), as a grid member:
open the untested list, call (the dialler's tel: address comes only in the answer),
record "will come at 18:00", record "away" and turn it into an exemption in one click,
and see the list reorder and the progress change."""

import os
import re
import tempfile
from pathlib import Path

import pytest

from tests.browser import PASSWORD, WAIT_MS
from tests.factories import UserFactory, grant, make_resident
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.testing.models import Exemption, FollowUp
from wangge.testing.tests.factories import make_round

# A phone-size picture of the list, for a person to look at (/tmp on this machine).
SCREENSHOT = Path(
    os.environ.get("FOLLOWUP_SCREENSHOT", Path(tempfile.gettempdir()) / "followup-390x844.png")
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _figure(page, name):
    return page.text_content(f"#followup-stats [data-figure={name}]").strip()


def _row_order(page):
    return page.eval_on_selector_all("tr.person", "rows => rows.map(row => row.id)")


def test_grid_member_follows_up_the_untested_on_a_phone(browser, live_server, tree):
    grant(UserFactory(username="wangyi"), Role.GRID_MEMBER, tree["grid_a"])
    first, second, third = (
        make_resident(tree["grid_a"], name, room=str(101 + i), phone=f"1390000{i:04d}")
        for i, name in enumerate(["张一", "王二", "李三"])
    )
    round_ = make_round(tree["community"])
    errors = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(WAIT_MS)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "wangyi")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    list_url = f"{live_server.url}/testing/{round_.pk}/grids/{tree['grid_a'].pk}/untested/"
    page.goto(list_url)
    rows = [f"person-{person.pk}" for person in (first, second, third)]
    assert _row_order(page) == rows
    assert _figure(page, "not_contacted") == "3"
    assert "13900000000" not in page.content()

    # Call: the button posts; the answer redirects to the dialler. The test reads that
    # answer without following it, and leaves the page where it is.
    seen = {}

    def answer_call(route):
        response = route.fetch(max_redirects=0)
        seen["status"], seen["location"] = response.status, response.headers.get("location")
        route.fulfill(status=204)

    page.route("**/call/", answer_call)
    with page.expect_response(lambda response: response.url.endswith("/call/")):
        page.click(f"#person-{first.pk} .call-button")
    assert seen == {"status": 302, "location": "tel:13900000000"}
    assert AuditEntry.objects.filter(action="resident.call", object_id=str(first.pk)).exists()

    # "Will come at 18:00", recorded inline: the row and the progress change in place.
    page.click(f"#person-{first.pk} details.followup summary")
    page.fill(f"#person-{first.pk} input[name=come_at]", "18:00")
    page.click(f"#person-{first.pk} button[value=will_come]")
    page.wait_for_selector(f"#person-{first.pk} .tag.outcome-will_come")
    assert "18:00" in page.text_content(f"#person-{first.pk} .last-followup")
    assert _figure(page, "will_come") == "1"
    assert _figure(page, "not_contacted") == "2"
    page.click(f"#person-{second.pk} details.followup summary")
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    page.click(f"#person-{second.pk} details.followup summary")

    # "Away": the row offers the exemption, one click makes it.
    page.click(f"#person-{second.pk} details.followup summary")
    page.click(f"#person-{second.pk} button[value=away]")
    page.wait_for_selector(f"#person-{second.pk} .exempt-away")
    assert _figure(page, "away") == "1"
    page.click(f"#person-{second.pk} .exempt-away")
    page.wait_for_selector(".messages")
    assert Exemption.objects.filter(resident=second, reason="away").exists()

    # Back on the list: the one nobody has tried comes first, the exempt one is gone.
    assert _row_order(page) == [f"person-{third.pk}", f"person-{first.pk}"]
    assert _figure(page, "untested") == "2"
    assert _figure(page, "not_contacted") == "1"
    assert _figure(page, "will_come") == "1"
    assert _figure(page, "away") == "0"
    assert FollowUp.objects.filter(round=round_).count() == 2
    assert errors == []
    context.close()
