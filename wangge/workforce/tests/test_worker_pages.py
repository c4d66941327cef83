from django.urls import reverse

from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.workforce.choices import SentFrom, WorkerKind
from wangge.workforce.models import Worker
from wangge.workforce.tests.factories import LONG_AGO, assign, make_team, make_worker

LIST = reverse("workforce:workers")
LIST_QUERIES = 8


def test_the_nav_shows_workforce_to_those_who_see_it(client, tree, alice, bob, charlie):
    client.force_login(bob)
    assert LIST in client.get(reverse("home")).content.decode()
    nobody_user = type(alice).objects.create_user("nobody")
    client.force_login(nobody_user)
    assert LIST not in client.get(reverse("home")).content.decode()


def test_the_list_shows_only_workers_in_scope(client, tree, other_tree, alice, charlie):
    make_worker(tree["grid_a"], "本区甲")
    make_worker(other_tree["grid_a"], "外区乙")
    client.force_login(alice)
    page = client.get(LIST).content.decode()
    assert "本区甲" in page and "外区乙" not in page
    client.force_login(charlie)
    page = client.get(LIST).content.decode()
    assert "本区甲" not in page and "外区乙" in page


def test_the_list_filters_by_area_kind_party_sent_down_and_name(client, tree, alice):
    make_worker(tree["grid_a"], "甲驻守", kind=WorkerKind.STATIONED_CADRE, sent_down=True)
    make_worker(tree["grid_b"], "乙党员", kind=WorkerKind.VOLUNTEER, party_member=True)
    make_worker(tree["grid_b"], "丙志愿", kind=WorkerKind.VOLUNTEER)
    client.force_login(alice)

    def names(**query):
        page = client.get(LIST, query).content.decode()
        return {name for name in ("甲驻守", "乙党员", "丙志愿") if name in page}

    assert names() == {"甲驻守", "乙党员", "丙志愿"}
    assert names(area=tree["grid_b"].pk) == {"乙党员", "丙志愿"}
    assert names(area=tree["community"].pk) == {"甲驻守", "乙党员", "丙志愿"}
    assert names(kind=WorkerKind.STATIONED_CADRE) == {"甲驻守"}
    assert names(party_member="yes") == {"乙党员"}
    assert names(party_member="no", kind=WorkerKind.VOLUNTEER) == {"丙志愿"}
    assert names(sent_down="yes") == {"甲驻守"}
    assert names(q="志愿") == {"丙志愿"}


def test_the_list_hides_retired_workers_unless_asked(client, tree, alice):
    make_worker(tree["grid_a"], "退休者", active=False)
    client.force_login(alice)
    assert "退休者" not in client.get(LIST).content.decode()
    assert "退休者" in client.get(LIST, {"retired": "on"}).content.decode()


def test_an_area_out_of_scope_in_the_filter_shows_nothing_of_it(client, tree, other_tree, alice):
    make_worker(other_tree["grid_a"], "外区乙")
    client.force_login(alice)
    page = client.get(LIST, {"area": other_tree["grid_a"].pk}).content.decode()
    assert "外区乙" not in page


def test_the_list_costs_the_same_queries_for_one_worker_or_a_full_page(
    client, tree, alice, django_assert_num_queries
):
    team = make_team(tree["community"], "蓝马甲")
    client.force_login(alice)
    workers = [make_worker(tree["grid_a"], "第一")]
    team.memberships.create(worker=workers[0], joined_at=LONG_AGO)
    client.get(LIST)  # warm the session
    # session, user, roles, count, inbox badge, the area picker's roots, page, page's teams
    with django_assert_num_queries(LIST_QUERIES):
        assert client.get(LIST).status_code == 200
    for number in range(60):
        worker = make_worker(tree["grid_b"], f"人{number}")
        team.memberships.create(worker=worker, joined_at=LONG_AGO)
    with django_assert_num_queries(LIST_QUERIES):
        page = client.get(LIST).content.decode()
    assert "蓝马甲" in page


def test_the_detail_shows_the_facts_teams_and_responsibilities(client, tree, alice):
    worker = make_worker(
        tree["grid_a"],
        "王驻守",
        kind=WorkerKind.STATIONED_CADRE,
        sent_from=SentFrom.CITY,
        unit="市卫健委",
        phone="13912345678",
    )
    make_team(tree["community"], "党员先锋队", members=(worker,))
    assign(worker, tree["grid_a"], "stationed_cadre_grid")
    client.force_login(alice)
    page = client.get(reverse("workforce:worker", args=[worker.pk])).content.decode()
    assert "市卫健委" in page and "党员先锋队" in page
    assert "139****5678" in page and "13912345678" not in page
    assert reverse("workforce:worker_reveal", args=[worker.pk]) in page
    assert tree["grid_a"].name in page


