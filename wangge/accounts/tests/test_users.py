import pytest

from tests.factories import UserFactory, grant
from wangge.accounts import actions
from wangge.accounts.actions import AccountsError
from wangge.accounts.models import DeviceToken, RoleAssignment, User
from wangge.accounts.selectors import users_visible_to
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Perm, Role

PASSWORD = "a long and unusual passphrase 42"


@pytest.fixture
def district_admin(tree):
    return grant(UserFactory(username="dora"), Role.ADMINISTRATOR, tree["district"])


@pytest.fixture
def community_admin(tree):
    return grant(UserFactory(username="cole"), Role.ADMINISTRATOR, tree["community"])


@pytest.fixture
def other_admin(other_tree):
    return grant(UserFactory(username="olga"), Role.ADMINISTRATOR, other_tree["district"])


def test_create_user_gives_a_first_role_and_is_audited(tree, district_admin):
    user = actions.create_user(
        username="newbie",
        password=PASSWORD,
        display_name="New Bie",
        role=Role.GRID_MEMBER,
        area=tree["grid_a"],
        acting_user=district_admin,
    )
    assert user.check_password(PASSWORD)
    assert list(user.role_assignments.values_list("role", flat=True)) == [Role.GRID_MEMBER]
    entries = AuditEntry.objects.filter(actor=district_admin).order_by("id")
    assert [e.action for e in entries] == ["user.create", "role.grant"]
    assert all(e.area_path == tree["grid_a"].path for e in entries)
    assert PASSWORD not in str([e.details for e in entries])


def test_weak_passwords_are_refused(tree, district_admin):
    with pytest.raises(AccountsError):
        actions.create_user(
            username="weak",
            password="12345678",
            display_name="",
            role=Role.GRID_MEMBER,
            area=tree["grid_a"],
            acting_user=district_admin,
        )
    assert not User.objects.filter(username="weak").exists()


def test_nobody_grants_above_their_own_area(tree, community_admin):
    with pytest.raises(AccountsError):
        actions.create_user(
            username="x",
            password=PASSWORD,
            display_name="",
            role=Role.GRID_MEMBER,
            area=tree["street"],
            acting_user=community_admin,
        )


def test_nobody_grants_a_role_with_permissions_they_lack(tree, alice, bob):
    """Community staff cannot manage users at all; an administrator of the community
    cannot hand out the command centre's powers."""
    with pytest.raises(AccountsError):
        actions.grant_role(bob, Role.GRID_LEADER, tree["grid_a"], acting_user=alice)


def test_an_administrator_cannot_create_another_with_more_than_they_hold(tree, community_admin):
    # The community administrator holds everything on the community, so this is allowed …
    assert actions.can_grant(community_admin, Role.ADMINISTRATOR, tree["grid_a"])
    # … but not on the street above it.
    assert not actions.can_grant(community_admin, Role.GRID_MEMBER, tree["street"])


def test_grant_and_revoke_within_scope(tree, district_admin, bob):
    assignment = actions.grant_role(bob, Role.VOLUNTEER, tree["grid_b"], acting_user=district_admin)
    assert bob.has_area_permission(Perm.REGISTER_SAMPLES, tree["grid_b"])
    actions.revoke_role(assignment, acting_user=district_admin)
    assert not RoleAssignment.objects.filter(pk=assignment.pk).exists()
    bob.forget_assignments()
    assert not bob.has_area_permission(Perm.REGISTER_SAMPLES, tree["grid_b"])
    assert list(
        AuditEntry.objects.filter(action__startswith="role.").values_list("action", flat=True)
    ) == ["role.revoke", "role.grant"]


def test_the_last_role_of_an_active_account_stays(tree, district_admin, bob):
    with pytest.raises(AccountsError):
        actions.revoke_role(bob.role_assignments.get(), acting_user=district_admin)


def test_users_of_another_district_are_out_of_reach(tree, other_tree, district_admin, charlie):
    with pytest.raises(AccountsError):
        actions.grant_role(charlie, Role.VOLUNTEER, tree["grid_a"], acting_user=district_admin)
    with pytest.raises(AccountsError):
        actions.deactivate_user(charlie, acting_user=district_admin)
    assert charlie not in users_visible_to(district_admin)


def test_deactivation_ends_access_and_revokes_devices(tree, district_admin, bob):
    from wangge.accounts.devices import authenticate_device, issue_device_token

    token, _device = issue_device_token(bob, tree["grid_a"], "phone", acting_user=district_admin)
    assert actions.deactivate_user(bob, acting_user=district_admin) == 1
    bob.refresh_from_db()
    assert not bob.is_active
    assert bob.scope_paths(Perm.VIEW_REGISTRY) == []
    assert authenticate_device(token) is None
    assert DeviceToken.objects.live().count() == 0
    assert AuditEntry.objects.filter(action="user.deactivate", object_id=str(bob.pk)).exists()
    actions.reactivate_user(bob, acting_user=district_admin)
    bob.refresh_from_db()
    assert bob.is_active


