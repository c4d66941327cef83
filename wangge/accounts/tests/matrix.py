"""Permission-matrix cases of the accounts pages. Format: tests/test_permission_matrix.py."""

from tests.factories import UserFactory, grant
from wangge.accounts.devices import issue_device_token
from wangge.accounts.tests.permission_matrix import LOGIN, Case, Sibling, World
from wangge.audit.log import Actor
from wangge.core.permissions import Perm, Role

PASSWORD = "a long and unusual passphrase 42"


def build(world: World) -> None:
    system = Actor(user=None, label="matrix")
    # dave works in grid A (two roles, so that one can be removed); erin works in the
    # other district.
    dave = grant(UserFactory(username="dave_in_scope"), Role.GRID_MEMBER, world.tree["grid_a"])
    grant(dave, Role.VOLUNTEER, world.tree["grid_a"])
    erin = grant(UserFactory(username="erin_outside"), Role.GRID_MEMBER, world.other["grid_a"])
    grant(erin, Role.VOLUNTEER, world.other["grid_a"])
    world.mine["user"] = dave
    world.foreign["user"] = erin
    world.mine["assignment"] = dave.role_assignments.get(role=Role.VOLUNTEER)
    world.foreign["assignment"] = erin.role_assignments.get(role=Role.VOLUNTEER)
    _token, world.mine["device"] = issue_device_token(
        dave, world.tree["grid_a"], "desk in scope", acting_user=system
    )
    _token, world.foreign["device"] = issue_device_token(
        erin, world.other["grid_a"], "desk outside", acting_user=system
    )
    world.foreign_markers += ["erin_outside", "desk outside"]
    # frank works in grid B, beside grid A: the write cases' target.
    frank = grant(UserFactory(username="frank_beside"), Role.GRID_MEMBER, world.tree["grid_b"])
    grant(frank, Role.VOLUNTEER, world.tree["grid_b"])
    world.sibling["user"] = frank
    world.sibling["assignment"] = frank.role_assignments.get(role=Role.VOLUNTEER)
    _token, world.sibling["device"] = issue_device_token(
        frank, world.tree["grid_b"], "desk beside", acting_user=system
    )


def _user(key: str):  # type: ignore[no-untyped-def]
    return lambda world: {"pk": getattr(world, key)["user"].pk}


def _assignment(key: str):  # type: ignore[no-untyped-def]
    def kwargs(world: World) -> dict[str, object]:
        objects = getattr(world, key)
        return {"pk": objects["user"].pk, "assignment_pk": objects["assignment"].pk}

    return kwargs


def _device(key: str):  # type: ignore[no-untyped-def]
    return lambda world: {"pk": getattr(world, key)["device"].pk}


def _new_user(area: str):  # type: ignore[no-untyped-def]
    return lambda w: {
        "username": "newcomer",
        "display_name": "New",
        "password1": PASSWORD,
        "password2": PASSWORD,
        "role": Role.VOLUNTEER,
        "area": w.tree[area].pk,
    }


def _new_device(area: str):  # type: ignore[no-untyped-def]
    return lambda w: {
        "user": w.mine["user"].pk,
        "area": w.tree[area].pk,
        "label": "desk 3",
        "hours": 24,
    }


# Someone of grid A naming an area of grid B in a form gets the form back (200): it
# offers only areas in scope. Nothing is created.


CASES = [
    # Signing in is public; someone already signed in is sent on to the start page.
    Case("login", public=True, ok=302, expect={"anonymous": 200}),
    # Signing out leads to the sign-in page, whoever asks.
    Case("logout", method="POST", public=True, ok=LOGIN, unscoped_write="signs oneself out"),
    Case("accounts:password_change"),
    # An empty form comes back with its errors.
    Case("accounts:password_change", method="POST", unscoped_write="one's own password"),
    # Pages that show no object answer 403 to someone without the permission anywhere.
    Case("accounts:users", perm=Perm.MANAGE_USERS, denied=403),
    Case("accounts:user_create", perm=Perm.MANAGE_USERS, denied=403),
    Case(
        "accounts:user_create",
        method="POST",
        perm=Perm.MANAGE_USERS,
        denied=403,
        ok=302,
        data=_new_user("grid_a"),
        sibling=Sibling(data=_new_user("grid_b"), status=200),
    ),
    Case(
        "accounts:user",
        perm=Perm.MANAGE_USERS,
        kwargs=_user("mine"),
        foreign=_user("foreign"),
    ),
    Case(
        "accounts:user_grant",
        method="POST",
        perm=Perm.MANAGE_USERS,
        ok=302,
        kwargs=_user("mine"),
        foreign=_user("foreign"),
        data=lambda w: {"role": Role.SAMPLER, "area": w.tree["grid_a"].pk},
        sibling=Sibling(kwargs=_user("sibling")),
    ),
    Case(
        "accounts:role_revoke",
        method="POST",
        perm=Perm.MANAGE_USERS,
        ok=302,
        kwargs=_assignment("mine"),
        foreign=_assignment("foreign"),
        sibling=Sibling(kwargs=_assignment("sibling")),
    ),
    Case(
        "accounts:user_deactivate",
        method="POST",
        perm=Perm.MANAGE_USERS,
        ok=302,
        kwargs=_user("mine"),
        foreign=_user("foreign"),
        sibling=Sibling(kwargs=_user("sibling")),
    ),
    Case(
        "accounts:user_reactivate",
        method="POST",
        perm=Perm.MANAGE_USERS,
        ok=302,
        kwargs=_user("mine"),
        foreign=_user("foreign"),
        sibling=Sibling(kwargs=_user("sibling")),
    ),
    # Everyone sees their own devices (to revoke a lost phone) and those they issue.
    Case("accounts:devices"),
    Case("accounts:device_issue", perm=Perm.ISSUE_DEVICES, denied=403),
    Case(
        "accounts:device_issue",
        method="POST",
        perm=Perm.ISSUE_DEVICES,
        denied=403,
        data=_new_device("grid_a"),
        sibling=Sibling(data=_new_device("grid_b"), status=200),
    ),
    Case(
        "accounts:device_revoke",
        method="POST",
        perm=Perm.ISSUE_DEVICES,
        ok=302,
        kwargs=_device("mine"),
        foreign=_device("foreign"),
        sibling=Sibling(kwargs=_device("sibling")),
    ),
    Case("accounts:audit", perm=Perm.VIEW_AUDIT, denied=403),
]
