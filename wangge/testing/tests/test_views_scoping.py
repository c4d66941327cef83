"""Every testing page and action answers 404 out of scope, and works in scope."""

import pytest

from tests.factories import UserFactory, grant
from wangge.core.permissions import Role
from wangge.testing.tests.round_world import build_world


@pytest.fixture
def world(tree, alice):
    return build_world(tree, alice)


def _get_urls(world, tree):
    r, g = world.round.pk, tree["grid_a"].pk
    return [
        f"/testing/{r}/",
        f"/testing/{r}/?area={g}",
        f"/testing/{r}/coverage/?area={tree['community'].pk}",
        f"/testing/{r}/points/",
        f"/testing/{r}/teams/",
        f"/testing/{r}/teams/{world.team.pk}/",
        f"/testing/{r}/grids/{g}/untested/",
        f"/testing/{r}/grids/{g}/untested.xlsx",
        f"/testing/{r}/grids/{g}/untested.pdf",
        f"/testing/{r}/exemptions/",
        f"/testing/{r}/recalls/",
        f"/testing/{r}/cases/",
        f"/testing/{r}/tubes/",
        f"/testing/{r}/shipments/",
        f"/testing/shipments/{world.shipment.pk}/",
        f"/testing/shipments/{world.shipment.pk}/manifest.pdf",
        f"/testing/shipments/{world.shipment.pk}/manifest.xlsx",
        f"/testing/planner/?round={r}",
        f"/testing/planner/?area={g}",
    ]


def _manager_urls(world):
    r = world.round.pk
    return [
        f"/testing/{r}/edit/",
        f"/testing/{r}/points/{world.point.pk}/edit/",
        f"/testing/{r}/teams/{world.team.pk}/edit/",
    ]


def _post_urls(world, tree):
    r = world.round.pk
    s = world.shipment.pk
    return [
        f"/testing/{r}/open/",
        f"/testing/{r}/close/",
        f"/testing/{r}/edit/",
        f"/testing/{r}/points/",
        f"/testing/{r}/points/{world.point.pk}/edit/",
        f"/testing/{r}/points/{world.point.pk}/delete/",
        f"/testing/{r}/teams/",
        f"/testing/{r}/teams/{world.team.pk}/edit/",
        f"/testing/{r}/teams/{world.team.pk}/delete/",
        f"/testing/{r}/exemptions/add/",
        f"/testing/{r}/exemptions/{world.exemption.pk}/remove/",
        f"/testing/{r}/tubes/",
        f"/testing/shipments/{s}/ship/",
        f"/testing/shipments/{s}/receive/",
        f"/testing/shipments/{s}/unpack/",
    ]


def test_pages_work_in_scope(client, world, tree):
    client.force_login(world.manager)
    for url in _get_urls(world, tree) + _manager_urls(world):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "Content-Security-Policy" in response.headers


def test_out_of_scope_is_404_everywhere(client, world, tree, charlie):
    client.force_login(charlie)
    for url in _get_urls(world, tree) + _manager_urls(world):
        assert client.get(url).status_code == 404, url
    for url in _post_urls(world, tree):
        response = client.post(
            url,
            {"resident": world.people[0].pk, "reason": "away", "tubes": [world.waiting.pk]},
        )
        assert response.status_code == 404, url


def test_area_of_another_tree_is_404_inside_a_visible_round(client, world, tree, other_tree):
    client.force_login(world.manager)
    r = world.round.pk
    far = other_tree["grid_a"].pk
    assert client.get(f"/testing/{r}/?area={far}").status_code == 404
    assert client.get(f"/testing/{r}/grids/{far}/untested/").status_code == 404
    assert client.get(f"/testing/{r}/recalls/?area={far}").status_code == 404


def test_area_outside_the_round_scope_is_404(client, tree, alice):
    from wangge.testing.tests.factories import make_round

    round_ = make_round(tree["grid_a"], user=alice)
    client.force_login(alice)
    assert client.get(f"/testing/{round_.pk}/?area={tree['grid_b'].pk}").status_code == 404
    assert (
        client.get(f"/testing/{round_.pk}/grids/{tree['grid_b'].pk}/untested/").status_code == 404
    )


def test_community_staff_read_but_cannot_manage(client, world, tree, alice):
    client.force_login(alice)
    for url in _get_urls(world, tree):
        assert client.get(url).status_code == 200, url
    for url in _manager_urls(world):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/testing/{world.round.pk}/close/").status_code == 404
    assert client.get("/testing/new/").status_code == 404


def test_grid_member_sees_their_grid_only(client, world, tree, bob):
    client.force_login(bob)
    r = world.round.pk
    assert client.get(f"/testing/{r}/").status_code == 200
    assert client.get(f"/testing/{r}/grids/{tree['grid_a'].pk}/untested/").status_code == 200
    assert client.get(f"/testing/{r}/grids/{tree['grid_b'].pk}/untested/").status_code == 404
    # A grid member may not export people.
    assert client.get(f"/testing/{r}/grids/{tree['grid_a'].pk}/untested.xlsx").status_code == 404


def test_lab_liaison_sees_figures_but_not_people(client, world, tree):
    client.force_login(world.lab)
    r = world.round.pk
    assert client.get(f"/testing/{r}/").status_code == 200
    assert client.get(f"/testing/{r}/grids/{tree['grid_a'].pk}/untested/").status_code == 404
    body = client.get(f"/testing/{r}/recalls/").content.decode()
    assert world.people[0].name not in body
    body = client.get(f"/testing/{r}/exemptions/").content.decode()
    assert world.people[5].name not in body


def test_a_user_without_testing_roles_gets_404(client, world, tree):
    volunteer = grant(UserFactory(username="vol"), Role.CHECKPOINT_OFFICER, tree["community"])
    client.force_login(volunteer)
    assert client.get("/testing/").status_code == 404
    assert client.get(f"/testing/{world.round.pk}/").status_code == 404
    assert client.get("/testing/planner/").status_code == 404
    assert client.get("/testing/results/import/").status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    response = client.get(f"/testing/{world.round.pk}/")
    assert response.status_code == 302 and "login" in response.headers["Location"]
