"""The sampling station in a real browser (Debian's Chromium through Playwright): set up,
download the roster, register a tube while the server is unreachable, reload offline (the
service worker serves the station), come back online, and find every record stored once."""

import datetime as dt
import json
import os
import re
import tempfile
import time
from pathlib import Path

import pytest
from django.core.signals import request_started
from django.db.models import Count
from django.utils import timezone

from tests.browser import PASSWORD, WAIT_MS
from tests.factories import UserFactory, grant, id_number, make_resident
from wangge.accounts.devices import issue_device_token
from wangge.accounts.models import DeviceToken
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.residents.choices import Tag
from wangge.testing.actions.registrations.answers import REASONS
from wangge.testing.models import (
    DoorToDoorTeam,
    HomeVisit,
    Registration,
    SamplingPoint,
    Tube,
    WalkIn,
)
from wangge.testing.tests.factories import make_round

# A phone-size picture of the station, for a person to look at (/tmp on this machine).
SCREENSHOT = Path(
    os.environ.get("STATION_SCREENSHOT", Path(tempfile.gettempdir()) / "station-390x844.png")
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _new_page(browser, errors):
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    page.on("pageerror", lambda error: _expected(str(error)) or errors.append(str(error)))
    page.on("console", lambda message: _unexpected(message) and errors.append(_unexpected(message)))
    page.set_default_timeout(WAIT_MS)
    return context, page


def _set_up_station(page, live_server, username, area, label, place=""):
    """Sign in, choose the area (and the point or team, if given), name the device: the
    station opens with its token."""
    page.goto(f"{live_server.url}/station/setup/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/station/setup/$"))
    page.select_option("select[name=area]", str(area.pk))
    if place:
        page.select_option("select[name=place]", place)
    page.fill("input[name=label]", label)
    page.screenshot(path=str(SCREENSHOT.with_name(SCREENSHOT.stem + "-setup.png")))
    page.click("form[action='/station/setup/'] button[type=submit]")
    page.wait_for_url(re.compile(r"/station/$"))
    page.wait_for_selector("body[data-ready=yes]")


def _wait_drained(page):
    page.wait_for_function(
        "() => document.getElementById('st-queue-count').textContent === '0'", timeout=60_000
    )


def _scan(page, text):
    page.fill("#st-scan", text)
    page.press("#st-scan", "Enter")


def _open_tube(page, barcode):
    """A tube's scan, then its card: scanning a person before the tube is open (the scan's
    work is asynchronous) would be a scan without a tube."""
    _scan(page, barcode)
    page.wait_for_function(
        "code => document.getElementById('st-tube-code').textContent === code"
        " && !document.getElementById('st-tube-open').hidden",
        arg=barcode,
    )


def _register(page, text, name):
    """One person per scan: the scan shows who it is, Enter confirms."""
    _scan(page, text)
    page.wait_for_selector("#st-confirm:not([hidden])")
    assert page.text_content("#st-c-name") == name
    before = page.evaluate("() => WanggeStation.app.state.pending")
    page.press("#st-scan", "Enter")
    page.wait_for_function("(n) => WanggeStation.app.state.pending > n", arg=before)
    assert page.is_hidden("#st-confirm")


# What the browser logs on its own while the test pulls the network away on purpose.
EXPECTED_LOGS = [
    "net::ERR_INTERNET_DISCONNECTED",  # offline
    "net::ERR_CONNECTION_RESET (/api/v1/testing/station/registrations)",  # the lost answer
    # html5-qrcode's video, removed when the camera closes before the fake camera's first
    # frame plays: Chromium's own notice, depending on timing.
    "The play() request was interrupted because the media was removed from the document",
]


def _expected(text):
    return any(expected in text for expected in EXPECTED_LOGS)


def _unexpected(message):
    """A console error the station should not cause, as text; "" otherwise."""
    if message.type != "error":
        return ""
    url = message.location.get("url", "")
    path = url.split("//", 1)[-1].partition("/")[2]
    text = f"{message.text} (/{path})"
    return "" if _expected(text) else text


