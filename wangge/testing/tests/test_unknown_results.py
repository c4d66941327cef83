"""A positive (or invalid) result for a barcode nobody knows is an alarm, never a neutral
"skipped": red on the lab's check page, stored as an UnknownResult by the web import, the
laboratory API and the command, and shown with its count and a link on the command
centre's start page and round page until someone closes it saying what was found."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.test import Client

from tests.factories import UserFactory, grant, make_resident
from wangge.accounts.devices import issue_device_token
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.testing.models import LabResult, UnknownResult
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import make_tube

LAB_FILE = "样本编号,检测结果\nK0001,阴性\nZZ404,阳性\nZZ405,无效\nZZ406,阴性\n"


@pytest.fixture(autouse=True)
def english(settings, tmp_path):
    settings.LANGUAGE_CODE = "en"
    settings.WANGGE_IMPORT_DIR = tmp_path


@pytest.fixture
def known(tree, alice):
    person = make_resident(tree["grid_a"], "甲", room="101", phone="")
    round_ = make_round(tree["community"], user=alice)
    return make_tube(round_, tree["grid_a"], person, barcode="K0001"), round_


@pytest.fixture
def lab(tree):
    return grant(UserFactory(username="lab"), Role.LAB_LIAISON, tree["district"])


@pytest.fixture
def command(tree):
    return grant(UserFactory(username="command"), Role.COMMAND_CENTRE, tree["district"])


def _upload(client, lab) -> str:
    client.force_login(lab)
    upload = SimpleUploadedFile("r.csv", LAB_FILE.encode(), content_type="text/csv")
    response = client.post("/testing/results/import/", {"file": upload})
    assert response.status_code == 302
    return str(response.headers["Location"])


def test_check_page_shows_unknown_positive_barcodes_as_a_red_alarm(client, known, lab):
    page = client.get(_upload(client, lab)).content.decode()
    assert 'role="alert"' in page
    assert "Alarm: 2 positive or invalid results name barcodes" in page
    alarm = page[
        page.index('role="alert"') : page.index("</div></div>", page.index('role="alert"'))
    ]
    assert "ZZ404" in alarm and "ZZ405" in alarm
    assert "ZZ406" not in alarm  # a negative result for an unknown tube is no alarm
    assert not UnknownResult.objects.exists()  # nothing stored before the choice


def test_the_alarm_names_its_rows_with_chinese_brackets(client, known, lab):
    page = client.get(_upload(client, lab), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "阳性 （第 3 行）" in page and "(" not in page.split('role="alert"')[1].split("</ul>")[0]


def test_web_import_stores_the_alarms_in_the_uploaders_area(client, known, lab, tree):
    check_url = _upload(client, lab)
    response = client.post(check_url, {"choice": "import"}, follow=True)
    assert LabResult.objects.count() == 1
    alarms = UnknownResult.objects.order_by("barcode")
    assert [(a.barcode, a.result, a.area, a.resolved_at) for a in alarms] == [
        ("ZZ404", "positive", tree["district"], None),
        ("ZZ405", "invalid", tree["district"], None),
    ]
    assert alarms[0].reported_by == lab
    assert "Alarm: 2 positive or invalid results" in response.content.decode()
    assert AuditEntry.objects.filter(action="testing.unknown_results").count() == 1


def test_a_file_of_only_unknown_positives_can_still_be_kept_as_alarms(client, lab, tree):
    client.force_login(lab)
    upload = SimpleUploadedFile(
        "r.csv", "条码,结果\nZZ900,阳性\n".encode(), content_type="text/csv"
    )
    check_url = client.post("/testing/results/import/", {"file": upload}).headers["Location"]
    page = client.get(check_url).content.decode()
    assert 'value="import"' in page
    client.post(check_url, {"choice": "import"})
    assert UnknownResult.objects.get().barcode == "ZZ900"


def _post_api(client, token, items):
    return client.post(
        "/api/v1/lab/results",
        data=json.dumps({"items": items}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )


def test_lab_api_raises_the_alarm_once_in_the_devices_area(client, known, lab, tree):
    token, _device = issue_device_token(lab, tree["district"], "LIS", acting_user=lab)
    items = [
        {"barcode": "K0001", "result": "negative"},
        {"barcode": "ZZ404", "result": "positive"},
        {"barcode": "ZZ406", "result": "negative"},
    ]
    response = _post_api(client, token, items)
    assert response.status_code == 200
    assert [r["reason_code"] for r in response.json()["results"]] == [
        "",
        "unknown_barcode",
        "unknown_barcode",
    ]
    alarm = UnknownResult.objects.get()
    assert (alarm.barcode, alarm.result, alarm.area, alarm.source) == (
        "ZZ404",
        "positive",
        tree["district"],
        "api",
    )
    _post_api(client, token, items)  # the station's retry raises nothing twice
    assert UnknownResult.objects.count() == 1


def test_the_command_raises_the_alarm_too(known, lab, tmp_path):
    path = tmp_path / "r.csv"
    path.write_text(LAB_FILE)
    call_command("import_lab_results", str(path), "--apply", "--user", "lab")
    assert sorted(UnknownResult.objects.values_list("barcode", flat=True)) == ["ZZ404", "ZZ405"]


def _alarm_figure(home):
    """The number on the workbench's card of open alarms, None without the card."""
    for card in home.context["cards"]:
        if card.url == "/testing/alarms/":
            return str(card.figures[0].value)
    return None