def test_the_reveal_button_is_for_reveal_holders_and_is_audited(client, tree, alice, bob):
    worker = make_worker(tree["grid_a"], phone="13912345678")
    url = reverse("workforce:worker_reveal", args=[worker.pk])
    client.force_login(bob)
    page = client.get(reverse("workforce:worker", args=[worker.pk])).content.decode()
    assert url not in page
    assert client.post(url).status_code == 404
    client.force_login(alice)
    response = client.post(url)
    assert "13912345678" in response.content.decode()
    assert response.headers["Cache-Control"] == "no-store"
    assert AuditEntry.objects.filter(action=AuditEvent.WORKER_REVEAL, actor=alice).count() == 1


def test_alice_adds_and_edits_a_worker_through_the_forms(client, tree, alice):
    client.force_login(alice)
    assert client.get(reverse("workforce:worker_create")).status_code == 200
    response = client.post(
        reverse("workforce:worker_create"),
        {
            "name": "新人",
            "kind": WorkerKind.GRID_LEADER,
            "area": [tree["grid_a"].pk],
            "phone": "13700001111",
            "party_member": "on",
        },
    )
    worker = Worker.objects.get(name="新人")
    assert response.status_code == 302
    assert worker.party_member and worker.reveal_phone() == "13700001111"
    edit = reverse("workforce:worker_edit", args=[worker.pk])
    assert "137****1111" in client.get(edit).content.decode()
    # The phone left empty keeps the stored one.
    client.post(edit, {"name": "新人", "kind": WorkerKind.GRID_MEMBER, "area": [tree["grid_b"].pk]})
    worker.refresh_from_db()
    assert worker.kind == WorkerKind.GRID_MEMBER and worker.area == tree["grid_b"]
    assert worker.reveal_phone() == "13700001111"
    # "-" removes it.
    client.post(
        edit,
        {"name": "新人", "kind": WorkerKind.GRID_MEMBER, "area": [tree["grid_b"].pk], "phone": "-"},
    )
    worker.refresh_from_db()
    assert worker.phone_masked == "" and worker.phone_cipher is None


def test_a_bad_phone_comes_back_on_the_form(client, tree, alice):
    client.force_login(alice)
    response = client.post(
        reverse("workforce:worker_create"),
        {
            "name": "新人",
            "kind": WorkerKind.GRID_LEADER,
            "area": [tree["grid_a"].pk],
            "phone": "12",
        },
    )
    assert response.status_code == 200
    assert not Worker.objects.exists()


def test_a_worker_form_refuses_an_area_out_of_scope(client, tree, other_tree, alice):
    client.force_login(alice)
    response = client.post(
        reverse("workforce:worker_create"),
        {"name": "新人", "kind": WorkerKind.VOLUNTEER, "area": [other_tree["grid_a"].pk]},
    )
    assert response.status_code == 200
    assert not Worker.objects.exists()


def test_bob_sees_workers_but_not_the_forms(client, tree, bob):
    worker = make_worker(tree["grid_a"])
    client.force_login(bob)
    assert client.get(reverse("workforce:worker", args=[worker.pk])).status_code == 200
    assert client.get(reverse("workforce:worker_create")).status_code == 404
    assert client.get(reverse("workforce:worker_edit", args=[worker.pk])).status_code == 404


def test_linking_a_login_and_retiring_through_the_pages(client, tree, alice):
    from tests.factories import UserFactory, grant
    from wangge.core.permissions import Role

    login = grant(UserFactory(username="wangliu"), Role.GRID_LEADER, tree["grid_a"])
    worker = make_worker(tree["grid_a"])
    client.force_login(alice)
    client.post(reverse("workforce:worker_login", args=[worker.pk]), {"username": "wangliu"})
    worker.refresh_from_db()
    assert worker.user == login
    client.post(reverse("workforce:worker_login", args=[worker.pk]), {"username": "nosuch"})
    worker.refresh_from_db()
    assert worker.user == login
    client.post(reverse("workforce:worker_active", args=[worker.pk]), {"active": "no"})
    worker.refresh_from_db()
    assert not worker.active