def _pick_by_number(page, number, name_part, expect_total=None):
    """Scan an ID number offline and pick, from the people it may be, the one whose name
    holds `name_part` (typed into the list's filter; Enter takes the only one left)."""
    _scan(page, number)
    page.wait_for_selector("#st-choose:not([hidden])")
    if expect_total is not None:
        shown = page.locator("#st-choose-list li").count()
        assert shown == expect_total, shown
    page.fill("#st-choose-name", name_part)
    page.wait_for_function("() => document.querySelectorAll('#st-choose-list li').length === 1")
    page.press("#st-choose-name", "Enter")


def _assert_one_refusal(page, name, reason_code):
    """One record is listed under "Refused", with the person's name and the reason."""
    page.wait_for_selector("#st-rejected:not([hidden])")
    assert page.text_content("#st-rejected-count") == "1"
    page.click("#st-rejected")
    page.wait_for_selector("#st-rejects-list li")
    assert name in page.text_content("#st-rejects-list")
    assert page.text_content("#st-rejects-list .tag") == str(REASONS[reason_code])


def _queued_client_ids(page):
    entries = page.evaluate("() => WanggeStation.db.getAll('queue')")
    return {
        entry["client_id"]: entry["body"]["tube_barcode"]
        for entry in entries
        if entry["kind"] == "registration"
    }