def test_superiors_are_not_below_their_juniors(tree, district_admin, community_admin):
    # The district admin also holds a role inside the community: still not below cole.
    grant(district_admin, Role.GRID_MEMBER, tree["grid_a"])
    assert not actions.is_below(community_admin, district_admin, Perm.MANAGE_USERS)
    with pytest.raises(AccountsError):
        actions.deactivate_user(district_admin, acting_user=community_admin)
    assert actions.is_below(district_admin, community_admin, Perm.MANAGE_USERS)


def test_superusers_are_managed_by_nobody_below_them(tree, district_admin, admin_user):
    grant(admin_user, Role.GRID_MEMBER, tree["grid_a"])
    assert admin_user not in users_visible_to(district_admin)
    with pytest.raises(AccountsError):
        actions.deactivate_user(admin_user, acting_user=district_admin)


def test_nobody_deactivates_themselves(district_admin):
    with pytest.raises(AccountsError):
        actions.deactivate_user(district_admin, acting_user=district_admin)


# Pages


def test_user_list_shows_only_users_in_scope_in_few_queries(
    client, tree, other_tree, district_admin, alice, bob, charlie, django_assert_max_num_queries
):
    for index in range(30):
        grant(UserFactory(username=f"member{index:02d}"), Role.GRID_MEMBER, tree["grid_b"])
    client.force_login(district_admin)
    with django_assert_max_num_queries(8):
        response = client.get("/accounts/users/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "alice" in body and "bob" in body and "member29" in body
    assert "charlie" not in body


def test_user_pages_of_another_district_are_404(client, tree, district_admin, charlie):
    client.force_login(district_admin)
    assert client.get(f"/accounts/users/{charlie.pk}/").status_code == 404
    assignment = charlie.role_assignments.get()
    assert (
        client.post(f"/accounts/users/{charlie.pk}/roles/{assignment.pk}/revoke/").status_code
        == 404
    )
    assert client.post(f"/accounts/users/{charlie.pk}/deactivate/").status_code == 404
    charlie.refresh_from_db()
    assert charlie.is_active


def test_charlie_sees_no_user_of_alices_district(client, tree, other_tree, charlie, alice):
    # charlie is community staff: no MANAGE_USERS anywhere.
    client.force_login(charlie)
    assert client.get("/accounts/users/").status_code == 403
    assert client.get(f"/accounts/users/{alice.pk}/").status_code == 404


def test_create_user_page(client, tree, district_admin):
    client.force_login(district_admin)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "newbie",
            "display_name": "New",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": Role.GRID_LEADER,
            "area": tree["grid_a"].pk,
        },
    )
    user = User.objects.get(username="newbie")
    assert response.status_code == 302 and response["Location"] == f"/accounts/users/{user.pk}/"


def test_create_user_page_refuses_an_area_out_of_scope(client, tree, other_tree, district_admin):
    client.force_login(district_admin)
    response = client.post(
        "/accounts/users/new/",
        {
            "username": "sneaky",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "role": Role.GRID_LEADER,
            "area": other_tree["grid_a"].pk,
        },
    )
    assert response.status_code == 200
    assert not User.objects.filter(username="sneaky").exists()


def test_grant_page_refuses_a_role_beyond_the_granters(client, tree, community_admin, bob):
    client.force_login(community_admin)
    response = client.post(
        f"/accounts/users/{bob.pk}/grant/", {"role": Role.GRID_LEADER, "area": tree["street"].pk}
    )
    assert response.status_code == 302
    assert bob.role_assignments.count() == 1


def test_change_own_password(client, alice):
    client.force_login(alice)
    response = client.post(
        "/accounts/password/",
        {
            "old_password": "correct horse battery",
            "new_password1": PASSWORD,
            "new_password2": PASSWORD,
        },
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)
    assert AuditEntry.objects.filter(action="user.password_change", actor=alice).exists()
    # The session that changed it stays signed in.
    assert client.get("/").status_code == 200


def test_change_password_needs_the_old_one(client, alice):
    client.force_login(alice)
    response = client.post(
        "/accounts/password/",
        {"old_password": "wrong", "new_password1": PASSWORD, "new_password2": PASSWORD},
    )
    assert response.status_code == 200
    alice.refresh_from_db()
    assert not alice.check_password(PASSWORD)


def test_navigation_shows_only_usable_pages(client, alice, district_admin):
    client.force_login(alice)
    body = client.get("/").content.decode()
    assert "/accounts/devices/" in body and "/accounts/users/" not in body
    assert "/accounts/audit/" not in body
    client.force_login(district_admin)
    body = client.get("/").content.decode()
    assert "/accounts/users/" in body and "/accounts/audit/" in body
