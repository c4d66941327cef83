"""The incident pages as their users see them: reporting from a phone, taking the next
step, the lists and figures at a fixed number of queries, the workbench card."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import UserFactory, grant
from wangge.core.permissions import Role
from wangge.incidents import actions
from wangge.incidents.choices import IncidentStatus
from wangge.incidents.escalation import escalate_due
from wangge.incidents.models import Incident
from wangge.incidents.tests.factories import report
from wangge.incidents.tests.test_photos import jpeg_bytes

pytestmark = pytest.mark.django_db


def _form(area, **extra):
    data = {
        "id": str(uuid.uuid4()),
        "kind": "crowding",
        "severity": "high",
        "area": str(area.pk),
        "place": "1号采样点",
        "description": "排队过长",
    }
    data.update(extra)
    return data


def test_a_grid_member_reports_from_a_phone_with_their_grid_chosen(client, tree, chain, bob):
    client.force_login(bob)
    page = client.get("/incidents/report/").content.decode()
    assert 'accept="image/*"' in page and "capture" in page
    assert f'value="{tree["grid_a"].pk}"' in page  # the grid is already chosen
    assert "nav-prominent" in page  # the report link beside the inbox


def test_a_report_with_a_photo_is_routed_and_shown(client, tree, chain, bob, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    client.force_login(bob)
    photo = SimpleUploadedFile("IMG_0001.jpg", jpeg_bytes(), content_type="image/jpeg")
    response = client.post("/incidents/report/", {**_form(tree["grid_a"]), "photo": photo})
    incident = Incident.objects.get()
    assert response.status_code == 302 and response.url == f"/incidents/{incident.pk}/"
    assert incident.assignee == chain["cadre_a"] and incident.reporter == bob
    assert incident.photo.name.startswith("incidents/")
    page = client.get(response.url).content.decode()
    assert f"/incidents/{incident.pk}/photo/" in page
    # The reporter sees the incident but takes no step on it (no HANDLE on the grid).
    assert 'value="acknowledge"' not in page


def test_a_report_posted_twice_is_one_incident(client, tree, chain, bob):
    client.force_login(bob)
    data = _form(tree["grid_a"])
    client.post("/incidents/report/", data)
    client.post("/incidents/report/", data)
    assert Incident.objects.count() == 1


def test_a_report_with_a_file_that_is_no_photo_comes_back(client, tree, chain, bob):
    client.force_login(bob)
    fake = SimpleUploadedFile("x.jpg", b"<script>alert(1)</script>", content_type="image/jpeg")
    response = client.post("/incidents/report/", {**_form(tree["grid_a"]), "photo": fake})
    assert response.status_code == 200 and not Incident.objects.exists()


def test_a_volunteer_reports_but_sees_only_their_own(client, tree, chain):
    volunteer = grant(UserFactory(username="vol"), Role.VOLUNTEER, tree["grid_a"])
    client.force_login(volunteer)
    client.post("/incidents/report/", _form(tree["grid_a"]))
    mine = Incident.objects.get()
    other = report(tree["grid_a"], at=mine.reported_at, by=None)
    assert client.get(f"/incidents/{mine.pk}/").status_code == 200
    assert client.get(f"/incidents/{other.pk}/").status_code == 404
    assert client.get("/incidents/").status_code == 403


def test_the_assignee_takes_the_next_steps_from_the_page(client, tree, chain, bob, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    client.force_login(chain["cadre_a"].user)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert 'value="acknowledge"' in page
    url = f"/incidents/{incident.pk}/step/"
    client.post(url, {"step": "acknowledge"})
    client.post(url, {"step": "arrive"})
    assert client.post(url, {"step": "report_up", "note": ""}).status_code == 302
    assert Incident.objects.get().status == IncidentStatus.ON_SITE  # a report needs its note
    client.post(url, {"step": "report_up", "note": "已疏导"})
    client.post(url, {"step": "close", "note": ""})
    assert Incident.objects.get().status == IncidentStatus.CLOSED


def test_an_assignee_outside_the_area_acts_on_their_own_incident_only(
    client, tree, chain, bob, clock
):
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    # The district's leader holds street-level roles; escalate to a worker whose login has
    # no role on grid A at all: being assigned is enough.
    outsider = grant(UserFactory(username="outsider"), Role.VOLUNTEER, tree["grid_b"])
    worker = chain["no_login"]
    worker.user = outsider
    worker.save()
    Incident.objects.filter(pk=incident.pk).update(assignee=worker)
    client.force_login(outsider)
    assert client.get(f"/incidents/{incident.pk}/").status_code == 200
    client.post(f"/incidents/{incident.pk}/step/", {"step": "acknowledge"})
    assert Incident.objects.get().status == IncidentStatus.ACKNOWLEDGED
    assert client.get("/incidents/mine/").content.decode().count(f"/incidents/{incident.pk}/") == 1


def test_a_handler_reassigns_from_the_page(client, tree, chain, alice, bob, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob)
    client.force_login(alice)
    page = client.get(f"/incidents/{incident.pk}/").content.decode()
    assert f"/incidents/{incident.pk}/reassign/" in page
    client.post(f"/incidents/{incident.pk}/reassign/", {"worker": str(chain["leader_a"].pk)})
    assert Incident.objects.get().assignee == chain["leader_a"]


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_lists_and_figures_cost_the_same_queries_for_few_or_many(
    client, tree, chain, alice, bob, clock
):
    report(tree["grid_a"], at=clock.now, by=bob)
    client.force_login(alice)
    urls = [
        "/incidents/",
        "/incidents/?status=all&kind=fever",
        "/incidents/figures/",
        "/incidents/mine/",
    ]
    before = {url: _queries(client, url) for url in urls}
    for n in range(6):
        incident = report(tree["grid_a" if n % 2 else "grid_b"], at=clock.now, by=None)
        if n % 3 == 0:
            actions.acknowledge(incident, at=clock.advance(minutes=1), acting_user=None)
    escalate_due(clock.advance(hours=3))
    assert {url: _queries(client, url) for url in urls} == before


def test_the_figures_per_grid_and_per_cadre(client, tree, chain, alice, bob, clock):
    start = clock.now
    one = report(tree["grid_a"], at=start, by=bob)
    actions.acknowledge(one, at=clock.advance(minutes=4), acting_user=chain["cadre_a"].user)
    actions.arrive(one, at=clock.advance(minutes=20), acting_user=chain["cadre_a"].user)
    report(tree["grid_a"], at=clock.now, by=bob)
    escalate_due(clock.advance(minutes=6))  # the second one's acknowledgement was missed
    client.force_login(alice)
    response = client.get(f"/incidents/figures/?area={tree['community'].pk}")
    figures = response.context["figures"]
    assert figures.total.total == 2 and figures.total.open == 2 and figures.total.missed == 1
    grid_a = next(row for row in figures.children if row.area == tree["grid_a"])
    assert grid_a.acknowledge_minutes == 4.0 and grid_a.arrive_minutes == 24.0
    cadre = next(row for row in figures.cadres if row.label == "cadre_a")
    assert cadre.acknowledge_minutes == 4.0 and cadre.missed == 1


def test_the_workbench_card_alarms_when_a_limit_runs_out(client, tree, chain, bob, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob, severity="low")  # 60 minutes
    client.force_login(chain["cadre_a"].user)
    cards = {card.key: card for card in client.get("/").context["cards"]}
    assert cards["incidents.mine"].severity.name == "WAITING"
    assert cards["incidents.open"].figures[0].value == 1
    clock.advance(minutes=56)  # within the 5 minutes' warning
    assert {c.key: c for c in client.get("/").context["cards"]}[
        "incidents.mine"
    ].severity.name == "ALARM"
    clock.advance(minutes=5)
    cards = {card.key: card for card in client.get("/").context["cards"]}
    assert cards["incidents.mine"].severity.name == "ALARM"
    actions.close(incident, note="", at=clock.now, acting_user=None)
    assert "incidents.mine" not in {card.key for card in client.get("/").context["cards"]}


def test_charlie_sees_nothing_of_alices_incidents(client, tree, chain, bob, charlie, clock):
    incident = report(tree["grid_a"], at=clock.now, by=bob, place="西园秘密地点")
    client.force_login(charlie)
    assert client.get(f"/incidents/{incident.pk}/").status_code == 404
    assert "西园秘密地点" not in client.get("/incidents/").content.decode()
    assert client.get(f"/incidents/?area={tree['community'].pk}").status_code == 404
    assert client.get(f"/incidents/figures/?area={tree['community'].pk}").status_code == 404