def test_station_registers_offline_and_uploads_everything_once(browser, live_server, tree):
    sampler = grant(UserFactory(username="zhou"), Role.SAMPLER, tree["community"])
    people = [
        make_resident(tree["grid_a"], name, room=str(101 + i), phone=f"1390000{i:04d}")
        for i, name in enumerate(["张一", "王二", "李三", "赵四", "钱五", "孙六", "周七"])
    ]
    round_ = make_round(tree["community"], pool_size=5)
    SamplingPoint.objects.create(round=round_, number=1, name="街道点", area=tree["street"])
    own = SamplingPoint.objects.create(
        round=round_, number=2, name="社区点", area=tree["community"]
    )
    typed = people[3]  # found offline by the ID number typed at the desk
    typed_number = typed.reveal_id_number()

    errors = []
    context, page = _new_page(browser, errors)

    # Sign in and set the station up for the community.
    _set_up_station(page, live_server, "zhou", tree["community"], "1号点 1号台")
    device = DeviceToken.objects.get()
    assert (device.user, device.area) == (sampler, tree["community"])

    # The roster arrives, the one open round is chosen, the service worker takes over.
    page.wait_for_function("(n) => WanggeStation.app.state.roster.size === n", arg=len(people))
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    # Chromium's own verdict: the station could be installed as an app, were the test's
    # browser context not an incognito one.
    cdp = context.new_cdp_session(page)
    verdict = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert [error["errorId"] for error in verdict] == ["in-incognito"]
    cdp.detach()
    assert page.input_value("#st-round") == str(round_.pk)
    # The station starts at its own area's point (the street's serves it too, further up).
    assert page.input_value("#st-point") == str(own.pk)
    assert page.get_attribute("#st-net", "data-state") == "online"
    roster = page.evaluate("() => WanggeStation.db.getAll('roster')")
    assert {item["code"] for item in roster} == {p.code for p in people}
    # The roster holds masked numbers only, never a full one.
    assert typed_number not in json.dumps(roster, ensure_ascii=False)

    # The network goes: the station says so and goes on working.
    reached = []

    def note_request(sender, environ, **kwargs):
        reached.append(environ["PATH_INFO"])

    # No sync in flight when the network goes (one sent just before could still reach the
    # server after it), then a moment for the server to finish what it had received.
    page.wait_for_function("() => !WanggeStation.app.state.syncing")
    context.set_offline(True)
    page.wait_for_selector("#st-net[data-state=offline]")
    page.wait_for_timeout(300)
    request_started.connect(note_request)
    _open_tube(page, "T0000001")
    for person in people[:3]:
        _register(page, person.code, person.name)
    # An ID number typed (or sent by a USB scanner) offline: the station holds no key to
    # it, so it lists the roster's people of its birth year and sex; a part of the name
    # picks the person, and the server checks the number at upload.
    _pick_by_number(page, typed_number, typed.name[1:], expect_total=len(people))
    page.wait_for_selector("#st-confirm:not([hidden])")
    assert page.text_content("#st-c-name") == typed.name
    # A second scan before the confirmation is dropped, never taken for the person shown,
    # and the next Enter confirms that person.
    _scan(page, people[4].code)
    assert page.input_value("#st-scan") == ""
    assert page.text_content("#st-c-name") == typed.name
    page.press("#st-scan", "Enter")
    page.wait_for_function("() => WanggeStation.app.state.pending === 4")
    assert page.text_content("#st-queue-count") == "4"
    assert page.text_content("#st-tube-fill") == "4 / 5"

    # A reload while offline: the service worker serves the station, the tube is still open.
    response = page.reload()
    assert response is not None and response.from_service_worker
    page.wait_for_selector("body[data-ready=yes]")
    page.wait_for_selector("#st-net:not([data-state=online])")
    assert page.text_content("#st-queue-count") == "4"
    assert page.text_content("#st-tube-fill") == "4 / 5"
    assert page.locator("#st-members li").count() == 4
    page.screenshot(path=str(SCREENSHOT.with_name(SCREENSHOT.stem + "-offline.png")))

    # The fifth person fills the tube, which seals itself; the next scan opens a new tube.
    _register(page, people[4].code, people[4].name)
    page.wait_for_selector("#st-tube-none:not([hidden])")
    _open_tube(page, "T0000002")
    # Someone already sampled in this round is flagged, and may still be registered.
    _scan(page, people[0].code)
    page.wait_for_selector("#st-confirm[data-repeat=yes]:not([hidden])")
    page.press("#st-scan", "Escape")
    assert page.is_hidden("#st-confirm")
    _register(page, people[0].code, people[0].name)
    _register(page, people[5].code, people[5].name)
    # A visitor not in the roster: none of the people listed for their number is them,
    # and the list's walk-in button opens the form with the number.
    visitor_number = id_number(region="110101")
    _scan(page, visitor_number)
    page.wait_for_selector("#st-choose:not([hidden])")
    page.click("#st-choose-walkin")
    page.wait_for_selector("#st-walkin:not([hidden])")
    assert page.input_value("#wi-idnumber") == visitor_number
    page.fill("#wi-name", "过客")
    page.fill("#wi-phone", "13800138000")
    page.press("#wi-name", "Enter")
    page.wait_for_function("() => WanggeStation.app.state.pending === 8")
    # F4 on a tube that is not full asks once; F4 again seals it early (queued like the
    # registrations).
    page.press("#st-scan", "F4")
    page.wait_for_selector("#st-message[data-tone=warn]")
    assert "3 / 5" in page.text_content("#st-tube-fill")
    assert page.is_visible("#st-tube-open")
    assert page.text_content("#st-queue-count") == "8"
    page.press("#st-scan", "F4")
    page.wait_for_selector("#st-tube-none:not([hidden])")
    page.wait_for_function("() => document.getElementById('st-queue-count').textContent === '9'")
    request_started.disconnect(note_request)
    # Not even the service worker reached the server: the reload came from its cache.
    assert reached == []
    assert not Registration.objects.exists()

    # Back online. The first upload's answer is lost on the way back (the server stored
    # the batch, the station never heard): the station retries, and nothing is stored twice.
    lost = []

    def lose_first_answer(route):
        if lost:
            route.continue_()
            return
        lost.append(route.fetch().status)
        route.abort("connectionreset")

    page.route("**/api/v1/testing/station/registrations", lose_first_answer)
    context.set_offline(False)
    _wait_drained(page)
    assert lost == [200], "the first upload reached the server and its answer was lost"
    assert page.get_attribute("#st-net", "data-state") == "online"
    assert page.is_hidden("#st-rejected")
    answers = page.evaluate(
        "() => WanggeStation.db.getAll('queue').then((q) => q.map((e) => [e.kind, e.answer]))"
    )
    assert sorted(map(tuple, answers)) == [("registration", "duplicate")] * 8 + [
        ("seal", "accepted")
    ]
    queued = _queued_client_ids(page)
    assert len(queued) == 8
    stored = Registration.objects.filter(round=round_)
    assert stored.count() == 8
    assert {str(value) for value in stored.values_list("client_id", flat=True)} == set(queued)
    assert not stored.values("client_id").annotate(n=Count("pk")).filter(n__gt=1).exists()
    for client_id, barcode in queued.items():
        assert stored.get(client_id=client_id).tube.barcode == barcode
    tubes = {tube.barcode: tube for tube in Tube.objects.filter(round=round_)}
    assert set(tubes) == {"T0000001", "T0000002"}
    for barcode, tube in tubes.items():
        assert tube.filled == tube.registrations.count() == list(queued.values()).count(barcode)
        assert tube.status == "sealed"
        assert tube.capacity == 5
        assert tube.sampling_point == own
    assert tubes["T0000002"].filled == 3
    assert stored.filter(resident=people[0]).count() == 2
    walk_in = WalkIn.objects.get()
    assert walk_in.name == "过客" and walk_in.reveal_id_number() == visitor_number
    # Once stored, the station forgets the numbers and phones it sent.
    queue_text = json.dumps(page.evaluate("() => WanggeStation.db.getAll('queue')"))
    assert visitor_number not in queue_text and typed_number not in queue_text
    assert stored.get(resident=typed).resident == typed

    # The phone-size screen, for a person to look at.
    _open_tube(page, "T0000003")
    _scan(page, people[6].code)
    page.wait_for_selector("#st-confirm:not([hidden])")
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    assert not errors, errors
    context.close()


