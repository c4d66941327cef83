"""The checkpoint device in a real browser (Debian's Chromium through Playwright) taken through
an outage: set up online, register a vehicle, lose the network, register three vehicles
(alerts shown at once, bad input refused on the spot), reload with no network (the service
worker serves the shell), come back online: every entry uploaded once, the answers shown, a
refused entry fixed, and the device's storage holding no full ID number and no phone."""

import json
import os
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest

from tests.browser import PASSWORD, WAIT_MS
from tests.factories import UserFactory, grant, id_number, make_resident
from wangge.accounts.models import DeviceToken
from wangge.checkpoints.models import Checkpoint, CheckpointEntry, CheckpointPassenger
from wangge.core.permissions import Role

SCREENSHOTS = Path(os.environ.get("CHECKPOINT_SCREENSHOTS", tempfile.gettempdir()))

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# What the browser logs on its own while the test pulls the network away on purpose.
EXPECTED_LOGS = ["net::ERR_INTERNET_DISCONNECTED"]


def _new_page(browser: Any, errors: list[str]) -> tuple[Any, Any]:
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()

    def console(message: Any) -> None:
        if message.type == "error" and not any(e in message.text for e in EXPECTED_LOGS):
            errors.append(message.text)

    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", console)
    page.set_default_timeout(WAIT_MS)
    return context, page


def _set_up(page: Any, live_server: Any, username: str, checkpoint: Checkpoint) -> None:
    page.goto(f"{live_server.url}/checkpoint-device/setup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/checkpoint-device/setup/$"))
    page.select_option("select[name=checkpoint]", str(checkpoint.pk))
    page.fill("input[name=label]", "北门 1 道")
    page.screenshot(path=str(SCREENSHOTS / "checkpoint-device-390-setup.png"))
    page.click("form[action='/checkpoint-device/setup/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/checkpoint-device/$"))
    page.wait_for_selector("body[data-ready=yes]")


def _person(page: Any, index: int, **values: str) -> None:
    """Fill the index-th person's row (adding it with F2 when it is not there yet)."""
    rows = page.locator("#ck-people .ck-person")
    if rows.count() <= index:
        page.keyboard.press("F2")
        page.wait_for_function(
            "(n) => document.querySelectorAll('#ck-people .ck-person').length === n",
            arg=index + 1,
        )
    row = rows.nth(index)
    for name, value in values.items():
        field = row.locator(f"[name={name}]")
        if field.evaluate("(f) => f.tagName") == "SELECT":
            field.select_option(value)
        else:
            field.fill(value)


def _pending(page: Any, expected: int) -> None:
    """The bar's waiting count comes to `expected`."""
    page.wait_for_function(
        "(n) => document.getElementById('st-queue-count').textContent === String(n)",
        arg=expected,
    )


def _register(page: Any, plate: str, kind: str = "car") -> None:
    before = page.evaluate("() => WanggeCheckpoint.app.state.pending")
    page.select_option("#ck-kind", kind)
    if kind != "on_foot":
        page.fill("#ck-plate", plate)
    page.keyboard.press("F4")
    page.wait_for_function("(n) => WanggeCheckpoint.app.state.pending > n", arg=before)


def _queue(page: Any) -> list[dict[str, Any]]:
    return page.evaluate("() => WanggeCheckpoint.db.getAll('queue')")


