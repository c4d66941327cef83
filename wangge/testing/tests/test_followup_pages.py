"""The follow-up loop's pages: the call that opens the dialler without the number on the
page, recording outcomes inline, the list's order, and the progress of grids."""

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UserFactory, grant, make_resident
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.testing.actions.followups import record_followup
from wangge.testing.choices import FollowUpOutcome
from wangge.testing.models import Exemption, FollowUp
from wangge.testing.tests.conftest import PHONE
from wangge.testing.tests.factories import make_round

HTMX = {"HTTP_HX_REQUEST": "true"}


def _list_url(round_, grid):
    return f"/testing/{round_.pk}/grids/{grid.pk}/untested/"


def _record_url(round_, resident):
    return f"/testing/{round_.pk}/followups/{resident.pk}/"


# --- the call --------------------------------------------------------------------------


def test_call_answers_with_a_tel_redirect_and_audits_it(client, person, bob):
    client.force_login(bob)
    response = client.post(f"/residents/{person.pk}/call/")
    assert response.status_code == 302
    assert response["Location"] == f"tel:{PHONE}"
    assert response["Cache-Control"] == "no-store"
    assert PHONE not in response.content.decode()
    assert AuditEntry.objects.filter(action="resident.call", actor=bob).count() == 1


def test_untested_list_offers_the_call_without_the_number(client, grid_round, tree, person, bob):
    client.force_login(bob)
    page = client.get(_list_url(grid_round, tree["grid_a"])).content.decode()
    assert f"/residents/{person.pk}/call/" in page
    assert PHONE not in page and PHONE[-8:] not in page
    assert "tel:" not in page


def test_call_needs_the_contact_permission(client, tree, person):
    sampler = grant(UserFactory(username="sampler"), Role.SAMPLER, tree["grid_a"])
    client.force_login(sampler)
    assert client.post(f"/residents/{person.pk}/call/").status_code == 404
    assert not AuditEntry.objects.filter(action="resident.call").exists()


def test_call_out_of_scope_is_404(client, person, charlie):
    client.force_login(charlie)
    assert client.post(f"/residents/{person.pk}/call/").status_code == 404


def test_call_is_post_only(client, person, bob):
    client.force_login(bob)
    assert client.get(f"/residents/{person.pk}/call/").status_code == 405


def test_call_over_the_limit_opens_no_dialler(client, person, bob, monkeypatch):
    from wangge.residents import actions

    monkeypatch.setattr(actions, "CALLS_PER_WINDOW", 1)
    client.force_login(bob)
    assert client.post(f"/residents/{person.pk}/call/")["Location"].startswith("tel:")
    refused = client.post(f"/residents/{person.pk}/call/")
    assert refused.status_code == 302
    assert not refused["Location"].startswith("tel:")


# --- recording -------------------------------------------------------------------------


def test_inline_record_answers_with_the_row_and_the_progress(client, grid_round, person, bob):
    client.force_login(bob)
    response = client.post(
        _record_url(grid_round, person),
        {"outcome": "will_come", "come_at": "18:00", "note": "下班后来"},
        **HTMX,
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="person-{person.pk}"' in body
    assert 'id="followup-stats"' in body and 'hx-swap-oob="true"' in body
    followup = FollowUp.objects.get(resident=person)
    assert timezone.localtime(followup.come_at).time() == dt.time(18, 0)
    assert followup.come_at > timezone.now()
    assert "下班后来" in body


def test_record_without_javascript_goes_back_to_the_list(client, grid_round, tree, person, bob):
    client.force_login(bob)
    response = client.post(_record_url(grid_round, person), {"outcome": "reached"})
    assert response.status_code == 302
    assert response["Location"] == _list_url(grid_round, tree["grid_a"])
    assert FollowUp.objects.filter(resident=person, outcome="reached").exists()


def test_will_come_without_a_time_is_refused_in_the_row(client, grid_round, person, bob):
    client.force_login(bob)
    response = client.post(_record_url(grid_round, person), {"outcome": "will_come"}, **HTMX)
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert not FollowUp.objects.exists()


def test_record_out_of_scope_is_404(client, grid_round, person, charlie):
    client.force_login(charlie)
    response = client.post(_record_url(grid_round, person), {"outcome": "reached"})
    assert response.status_code == 404
    assert not FollowUp.objects.exists()


def test_record_for_someone_outside_the_rounds_scope_is_404(client, tree, person, bob):
    round_ = make_round(tree["grid_b"])
    client.force_login(bob)
    assert client.post(_record_url(round_, person), {"outcome": "reached"}).status_code == 404


def test_away_offers_the_exemption_in_one_click(client, grid_round, tree, person, bob):
    record_followup(
        grid_round, person, outcome=FollowUpOutcome.AWAY, note="在外地出差", acting_user=bob
    )
    client.force_login(bob)
    page = client.get(_list_url(grid_round, tree["grid_a"])).content.decode()
    assert "exempt-away" in page
    response = client.post(
        f"/testing/{grid_round.pk}/exemptions/add/",
        {
            "resident": person.pk,
            "reason": "away",
            "note": "在外地出差",
            "next": _list_url(grid_round, tree["grid_a"]),
        },
    )
    assert response.status_code == 302
    assert Exemption.objects.filter(resident=person, reason="away").exists()
    assert AuditEntry.objects.filter(action="exemption.record", actor=bob).exists()


# --- the list and the progress page ----------------------------------------------------


def test_untested_list_shows_who_followed_up_and_sorts(client, grid_round, tree, alice, bob):
    grid = tree["grid_a"]
    first = make_resident(grid, "先拒绝", room="101")
    second = make_resident(grid, "没联系", room="102")
    record_followup(grid_round, first, outcome=FollowUpOutcome.REFUSES, acting_user=alice)
    client.force_login(bob)
    page = client.get(_list_url(grid_round, grid)).content.decode()
    assert page.index(second.name) < page.index(first.name)
    assert "alice" in page


def test_untested_list_queries_do_not_grow_with_follow_ups(client, grid_round, tree, bob):
    grid = tree["grid_a"]
    people = [make_resident(grid, f"人{i}", room=f"1{i:02}") for i in range(4)]
    client.force_login(bob)

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_list_url(grid_round, grid)).status_code == 200
        return len(queries)

    count()  # the first visit recounts the grid's new residents and starts the session
    before = count()
    for person in people:
        record_followup(grid_round, person, outcome=FollowUpOutcome.UNREACHABLE, acting_user=bob)
        record_followup(grid_round, person, outcome=FollowUpOutcome.REACHED, acting_user=bob)
    assert count() == before


def test_community_sees_progress_per_grid_worst_first(client, grid_round, tree, alice, bob):
    a = [make_resident(tree["grid_a"], f"甲{i}", room=f"1{i:02}") for i in range(2)]
    make_resident(tree["grid_b"], "乙", room="201")
    for person in a:
        record_followup(grid_round, person, outcome=FollowUpOutcome.REACHED, acting_user=bob)
    client.force_login(alice)
    response = client.get(f"/testing/{grid_round.pk}/followups/?area={tree['community'].pk}")
    assert response.status_code == 200
    rows = [row.area for row in response.context["rows"]]
    assert rows.index(tree["grid_b"]) < rows.index(tree["grid_a"])
    assert response.context["total"].contacted == 2


def test_progress_page_out_of_scope_is_404(client, grid_round, tree, charlie):
    client.force_login(charlie)
    assert client.get(f"/testing/{grid_round.pk}/followups/").status_code == 404