def test_door_to_door_team_and_recall_single_tubes(browser, live_server, tree):
    grant(UserFactory(username="wu"), Role.VOLUNTEER, tree["grid_a"])
    bedridden = make_resident(tree["grid_a"], "卧床甲", room="201", tags=int(Tag.BEDRIDDEN))
    slow = make_resident(tree["grid_a"], "行动乙", room="202", tags=int(Tag.LIMITED_MOBILITY))
    round_ = make_round(tree["community"], pool_size=10)
    team = DoorToDoorTeam.objects.create(round=round_, name="上门一队", area=tree["grid_a"])
    point = SamplingPoint.objects.create(round=round_, number=1, name="1号", area=tree["community"])
    earlier = make_round(tree["community"], name="上一轮", open_it=False)
    Tube.objects.create(
        barcode="USED0001",
        round=earlier,
        capacity=1,
        area=tree["grid_a"],
        opened_at=timezone.now(),
    )
    errors = []
    context, page = _new_page(browser, errors)
    context.grant_permissions(["camera"])
    _set_up_station(page, live_server, "wu", tree["grid_a"], "上门 1", f"team:{team.pk}")
    page.wait_for_function("() => WanggeStation.app.state.roster.size === 2")
    # The team chosen at setup: the station starts door to door with it.
    assert page.input_value("#st-mode") == "door"
    assert page.input_value("#st-team") == str(team.pk)

    # The camera opens in the page (F8) and closes with Esc, back to the scan field.
    page.press("#st-scan", "F8")
    page.wait_for_selector("#st-camera-view video")
    page.press("body", "Escape")
    page.wait_for_selector("#st-camera", state="hidden")
    page.wait_for_function("() => document.activeElement.id === 'st-scan'")

    # The team's list of homes, then the door-to-door round with the network gone.
    page.select_option("#st-mode", "door")
    page.select_option("#st-team", str(team.pk))
    page.wait_for_function("() => document.querySelectorAll('#st-homes-list li').length === 2")
    context.set_offline(True)
    page.wait_for_selector("#st-net[data-state=offline]")
    _open_tube(page, "D0000001")
    page.click(f"#st-homes-list button[data-pick='{bedridden.code}']")
    page.wait_for_selector("#st-confirm:not([hidden])")
    assert page.text_content("#st-c-name") == "卧床甲"
    page.press("#st-scan", "Enter")
    page.wait_for_function("() => WanggeStation.app.state.pending === 1")
    home = f"#st-homes-list li[data-household='{bedridden.household_id}']"
    page.click(f"{home} button[data-outcome=sampled]")
    page.click(
        f"#st-homes-list li[data-household='{slow.household_id}'] button[data-outcome=nobody_home]"
    )
    # Each visit is said once it is queued; F4's question must come after, not be replaced.
    page.wait_for_function(
        "label => document.getElementById('st-message').dataset.tone === 'ok'"
        " && document.getElementById('st-message').textContent.includes(label)",
        arg=slow.household.label,
    )
    page.press("#st-scan", "F4")
    page.wait_for_selector("#st-message[data-tone=warn]")
    page.click("#st-seal")
    page.wait_for_selector("#st-tube-none:not([hidden])")
    page.wait_for_function("() => document.getElementById('st-queue-count').textContent === '4'")

    # Recall: single tubes only; each seals itself after its one person.
    page.select_option("#st-mode", "recall")
    _open_tube(page, "R0000001")
    assert page.text_content("#st-tube-fill") == "0 / 1"
    _register(page, slow.code, "行动乙")
    page.wait_for_selector("#st-tube-none:not([hidden])")
    # A tube whose barcode another round already used: the server will refuse the record.
    _open_tube(page, "USED0001")
    _register(page, bedridden.code, "卧床甲")

    context.set_offline(False)
    _wait_drained(page)
    # The refusal is shown with its reason until the operator dismisses it.
    _assert_one_refusal(page, "卧床甲", "tube_other_round")
    page.click("#st-rejects-list button[data-dismiss]")
    page.wait_for_selector("#st-rejected", state="hidden")
    assert not Registration.objects.filter(tube__barcode="USED0001", round=round_).exists()
    door = Registration.objects.get(tube__barcode="D0000001")
    assert (door.resident, door.mode, door.tube.capacity) == (bedridden, "door", 10)
    assert door.tube.status == "sealed" and door.tube.filled == 1
    assert (door.tube.door_team, door.tube.sampling_point) == (team, None)
    recall = Registration.objects.get(tube__barcode="R0000001")
    assert (recall.resident, recall.tube.capacity, recall.tube.status) == (slow, 1, "sealed")
    assert recall.tube.sampling_point == point
    visits = dict(HomeVisit.objects.filter(round=round_).values_list("household_id", "outcome"))
    assert visits == {bedridden.household_id: "sampled", slow.household_id: "nobody_home"}
    assert set(HomeVisit.objects.values_list("team", flat=True)) == {team.pk}
    assert not errors, errors
    context.close()