def test_a_checkpoint_registers_through_an_outage(browser, live_server, tree):
    grant(UserFactory(username="kakou"), Role.CHECKPOINT_OFFICER, tree["community"])
    north = Checkpoint.objects.create(area=tree["grid_a"], name="北门卡口")
    south = Checkpoint.objects.create(area=tree["grid_a"], name="南门卡口")
    resident = make_resident(tree["grid_a"], "王居民")
    driver_number, passenger_number, trucker_number = (id_number() for _ in range(3))
    trucker_phone = "13912345678"

    errors: list[str] = []
    context, page = _new_page(browser, errors)
    _set_up(page, live_server, "kakou", north)
    device = DeviceToken.objects.get()
    assert device.area == tree["grid_a"]
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.wait_for_function("() => document.querySelectorAll('#ck-checkpoint option').length === 2")
    assert page.input_value("#ck-checkpoint") == str(north.pk)
    # The device holds its checkpoints and nothing else of the register.
    stores = page.evaluate(
        "() => WanggeCheckpoint.db.open().then((db) => Array.from(db.objectStoreNames))"
    )
    assert stores == ["meta", "queue"]

    # Online: a car and its driver, uploaded at once.
    _person(page, 0, name="赵司机", id=driver_number, temperature="36.5")
    _register(page, "京A12345")
    page.wait_for_function("() => WanggeCheckpoint.app.state.pending === 0")
    page.wait_for_selector("#ck-recent li[data-state=done]")
    page.screenshot(path=str(SCREENSHOTS / "checkpoint-device-390-online.png"))

    # The network goes.
    page.wait_for_function("() => !WanggeCheckpoint.app.state.syncing")
    context.set_offline(True)
    page.wait_for_selector("#st-net[data-state=offline]")

    # Bad input is refused on the spot, nothing queued: 3.7 °C and a plate with an I.
    _person(page, 0, name="钱乘客", id=passenger_number, temperature="3.7")
    page.select_option("#ck-kind", "car")
    page.fill("#ck-plate", "京I12345")
    page.keyboard.press("F4")
    page.wait_for_selector("#ck-plate[aria-invalid=true]")
    assert page.get_attribute("#ck-people [name=temperature]", "aria-invalid") == "true"
    assert "34.0" in page.text_content("#ck-error")
    _pending(page, 0)

    # 1: a car with two people, the second with a fever: the alert shows at once, offline.
    _person(page, 0, name="钱乘客", id=passenger_number, temperature="36.6")
    _person(page, 1, name="孙发热", id="", id_type="none", temperature="38.2")
    _register(page, "京a 12346")  # normalised: 京A12346
    page.wait_for_selector("#ck-alert:not([hidden])")
    assert "孙发热" in page.text_content("#ck-alert-list")
    assert "38.2" in page.text_content("#ck-alert-list")
    page.click("#ck-alert-close")
    # 2: a new-energy truck whose driver shows a red code, scanned number and phone.
    _person(page, 0, name="李货车", id=trucker_number, phone=trucker_phone, temperature="36.9")
    _person(page, 0, health_code="red")
    _register(page, "粤BD12345", "truck")
    page.wait_for_selector("#ck-alert:not([hidden])")
    assert "李货车" in page.text_content("#ck-alert-list")
    # 3: a resident on foot, by the resident code, at the south gate.
    page.select_option("#ck-checkpoint", str(south.pk))
    page.fill("#ck-people [name=name]", resident.name)
    page.fill("#ck-people [name=id]", resident.code)
    page.press("#ck-people [name=id]", "Enter")  # a scanner's Enter: on to the next field
    page.wait_for_function("() => document.activeElement.name === 'id_type'")
    _person(page, 0, temperature="36.4")
    _register(page, "", "on_foot")
    _pending(page, 3)
    page.evaluate("() => window.scrollTo(0, 0)")
    page.screenshot(path=str(SCREENSHOTS / "checkpoint-device-390-offline.png"))
    page.set_viewport_size({"width": 1280, "height": 900})
    page.screenshot(path=str(SCREENSHOTS / "checkpoint-device-1280-offline.png"))
    page.set_viewport_size({"width": 390, "height": 844})

    # A reload with no network: the service worker serves the shell, the queue is intact.
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("body[data-ready=yes]")
    page.wait_for_selector("#st-net:not([data-state=online])")
    _pending(page, 3)
    assert page.locator("#ck-recent li[data-state=pending]").count() == 3
    # Until answered, the queue holds what was typed (to upload it).
    assert trucker_number in json.dumps(_queue(page))

    # The south gate closes meanwhile; the network comes back.
    Checkpoint.objects.filter(pk=south.pk).update(active=False)
    context.set_offline(False)
    page.wait_for_function("() => WanggeCheckpoint.app.state.pending === 0", timeout=60_000)
    page.wait_for_selector("#st-rejected:not([hidden])")
    assert page.text_content("#st-rejected-count") == "1"
    # The latest entries show the server's answers.
    page.wait_for_function(
        "() => document.querySelectorAll('#ck-recent li[data-state=done]').length === 3"
    )
    assert page.locator("#ck-recent li[data-state=rejected]").count() == 1
    queue = {item["client_id"]: item for item in _queue(page)}
    answers = sorted((item["state"], item.get("server_alerts")) for item in queue.values())
    assert answers == [("done", 0), ("done", 1), ("done", 1), ("rejected", None)]
    # Stored once each, by the device's client ids; the refused one not at all.
    done = {c for c, item in queue.items() if item["state"] == "done"}
    assert {str(c) for c in CheckpointEntry.objects.values_list("client_id", flat=True)} == done
    assert set(CheckpointEntry.objects.values_list("plate", flat=True)) == {
        "京A12345",
        "京A12346",
        "粤BD12345",
    }
    assert CheckpointEntry.objects.filter(alerts__gt=0).count() == 2

    # The refused entry is listed with its reason; Fix puts it back in the form.
    page.click("#st-rejected")
    page.wait_for_selector("#st-rejects-list li")
    assert "步行" in page.text_content("#st-rejects-list")
    page.click("#st-rejects-list button[data-fix]")
    page.wait_for_function("() => WanggeCheckpoint.app.state.fixing !== null")
    assert page.input_value("#ck-people [name=name]") == resident.name
    assert page.input_value("#ck-people [name=id]") == resident.code
    page.wait_for_function("() => document.querySelectorAll('#ck-checkpoint option').length === 1")
    page.keyboard.press("F4")
    page.wait_for_selector("#st-rejected", state="hidden")
    page.wait_for_function("() => WanggeCheckpoint.app.state.pending === 0")
    fixed = CheckpointEntry.objects.get(plate="")
    assert (fixed.checkpoint, fixed.people) == (north, 1)
    assert CheckpointPassenger.objects.get(entry=fixed).resident == resident

    # Answered, the device keeps the masked forms only: no full number, no phone.
    stored = json.dumps(_queue(page), ensure_ascii=False)
    for secret in (driver_number, passenger_number, trucker_number, trucker_phone):
        assert secret not in stored
    assert trucker_number[:6] + "*" * 12 in stored
    assert not errors, errors
    context.close()
