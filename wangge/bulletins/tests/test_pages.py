"""The bulletins' pages: an area's days, the downloads (audited), 404s that explain."""

import datetime as dt
import io

import pypdf
import pytest
from django.urls import reverse

from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.bulletins.actions import make_bulletin
from wangge.bulletins.tests.factories import figures_for
from wangge.snapshots.models import DaySnapshot
from wangge.snapshots.tests.factories import frozen_day

DAY = dt.date(2026, 3, 1)


@pytest.fixture
def days(tree):
    frozen_day(tree["community"], DAY - dt.timedelta(days=1), figures_for(1))
    frozen_day(tree["community"], DAY, figures_for(2))
    return frozen_day(tree["community"], DAY, figures_for(3, untested=7))  # version 2


def _pdf(area, day=DAY):
    return reverse("bulletins:pdf", kwargs={"area": area.pk, "day": day.isoformat()})


def test_the_list_shows_the_days_with_their_versions_and_downloads(client, tree, alice, days):
    first = DaySnapshot.objects.get(area=tree["community"], day=DAY, version=1)
    make_bulletin(tree["community"], DAY, acting_user=None, snapshot=first)
    client.force_login(alice)
    response = client.get(reverse("bulletins:list"), {"area": tree["community"].pk})
    page = response.content.decode()
    assert response.status_code == 200
    assert "每日简报" in page and "西园社区" in page
    assert "2026-03-01" in page and "2026-02-28" in page
    assert "v2" in page and "首次下载时生成" in page
    assert f"{_pdf(tree['community'])}?version=1" in page  # the earlier version's bulletin
    assert (
        reverse("bulletins:xlsx", kwargs={"area": tree["community"].pk, "day": "2026-02-28"})
        in page
    )
    assert "一号小区" in page  # the areas below, to go down to


def test_the_list_starts_at_the_top_of_the_users_areas(client, tree, alice, days):
    client.force_login(alice)
    page = client.get(reverse("bulletins:list")).content.decode()
    assert "西园社区" in page and "2026-03-01" in page


def test_a_download_is_made_on_the_spot_and_audited_as_an_export(client, tree, alice, days):
    client.force_login(alice)
    response = client.get(_pdf(tree["community"]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["Cache-Control"] == "no-store"
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "西园社区疫情防控工作日报" in text and "第2版" in text
    response = client.get(
        reverse("bulletins:xlsx", kwargs={"area": tree["community"].pk, "day": "2026-03-01"})
    )
    assert response.status_code == 200
    assert response.content[:2] == b"PK"
    entries = AuditEntry.objects.filter(action=AuditEvent.BULLETIN_DOWNLOAD).order_by("pk")
    assert [(e.actor, e.details["format"], e.details["version"]) for e in entries] == [
        (alice, "pdf", 2),
        (alice, "xlsx", 2),
    ]
    assert AuditEntry.objects.filter(action=AuditEvent.BULLETIN_MAKE).count() == 1


def test_an_earlier_version_can_be_downloaded(client, tree, alice, days):
    client.force_login(alice)
    response = client.get(_pdf(tree["community"]), {"version": "1"})
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "第1版" in text


def test_english_readers_get_the_english_bulletin(client, tree, alice, days):
    client.force_login(alice)
    response = client.get(_pdf(tree["community"]), HTTP_ACCEPT_LANGUAGE="en")
    text = "".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)
    assert "epidemic prevention and control daily bulletin" in text


def test_a_day_not_made_is_a_404_that_says_so(client, tree, alice, days):
    client.force_login(alice)
    response = client.get(_pdf(tree["community"], DAY + dt.timedelta(days=3)))
    assert response.status_code == 404
    assert "2026-03-04的数据尚未生成" in response.content.decode()
    response = client.get(_pdf(tree["grid_a"]))
    assert response.status_code == 404
    response = client.get(
        reverse("bulletins:xlsx", kwargs={"area": tree["community"].pk, "day": "2026-02-30"})
    )
    assert response.status_code == 404
    assert "YYYY-MM-DD" in response.content.decode()
    response = client.get(_pdf(tree["community"]), {"version": "7"})
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEvent.BULLETIN_DOWNLOAD).exists()


def test_unreadable_parameters_are_a_400(client, tree, alice, days):
    client.force_login(alice)
    assert client.get(_pdf(tree["community"]), {"version": "二"}).status_code == 400
    assert client.get(reverse("bulletins:list"), {"area": "x"}).status_code == 400


def test_another_districts_area_is_not_found(client, tree, charlie, days):
    client.force_login(charlie)
    assert client.get(_pdf(tree["community"])).status_code == 404
    assert client.get(reverse("bulletins:list"), {"area": tree["community"].pk}).status_code == 404
    assert not AuditEntry.objects.filter(action=AuditEvent.BULLETIN_DOWNLOAD).exists()


def test_the_menu_links_the_bulletins_for_those_who_read_the_analysis(client, alice):
    client.force_login(alice)
    assert reverse("bulletins:list") in client.get(reverse("home")).content.decode()