def test_a_refused_record_is_listed_while_the_queue_goes_on_and_errors_back_off(
    browser, live_server, tree
):
    """Offline, a pick whose scanned number is someone else's is refused by the server with
    its reason, shown, and taken out of the queue; the records after it upload. A server
    error makes the station wait longer and longer, never loop."""
    grant(UserFactory(username="qian"), Role.SAMPLER, tree["community"])
    born = dt.date(1980, 5, 17)
    jia, yi, bing, ding, wu = (
        make_resident(tree["grid_a"], name, room=str(301 + i), number=id_number(birth=born))
        for i, name in enumerate(["甲一", "乙二", "丙三", "丁四", "戊五"])
    )
    make_resident(tree["grid_a"], "女士", room="399", number=id_number(birth=born, sex="F"))
    round_ = make_round(tree["community"], pool_size=10)
    # A grid's point, below the community's station: it may work there, but not by default.
    point = SamplingPoint.objects.create(round=round_, number=1, name="甲格点", area=tree["grid_a"])
    errors = []
    context, page = _new_page(browser, errors)
    _set_up_station(page, live_server, "qian", tree["community"], "2号台")
    page.wait_for_function("() => WanggeStation.app.state.roster.size === 6")
    page.wait_for_function("() => !WanggeStation.app.state.syncing")
    context.set_offline(True)
    page.wait_for_selector("#st-net[data-state=offline]")
    # No tube without its point: the station asks for one first.
    assert page.input_value("#st-point") == ""
    _scan(page, "T0000010")
    page.wait_for_selector("#st-message[data-tone=bad]")
    assert page.is_hidden("#st-tube-open")
    page.select_option("#st-point", str(point.pk))
    _open_tube(page, "T0000010")
    # 甲一's card, but the operator picks 乙二 (same year, same sex) by mistake.
    _pick_by_number(page, jia.reveal_id_number(), "乙", expect_total=5)
    page.wait_for_selector("#st-confirm:not([hidden])")
    assert page.text_content("#st-c-name") == "乙二"
    page.press("#st-scan", "Enter")
    page.wait_for_function("() => WanggeStation.app.state.pending === 1")
    # 丙三 by the resident code; 丁四's number with nobody picked: found by the number.
    _register(page, bing.code, "丙三")
    _scan(page, ding.reveal_id_number())
    page.wait_for_selector("#st-choose:not([hidden])")
    page.click("#st-choose-number")
    page.wait_for_function("() => WanggeStation.app.state.pending === 3")

    # Back online, the server fails: the station backs off (0.5-1 s, 1-2 s, 2-4 s, ...).
    tries = []

    def fail(route):
        tries.append(time.monotonic())
        route.fulfill(status=500, body="boom")

    page.route("**/api/v1/testing/station/registrations", fail)
    context.set_offline(False)
    page.wait_for_function("() => WanggeStation.app.state.failures >= 1")
    page.wait_for_timeout(6000)
    assert 2 <= len(tries) <= 5, tries  # a tight loop would have sent hundreds
    waited = page.evaluate("() => WanggeStation.app.state.nextTry - Date.now()")
    assert waited > 0
    caps = page.evaluate("() => Array.from({length: 200}, () => WanggeStation.backoff(40))")
    assert max(caps) <= 5 * 60 * 1000 and min(caps) >= 150_000
    assert not Registration.objects.exists()

    # The server works again (F9 uploads at once): the refusal is listed with its reason,
    # and every other record is stored.
    page.unroute("**/api/v1/testing/station/registrations")
    page.press("#st-scan", "F9")
    _wait_drained(page)
    _assert_one_refusal(page, "乙二", "id_number_mismatch")
    stored = Registration.objects.filter(round=round_)
    assert set(stored.values_list("resident__name", flat=True)) == {"丙三", "丁四"}
    queue_text = json.dumps(page.evaluate("() => WanggeStation.db.getAll('queue')"))
    assert jia.reveal_id_number() not in queue_text
    assert ding.reveal_id_number() not in queue_text

    # Online, a scanned number is resolved by the server at once, and the lookup audited.
    _register(page, wu.reveal_id_number(), "戊五")
    assert AuditEntry.objects.filter(action="station.lookup", object_id=str(wu.pk)).exists()
    _wait_drained(page)
    assert stored.filter(resident=wu).exists()
    failed_on_purpose = (
        "status of 500 (Internal Server Error) (/api/v1/testing/station/registrations)"
    )
    assert not [error for error in errors if not error.endswith(failed_on_purpose)], errors
    context.close()