def test_command_centre_sees_the_alarm_with_a_count_and_a_link(client, known, lab, command):
    client.post(_upload(client, lab), {"choice": "import"})
    client.force_login(command)
    home = client.get("/")
    assert _alarm_figure(home) == "2"
    assert 'href="/testing/alarms/"' in home.content.decode()
    round_page = client.get(f"/testing/{known[1].pk}/").content.decode()
    assert 'href="/testing/alarms/"' in round_page
    alarms_page = client.get("/testing/alarms/").content.decode()
    assert "ZZ404" in alarms_page and "ZZ405" in alarms_page
    # On a phone the result and the area stay whole words, never one character per line.
    assert '<td class="error-cell nowrap">' in alarms_page


def test_another_districts_command_centre_sees_no_alarm(client, known, lab, other_tree):
    client.post(_upload(client, lab), {"choice": "import"})
    stranger = grant(UserFactory(username="far"), Role.COMMAND_CENTRE, other_tree["district"])
    browser = Client()
    browser.force_login(stranger)
    assert _alarm_figure(browser.get("/")) is None
    assert "ZZ404" not in browser.get("/testing/alarms/").content.decode()


def test_closing_an_alarm_needs_a_note_and_clears_the_start_page(client, known, lab, command):
    client.post(_upload(client, lab), {"choice": "import"})
    client.force_login(command)
    alarm = UnknownResult.objects.get(barcode="ZZ404")
    url = f"/testing/alarms/{alarm.pk}/resolve/"
    client.post(url, {"note": "  "})
    alarm.refresh_from_db()
    assert alarm.resolved_at is None
    client.post(url, {"note": "条码录错，应为 K0404，已通知七里河区"})
    alarm.refresh_from_db()
    assert alarm.resolved_at is not None and alarm.resolved_by == command
    assert _alarm_figure(client.get("/")) == "1"
    assert AuditEntry.objects.filter(action="unknown_result.resolve").count() == 1


def test_a_grid_member_sees_the_alarm_but_cannot_close_it(client, known, lab, bob):
    client.post(_upload(client, lab), {"choice": "import"})
    alarm = UnknownResult.objects.get(barcode="ZZ404")
    alarm.area = known[0].area
    alarm.save()
    client.force_login(bob)
    assert "ZZ404" in client.get("/testing/alarms/").content.decode()
    assert client.post(f"/testing/alarms/{alarm.pk}/resolve/", {"note": "x"}).status_code == 404
