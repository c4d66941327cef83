"""The door-to-door service's pages, phone first: find the household, record, assign,
deliver, the lists, the supplies and their export, and the workbench cards."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import load_workbook

from tests.factories import UserFactory, grant
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.incidents.tests.test_photos import jpeg_bytes
from wangge.risk.choices import RiskLevel
from wangge.services import actions
from wangge.services.choices import ServiceStatus
from wangge.services.models import ServiceRequest, SupplyHandout
from wangge.services.tests.factories import make_household, make_request, set_level
from wangge.workforce.choices import WorkerKind
from wangge.workforce.tests.factories import make_worker


@pytest.fixture
def volunteer(tree):
    user = grant(UserFactory(username="vol"), Role.VOLUNTEER, tree["grid_a"])
    return make_worker(tree["grid_a"], "志愿者小赵", kind=WorkerKind.VOLUNTEER, user=user)


@pytest.fixture
def closed(tree):
    set_level(tree["grid_a"], RiskLevel.LOCKDOWN)
    return make_household(tree["grid_a"], "1201", building="7")


def test_grid_staff_find_the_household_by_its_address(client, bob, closed, tree):
    make_household(tree["grid_b"], "1201", building="7")  # the sibling grid's: not bob's
    client.force_login(bob)
    page = client.get("/services/new/", {"q": "7-2-1201"}, HTTP_HX_REQUEST="true")
    assert page.templates[0].name == "services/_matches.html"
    assert [h.pk for h in page.context["matches"]] == [closed.pk]


def test_a_request_recorded_on_the_phone_form(client, bob, closed):
    client.force_login(bob)
    form = client.get("/services/new/", {"household": closed.pk})
    assert form.status_code == 200 and form.context["eligibility"].eligible
    request_id = form.context["form"].initial["request_id"]
    data = {
        "household": closed.pk,
        "request_id": request_id,
        "kind": "medical_care",
        "care": "dialysis",
        "urgency": "urgent",
        "channel": "phone",
        "detail": "周三透析，需送医",
    }
    answer = client.post("/services/new/", data)
    assert answer.status_code == 302
    # Sent twice (a poor network): one request.
    client.post("/services/new/", data)
    request = ServiceRequest.objects.get()
    assert answer.url == f"/services/{request.pk}/"
    assert (request.care, request.urgency, request.requested_by) == ("dialysis", "urgent", bob)


def test_an_ineligible_household_is_told_why_and_gets_no_form(client, bob, tree):
    household = make_household(tree["grid_a"], "301")
    client.force_login(bob)
    page = client.get(
        "/services/new/", {"household": household.pk}, HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert "Not eligible" in page and "home measure" in page
    assert 'name="kind"' not in page
    refused = client.post(
        "/services/new/",
        {"household": household.pk, "kind": "groceries", "urgency": "routine", "channel": "phone"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert refused.status_code == 400
    assert not ServiceRequest.objects.exists()


def test_community_staff_see_the_exception_field(client, alice, tree):
    household = make_household(tree["grid_a"], "302")
    client.force_login(alice)
    page = client.get("/services/new/", {"household": household.pk}).content.decode()
    assert 'name="override_reason"' in page


def test_assign_then_deliver_with_supplies_from_the_request_page(client, alice, volunteer, closed):
    request = make_request(closed)
    client.force_login(alice)
    page = client.get(f"/services/{request.pk}/").content.decode()
    assert f"worker:{volunteer.pk}" in page
    client.post(f"/services/{request.pk}/assign/", {"assignee": f"worker:{volunteer.pk}"})
    client.force_login(volunteer.user)
    mine = client.get("/services/mine/")
    assert [row.pk for row in mine.context["rows"]] == [request.pk]
    client.post(f"/services/{request.pk}/step/", {"status": "accepted"})
    bad = client.post(
        f"/services/{request.pk}/step/",
        {"status": "delivered", "item_0": "rice", "quantity_0": "-3", "unit_0": "kg"},
    )
    assert bad.status_code == 400
    request.refresh_from_db()
    assert request.status == ServiceStatus.ACCEPTED
    client.post(
        f"/services/{request.pk}/step/",
        {
            "status": "delivered",
            "note": "已交给户主",
            "item_0": "rice",
            "quantity_0": "10",
            "unit_0": "斤",
        },
    )
    request.refresh_from_db()
    assert request.status == ServiceStatus.DELIVERED
    assert SupplyHandout.objects.get().request == request
    detail = client.get(f"/services/{request.pk}/").content.decode()
    assert "已交给户主" in detail


def test_the_delivery_photo_is_cleaned_kept_private_and_shown_to_who_sees_the_request(
    client, alice, volunteer, closed, charlie, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    request = make_request(closed)
    actions.assign(request, worker=volunteer, acting_user=alice)
    client.force_login(volunteer.user)
    upload = SimpleUploadedFile("IMG_0001.png", jpeg_bytes(fmt="PNG"), content_type="image/png")
    client.post(f"/services/{request.pk}/step/", {"status": "delivered", "photo": upload})
    request.refresh_from_db()
    assert request.status == ServiceStatus.DELIVERED
    assert request.delivery_photo.name.startswith("services/")
    assert request.delivery_photo.name.endswith(".jpg")
    shown = client.get(f"/services/{request.pk}/photo/")
    assert shown.status_code == 200 and shown["Cache-Control"] == "private, no-store"
    client.force_login(charlie)
    assert client.get(f"/services/{request.pk}/photo/").status_code == 404


def test_a_file_that_is_no_picture_is_refused(client, alice, volunteer, closed, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    request = make_request(closed)
    actions.assign(request, worker=volunteer, acting_user=alice)
    client.force_login(volunteer.user)
    upload = SimpleUploadedFile("x.jpg", b"not a picture", content_type="image/jpeg")
    client.post(f"/services/{request.pk}/step/", {"status": "delivered", "photo": upload})
    request.refresh_from_db()
    assert request.status == ServiceStatus.ASSIGNED and not request.delivery_photo


def test_the_list_flags_late_requests_and_filters_them(client, alice, closed, clock):
    late = make_request(closed, urgency="emergency")
    make_request(closed)
    clock.advance(hours=1)
    client.force_login(alice)
    page = client.get("/services/")
    assert page.context["figures"].late == 1 and page.context["figures"].open == 2
    only_late = client.get("/services/", {"late": "1"})
    assert [row.pk for row in only_late.context["rows"]] == [late.pk]


def test_the_list_costs_the_same_whatever_the_number_of_requests(
    client, alice, closed, django_assert_max_num_queries
):
    make_request(closed)
    client.force_login(alice)
    client.get("/services/")
    with django_assert_max_num_queries(12) as first:
        client.get("/services/")
    for _ in range(5):
        make_request(closed)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get("/services/")


def test_a_households_history_and_a_handout_of_its_own(client, bob, closed):
    make_request(closed)
    client.force_login(bob)
    page = client.get(f"/services/households/{closed.pk}/")
    assert len(page.context["requests"]) == 1
    answer = client.post(
        f"/services/households/{closed.pk}/handout/",
        {
            "item_0": "vegetables",
            "quantity_0": "3",
            "unit_0": "kg",
            "item_1": "masks",
            "quantity_1": "20",
            "unit_1": "个",
        },
    )
    assert answer.status_code == 302
    assert SupplyHandout.objects.count() == 2
    bad = client.post(
        f"/services/households/{closed.pk}/handout/",
        {"item_0": "vegetables", "quantity_0": "3"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert bad.status_code == 400 and "give the unit" in bad.content.decode()
    assert SupplyHandout.objects.count() == 2


def test_supplies_totals_per_grid_and_day_and_the_audited_export(client, alice, bob, closed, tree):
    now = timezone.now()
    lines = [actions.HandoutLine("rice", Decimal(5), "kg")]
    actions.record_handout(closed, lines, at=now, acting_user=bob)
    other = make_household(tree["grid_a"], "1202", building="7")
    actions.record_handout(other, lines, at=now, acting_user=bob)
    actions.record_handout(other, lines, at=now - dt.timedelta(days=1), acting_user=bob)
    client.force_login(alice)
    totals = client.get("/services/supplies/").context["totals"]
    today = [row for row in totals if row.day == timezone.localdate()]
    assert [(row.quantity, row.households) for row in today] == [(10, 2)]
    export = client.get("/services/supplies/export/")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.content)).active
    assert sheet.max_row == 2 + 3  # the title, the header, three lines
    entry = AuditEntry.objects.get(action=AuditEvent.SUPPLIES_EXPORT)
    assert entry.details["count"] == 3


# --- workbench cards -----------------------------------------------------------------------


def _cards(client, user):
    client.force_login(user)
    return {card.key: card for card in client.get("/").context["cards"]}


def test_the_cards_show_open_late_and_mine(client, alice, volunteer, closed, clock, charlie):
    request = make_request(closed, urgency="emergency")
    make_request(closed)
    actions.assign(request, worker=volunteer, acting_user=alice)
    clock.advance(hours=1)
    cards = _cards(client, alice)
    assert [f.value for f in cards["services.open"].figures] == [2, 1, 1]
    assert cards["services.open"].severity == 0  # an alarm: something is late
    mine = _cards(client, volunteer.user)["services.mine"]
    assert [f.value for f in mine.figures] == [1, 1]
    assert "services.open" not in _cards(client, charlie)