V1_DATABASE = """([token, item]) => new Promise((resolve, reject) => {
  const request = indexedDB.open("wangge-station", 1);
  request.onupgradeneeded = () => {
    const db = request.result;
    db.createObjectStore("meta");
    db.createObjectStore("roster", {keyPath: "code"}).createIndex("id_key", "id_key");
    const queue = db.createObjectStore("queue", {keyPath: "client_id"});
    queue.createIndex("state", ["state", "client_id"]);
    queue.createIndex("tube", "tube");
    db.createObjectStore("tubes", {keyPath: "barcode"});
    db.createObjectStore("sampled", {keyPath: ["round_id", "code"]});
  };
  request.onsuccess = () => {
    const db = request.result;
    const tx = db.transaction(["meta", "roster"], "readwrite");
    tx.objectStore("meta").put(token, "token");
    tx.objectStore("meta").put({roster_key: "AAAA", area: null}, "device");
    tx.objectStore("meta").put("old-cursor", "roster_cursor");
    tx.objectStore("roster").put(item);
    tx.oncomplete = () => { db.close(); resolve(); };
    tx.onerror = () => reject(tx.error);
  };
  request.onerror = () => reject(request.error);
})"""

ROSTER_INDEXES = """() => new Promise((resolve) => {
  const request = indexedDB.open("wangge-station");
  request.onsuccess = () => {
    const db = request.result;
    const names = Array.from(db.transaction("roster").objectStore("roster").indexNames);
    db.close();
    resolve([db.version, names]);
  };
})"""


