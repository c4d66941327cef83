from django.urls import reverse

from wangge.workforce.choices import TeamKind
from wangge.workforce.models import Team
from wangge.workforce.tests.factories import make_team, make_worker


def test_the_team_list_shows_teams_in_scope_with_their_size(client, tree, other_tree, alice):
    leader = make_worker(tree["grid_a"], "队长甲")
    make_team(tree["community"], "西园蓝马甲", kind=TeamKind.BLUE_VEST, leader=leader)
    make_team(other_tree["community"], "外区先锋队")
    client.force_login(alice)
    page = client.get(reverse("workforce:teams")).content.decode()
    assert "西园蓝马甲" in page and "队长甲" in page and "外区先锋队" not in page
    page = client.get(reverse("workforce:teams"), {"kind": TeamKind.PARTY_VANGUARD}).content
    assert "西园蓝马甲" not in page.decode()


def test_alice_sets_up_a_team_adds_members_and_a_leader_on_its_page(client, tree, alice):
    near = make_worker(tree["grid_a"], "近处甲")
    far = make_worker(tree["grid_b"], "另格乙")
    client.force_login(alice)
    response = client.post(
        reverse("workforce:team_create"),
        {"name": "巾帼志愿者服务队", "kind": TeamKind.WOMEN_VOLUNTEER, "area": [tree["grid_a"].pk]},
    )
    team = Team.objects.get(name="巾帼志愿者服务队")
    assert response.status_code == 302
    page = client.get(reverse("workforce:team", args=[team.pk])).content.decode()
    # The workers of the team's area are offered; others are found by name.
    assert "近处甲" in page and "另格乙" not in page
    found = client.get(reverse("workforce:team_candidates", args=[team.pk]), {"q": "另格"})
    assert "另格乙" in found.content.decode()
    client.post(reverse("workforce:team_member_add", args=[team.pk]), {"worker": near.pk})
    client.post(reverse("workforce:team_leader", args=[team.pk]), {"worker": far.pk})
    team.refresh_from_db()
    assert team.leader == far and set(team.members.all()) == {near, far}
    client.post(reverse("workforce:team_member_remove", args=[team.pk]), {"worker": near.pk})
    assert set(team.members.all()) == {far}
    client.post(
        reverse("workforce:team_edit", args=[team.pk]),
        {"name": "巾帼队", "kind": TeamKind.WOMEN_VOLUNTEER, "area": [tree["community"].pk]},
    )
    team.refresh_from_db()
    assert team.name == "巾帼队" and team.area == tree["community"]


def test_workers_of_another_district_cannot_be_added_by_name_or_id(client, tree, other_tree, alice):
    team = make_team(tree["community"])
    theirs = make_worker(other_tree["grid_a"], "外区人")
    client.force_login(alice)
    found = client.get(reverse("workforce:team_candidates", args=[team.pk]), {"q": "外区"})
    assert "外区人" not in found.content.decode()
    response = client.post(
        reverse("workforce:team_member_add", args=[team.pk]), {"worker": theirs.pk}
    )
    assert response.status_code == 404
    assert not team.members.exists()


def test_bob_sees_a_team_but_cannot_change_it(client, tree, bob):
    team = make_team(tree["grid_a"], "党员先锋队")
    worker = make_worker(tree["grid_a"])
    client.force_login(bob)
    page = client.get(reverse("workforce:team", args=[team.pk])).content.decode()
    assert "党员先锋队" in page
    assert reverse("workforce:team_member_add", args=[team.pk]) not in page
    response = client.post(
        reverse("workforce:team_member_add", args=[team.pk]), {"worker": worker.pk}
    )
    assert response.status_code == 404
    assert client.get(reverse("workforce:team_create")).status_code == 404


def test_the_team_list_costs_the_same_queries_for_one_team_or_a_page(
    client, tree, alice, django_assert_num_queries
):
    make_team(tree["grid_a"], "第一队", leader=make_worker(tree["grid_a"], "队长"))
    client.force_login(alice)
    client.get(reverse("workforce:teams"))
    # session, user, roles, count, inbox badge, the page (area, leader, size joined in)
    with django_assert_num_queries(6):
        client.get(reverse("workforce:teams"))
    for number in range(30):
        make_team(tree["grid_b"], f"队{number}", leader=make_worker(tree["grid_b"], f"长{number}"))
    with django_assert_num_queries(6):
        page = client.get(reverse("workforce:teams")).content.decode()
    assert "长29" in page
