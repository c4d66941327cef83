"""The station's camera, when it cannot be used, tells the sampler in Chinese what to do
instead of the browser's English error (Debian's Chromium through Playwright)."""

from pathlib import Path

import pytest

from tests.factories import UserFactory, grant
from wangge.core.permissions import Role
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.test_station_browser import _new_page, _set_up_station

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CORE = Path(__file__).resolve().parents[2] / "static/testing/station/station-core.js"
# What html5-qrcode 2.3.8 rejects with, and what the browser's own errors say.
ERRORS = {
    "Error getting userMedia, error = NotAllowedError: Permission denied": "denied",
    "Error getting userMedia, error = NotFoundError: Requested device not found": "missing",
    "Error getting userMedia, error = NotReadableError: Could not start video source": "busy",
    "Camera streaming not supported by the browser.": "insecure",
    "Error getting userMedia, error = OverconstrainedError: ": "missing",
    "something else": "other",
}


def test_camera_errors_are_sorted_by_what_the_sampler_can_do(browser):
    page = browser.new_page()
    page.set_content("<!doctype html><title>core</title>")
    page.add_script_tag(path=str(CORE))
    sorted_ = page.evaluate(
        "(errors) => errors.map((e) => WanggeStation.cameraProblem(e, true))", list(ERRORS)
    )
    assert sorted_ == list(ERRORS.values())
    # A page not served over https never gets the camera, whatever the error says.
    assert page.evaluate("() => WanggeStation.cameraProblem('x', false)") == "insecure"
    page.close()


def test_a_refused_camera_says_in_chinese_how_to_allow_it(browser, live_server, tree):
    grant(UserFactory(username="wu"), Role.VOLUNTEER, tree["grid_a"])
    make_round(tree["community"])
    errors: list[str] = []
    context, page = _new_page(browser, errors)
    # The browser refuses, as when the sampler tapped "block" once.
    context.add_init_script(
        "navigator.mediaDevices.getUserMedia = () => "
        "Promise.reject(new DOMException('Permission denied', 'NotAllowedError'));"
    )
    _set_up_station(page, live_server, "wu", tree["grid_a"], "登记台 1")
    page.press("#st-scan", "F8")
    page.wait_for_function("() => document.getElementById('st-message').dataset.tone === 'bad'")
    message = page.text_content("#st-message")
    assert "允许本网站使用摄像头" in message and "F8" in message
    assert "NotAllowedError" not in message and "userMedia" not in message
    page.wait_for_selector("#st-camera", state="hidden")
    context.close()
