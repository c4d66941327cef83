"""The loop in a real browser on a phone-size screen (390 px): a grid member reports crowding
with a photo from the report link beside the inbox, the stationed cadre acknowledges and
arrives from the incident page. Screenshots for a person to look at (/tmp)."""

import os
import re
import tempfile
from pathlib import Path

import pytest

from tests.browser import PASSWORD, WAIT_MS
from wangge.incidents.choices import IncidentStatus
from wangge.incidents.models import Incident
from wangge.incidents.tests.factories import make_chain
from wangge.incidents.tests.test_photos import jpeg_bytes

SHOTS = Path(os.environ.get("INCIDENT_SCREENSHOTS", tempfile.gettempdir()))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def _sign_in(browser, live_server, username):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    return page


def test_report_on_a_phone_then_the_cadre_acknowledges_and_arrives(
    browser, live_server, migrated_data, tree, bob, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    chain = make_chain(tree)
    for worker in chain.values():
        if worker.user:
            worker.user.set_password(PASSWORD)
            worker.user.save()
    bob.set_password(PASSWORD)
    bob.save()
    photo = tmp_path / "scene.jpg"
    photo.write_bytes(jpeg_bytes((800, 600)))

    page = _sign_in(browser, live_server, "bob")
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    link = page.locator("a.nav-prominent")
    assert link.is_visible()  # beside the inbox, not folded in the phone's menu
    link.click()
    page.wait_for_url(re.compile(r"/incidents/report/$"))
    page.select_option("select[name=kind]", "crowding")
    page.check("input[name=severity][value=high]")
    page.fill("input[name=place]", "1号采样点")
    page.set_input_files("input[name=photo]", str(photo))
    page.screenshot(path=str(SHOTS / "incident-report-390.png"), full_page=True)
    page.click("form.incident-report button[type=submit]")
    page.wait_for_url(re.compile(r"/incidents/[0-9a-f-]{36}/$"))
    incident = Incident.objects.get()
    assert incident.assignee == chain["cadre_a"] and incident.photo
    assert page.locator("img.incident-photo").evaluate("img => img.naturalWidth") == 800

    cadre = _sign_in(browser, live_server, "cadre_a")
    cadre.goto(f"{live_server.url}/incidents/{incident.pk}/")
    cadre.click("button:has-text('确认')")
    cadre.wait_for_selector("button:has-text('已到场')")
    cadre.click("button:has-text('已到场')")
    cadre.wait_for_selector("textarea[name=note]")
    cadre.screenshot(path=str(SHOTS / "incident-detail-390.png"), full_page=True)
    width = cadre.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    incident.refresh_from_db()
    assert incident.status == IncidentStatus.ON_SITE
    assert not errors