def test_a_station_of_the_old_version_drops_its_hashes_and_downloads_again(
    browser, live_server, tree
):
    sampler = grant(UserFactory(username="sun"), Role.SAMPLER, tree["community"])
    person = make_resident(tree["grid_a"], "周九")
    token, _device = issue_device_token(sampler, tree["community"], "旧手机", acting_user=sampler)
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/station/manifest.webmanifest")
    old_item = {"code": "OLDCODE001", "name": "旧", "id_key": "ab" * 16}
    page.evaluate(V1_DATABASE, [token, old_item])
    page.goto(f"{live_server.url}/station/")
    page.wait_for_selector("body[data-ready=yes]")
    page.wait_for_function("() => WanggeStation.app.state.roster.size === 1")
    roster = page.evaluate("() => WanggeStation.db.getAll('roster')")
    assert [item["code"] for item in roster] == [person.code]
    assert "id_key" not in json.dumps(roster)
    assert page.evaluate(ROSTER_INDEXES) == [2, []]
    device = page.evaluate("() => WanggeStation.db.getMeta('device')")
    assert "roster_key" not in device
    context.close()


def test_uuid7_and_id_facts_match_the_server(browser, live_server, tree):
    """The station's client ids are RFC 9562 version 7 and time-ordered, and what it reads
    from a typed number (canonical form, birth year, sex) is what the server reads."""
    from wangge.lib import idnumbers

    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/station/")
    # A browser that holds no token is sent to the setup.
    page.wait_for_selector("#st-unset:not([hidden])")
    assert page.is_hidden("#st-work")
    assert page.get_attribute("#st-unset a", "href") == "/station/setup/"
    ids = page.evaluate("() => Array.from({length: 2000}, () => WanggeStation.uuid7())")
    assert ids == sorted(ids) and len(set(ids)) == len(ids)
    pattern = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
    assert all(pattern.match(value) for value in ids)
    millis = page.evaluate("(id) => WanggeStation.uuid7Millis(id)", ids[0])
    now = dt.datetime.now(dt.UTC).timestamp() * 1000
    assert abs(now - millis) < 60_000

    for raw in ["６２０１０３１９８００５１７００１Ｘ", "620103-19800517-001x", " h12345678 "]:
        canonical = idnumbers.normalise(raw)
        assert page.evaluate("(raw) => WanggeStation.normaliseId(raw)", raw) == canonical
    for number in [id_number(birth=dt.date(2001, 2, 28), sex=sex) for sex in "MF"]:
        facts = idnumbers.resident_card_facts(number)
        got = page.evaluate("(n) => WanggeStation.idFacts('resident_card', n)", number)
        assert got == {"birthYear": facts.birth_date.year, "sex": facts.sex}
    assert page.evaluate("() => WanggeStation.idFacts('passport', 'E12345678')") is None
    context.close()
