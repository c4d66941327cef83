import pytest
from django.urls import reverse

from tests.factories import UserFactory, grant, make_area, make_resident
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.workforce.models import Duty, Responsibility
from wangge.workforce.tests.factories import assign, duty, make_worker


@pytest.fixture
def chain(tree):
    """Every required duty held but grid B's grid leader."""
    return {
        "district": assign(
            make_worker(tree["district"], "区领导", phone="13911110001"),
            tree["street"],
            "district_leader_street",
        ),
        "street": assign(
            make_worker(tree["street"], "街道领导"), tree["community"], "street_leader_community"
        ),
        "community": assign(
            make_worker(tree["community"], "社区干部"), tree["community"], "cadre_community"
        ),
        "cadre_a": assign(
            make_worker(tree["grid_a"], "驻守甲", phone="13911110002"),
            tree["grid_a"],
            "stationed_cadre_grid",
        ),
        "cadre_b": assign(
            make_worker(tree["grid_b"], "驻守乙"), tree["grid_b"], "stationed_cadre_grid"
        ),
        "leader_a": assign(make_worker(tree["grid_a"], "网格长甲"), tree["grid_a"], "grid_leader"),
    }


def test_an_areas_chain_page_shows_who_answers_above_it_and_the_gaps_below(
    client, tree, alice, chain
):
    client.force_login(alice)
    response = client.get(reverse("workforce:chain_area", args=[tree["community"].pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for name in ("社区干部", "街道领导", "区领导"):
        assert name in page
    assert "13911110001" not in page and "139****0001" in page
    coverage = response.context["coverage"]
    assert (coverage.required, coverage.covered) == (6, 5)
    gaps = [gap for row in coverage.levels for gap in row.gaps]
    assert [(gap.area.pk, gap.duty.code) for gap in gaps] == [(tree["grid_b"].pk, "grid_leader")]
    assert reverse("workforce:chain_assign", args=[tree["grid_b"].pk]) in page


def test_the_chain_page_costs_the_same_queries_for_more_areas(
    client, tree, alice, chain, django_assert_max_num_queries
):
    client.force_login(alice)
    url = reverse("workforce:chain_area", args=[tree["community"].pk])
    client.get(url)
    with django_assert_max_num_queries(14) as before:
        client.get(url)
    for i in range(6):
        grid = make_area(f"新{i}号小区", "compound", tree["community"])
        assign(make_worker(grid, f"驻守{i}"), grid, "stationed_cadre_grid")
    with django_assert_max_num_queries(len(before.captured_queries)):
        client.get(url)


def test_assigning_through_the_form(client, tree, alice, chain):
    worker = make_worker(tree["grid_b"], "新网格长")
    client.force_login(alice)
    url = reverse("workforce:chain_assign", args=[tree["grid_b"].pk])
    search = client.get(url, {"q": "新网格"}, headers={"HX-Request": "true"})
    assert str(worker.pk) in search.content.decode()
    response = client.post(url, {"duty": duty("grid_leader").pk, "worker": str(worker.pk)})
    assert response.status_code == 302
    assert Responsibility.objects.filter(
        worker=worker, area=tree["grid_b"], ended_at__isnull=True
    ).exists()
    # A duty of another level is not offered.
    refused = client.post(url, {"duty": duty("cadre_community").pk, "worker": str(worker.pk)})
    assert refused.status_code == 200
    assert Responsibility.objects.filter(worker=worker).count() == 1


def test_bob_and_charlie_cannot_assign_end_or_hand_over(client, tree, bob, charlie, chain):
    worker = make_worker(tree["grid_a"], "路人")
    for user in (bob, charlie):
        client.force_login(user)
        url = reverse("workforce:chain_assign", args=[tree["grid_a"].pk])
        assert client.get(url).status_code == 404
        data = {"duty": duty("grid_leader").pk, "worker": str(worker.pk)}
        assert client.post(url, data).status_code == 404
        held = chain["cadre_a"]
        assert client.post(reverse("workforce:chain_end", args=[held.pk])).status_code == 404
        handover = reverse("workforce:chain_hand_over", args=[held.pk])
        assert client.post(handover, {"worker": str(worker.pk)}).status_code == 404
    assert Responsibility.objects.filter(ended_at__isnull=False).count() == 0
    assert Responsibility.objects.count() == len(chain)


def test_charlie_sees_none_of_alices_chain(client, tree, charlie, chain):
    client.force_login(charlie)
    assert client.get(reverse("workforce:chain_area", args=[tree["grid_a"].pk])).status_code == 404
    assert (
        client.get(reverse("workforce:chain_history", args=[tree["grid_a"].pk])).status_code == 404
    )


def test_ending_and_handing_over_keep_the_history_with_who_did_it(client, tree, alice, chain):
    client.force_login(alice)
    successor = make_worker(tree["grid_a"], "接任")
    held = chain["cadre_a"]
    response = client.post(
        reverse("workforce:chain_hand_over", args=[held.pk]), {"worker": str(successor.pk)}
    )
    assert response.status_code == 302
    client.post(reverse("workforce:chain_end", args=[chain["leader_a"].pk]))
    history = client.get(reverse("workforce:chain_history", args=[tree["grid_a"].pk]))
    rows = list(history.context["page"].object_list)
    assert {row.worker.name for row in rows} == {"驻守甲", "接任", "网格长甲"}
    ended = {row.worker.name: row for row in rows if row.ended_at is not None}
    assert set(ended) == {"驻守甲", "网格长甲"}
    assert ended["网格长甲"].ended_by == "alice"
    handed = next(row for row in rows if row.worker.name == "接任")
    assert handed.assigned_by == "alice"


def test_a_households_chain_and_its_phones_for_those_allowed(client, tree, alice, bob, chain):
    household = make_resident(tree["grid_a"]).household
    rep = assign(
        make_worker(tree["grid_a"], "联户甲"),
        tree["grid_a"],
        "household_representative",
        household=household,
    )
    url = reverse("workforce:chain_household", args=[household.pk])
    client.force_login(bob)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    order = ["联户甲", "驻守甲", "网格长甲", "社区干部", "区领导"]
    assert [body.index(name) for name in order] == sorted(body.index(name) for name in order)
    assert rep.worker.name in body and "13911110002" not in body
    phones = reverse("workforce:chain_household_phones", args=[household.pk])
    assert client.post(phones).status_code == 404
    client.force_login(alice)
    revealed = client.post(phones)
    assert "13911110002" in revealed.content.decode()
    # Its representative and its grid A up to the district: not grid B's cadre.
    assert AuditEntry.objects.filter(action=AuditEvent.WORKER_REVEAL).count() == 6


def test_a_households_chain_is_found_by_address_on_its_grids_page(client, tree, bob):
    household = make_resident(tree["grid_a"], room="702").household
    client.force_login(bob)
    found = client.get(
        reverse("workforce:chain_area", args=[tree["grid_a"].pk]),
        {"q": "702"},
        headers={"HX-Request": "true"},
    )
    link = reverse("workforce:chain_household", args=[household.pk])
    assert link in found.content.decode()
    # Without scripts, the page itself answers the search.
    page = client.get(reverse("workforce:chain_area", args=[tree["grid_a"].pk]), {"q": "702"})
    assert link in page.content.decode()


def test_only_administrators_change_duties(client, tree, alice):
    admin = grant(UserFactory(username="district_admin"), Role.ADMINISTRATOR, tree["district"])
    leader = duty("grid_leader")
    data = {"duty": leader.pk, "name": "网格长", "name_en": "Grid leader", "order": 2}
    client.force_login(alice)
    assert client.get(reverse("workforce:duties")).status_code == 403
    assert client.post(reverse("workforce:duties"), data).status_code == 403
    client.force_login(admin)
    assert client.get(reverse("workforce:duties")).status_code == 200
    assert client.post(reverse("workforce:duties"), data).status_code == 302
    leader.refresh_from_db()
    assert (leader.name, leader.required) == ("网格长", False)
    added = client.post(
        reverse("workforce:duties"),
        {
            "new-code": "medical",
            "new-level": 3,
            "new-name": "医疗联络员",
            "new-name_en": "Medical liaison",
            "new-required": "on",
            "new-order": 3,
        },
    )
    assert added.status_code == 302
    assert Duty.objects.get(code="medical").required


def test_the_area_page_shows_its_holders_and_gaps(client, tree, alice, chain):
    client.force_login(alice)
    response = client.get(reverse("areas:detail", args=[tree["grid_a"].pk]))
    body = response.content.decode()
    assert "驻守甲" in body
    assert reverse("workforce:chain_area", args=[tree["grid_a"].pk]) in body


def test_the_workbench_card_shows_the_coverage_and_the_gaps(client, tree, alice, chain):
    client.force_login(alice)
    response = client.get("/")
    card = next(card for card in response.context["cards"] if card.key == "workforce.chain")
    assert [figure.value for figure in card.figures] == ["83%", 1]
    assert card.waiting
