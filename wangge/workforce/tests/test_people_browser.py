"""The workforce pages in a real browser on a phone-size screen (390 px), as community
staff: the list fits the screen, a worker's phone is revealed (and audited), and a team
gains a member found by name and a leader, all with the thumb."""

import os
import re
import tempfile
from pathlib import Path

import pytest

from tests.browser import PASSWORD, WAIT_MS
from tests.factories import UserFactory, grant
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.workforce.choices import WorkerKind
from wangge.workforce.tests.factories import make_team, make_worker

# A phone-size picture of the list, for a person to look at (/tmp on this machine).
SCREENSHOT = Path(
    os.environ.get("WORKFORCE_SCREENSHOT", Path(tempfile.gettempdir()) / "workforce-390x844.png")
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_community_staff_manage_people_and_a_team_on_a_phone(browser, live_server, tree):
    grant(UserFactory(username="liuzhang"), Role.COMMUNITY_STAFF, tree["community"])
    cadre = make_worker(
        tree["grid_a"],
        "王驻守",
        kind=WorkerKind.STATIONED_CADRE,
        unit="七里河区卫生健康局",
        phone="13912345678",
    )
    volunteer = make_worker(tree["grid_b"], "李志愿", kind=WorkerKind.VOLUNTEER)
    team = make_team(tree["grid_a"], "西园先锋队", members=(cadre,))
    errors = []
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(WAIT_MS)

    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "liuzhang")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))

    page.goto(f"{live_server.url}/workforce/workers/")
    assert page.is_visible("text=王驻守") and page.is_visible("text=李志愿")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.click("text=王驻守")
    page.wait_for_url(re.compile(rf"/workforce/workers/{cadre.pk}/$"))
    assert "139****5678" in page.content() and "13912345678" not in page.content()
    page.click("#phone + button")
    page.wait_for_selector("#phone code.revealed")
    assert page.text_content("#phone").strip() == "13912345678"
    assert AuditEntry.objects.filter(action=AuditEvent.WORKER_REVEAL).count() == 1

    page.goto(f"{live_server.url}/workforce/teams/{team.pk}/")
    page.fill("#q", "李志")
    page.wait_for_selector("#candidates >> text=李志愿")
    page.click("#candidates button")
    page.wait_for_url(re.compile(rf"/teams/{team.pk}/$"))
    assert set(team.members.all()) == {cadre, volunteer}
    page.click(f"form:has(input[value='{volunteer.pk}']) >> text=设为队长")
    page.wait_for_selector("text=队长已保存")
    team.refresh_from_db()
    assert team.leader == volunteer
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()
