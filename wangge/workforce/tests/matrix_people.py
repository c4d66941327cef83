"""Permission-matrix cases of the workforce's worker and team pages (format:
tests/test_permission_matrix.py), gathered by matrix.py."""

from typing import Any

from tests.factories import UserFactory, grant
from wangge.accounts.tests.permission_matrix import SUPERUSER, Case, Sibling, World
from wangge.core.permissions import Perm, Role
from wangge.workforce.choices import TeamKind, WorkerKind
from wangge.workforce.tests.factories import make_team, make_worker

# A checked list is its uploader's alone: the district's administrator uploads it, and
# every other principal, the superuser included, finds nothing there.
UPLOADER = Role.ADMINISTRATOR
NOT_THE_UPLOADER: dict[str, Any] = {
    **{role: 404 for role in Role.values if role != UPLOADER},
    SUPERUSER: 404,
}


def build(world: World) -> None:
    mine = make_worker(world.tree["grid_a"], "本格工作者", phone="13911112345")
    theirs = make_worker(world.other["grid_a"], "外区工作者", phone="13922226789")
    world.mine["worker"] = mine
    world.foreign["worker"] = theirs
    world.mine["team"] = make_team(world.tree["grid_a"], "本格先锋队", members=(mine,))
    world.foreign["team"] = make_team(world.other["grid_a"], "外区先锋队", members=(theirs,))
    beside = make_worker(world.tree["grid_b"], "邻格工作者")
    world.sibling["worker"] = beside
    world.sibling["team"] = make_team(world.tree["grid_b"], "邻格先锋队", members=(beside,))
    world.foreign_markers += ["外区工作者", "外区先锋队", theirs.phone_masked]


def _checked_list(world: World, side: str) -> str:
    """A checked workforce list, staged when a case first needs it (encrypted files)."""
    from wangge.workforce import importing

    store = world.mine if side == "mine" else world.foreign
    if "list" not in store:
        data = "姓名,类别\n新来的,志愿者\n".encode()
        if side == "mine":
            uploader, area = world.users[UPLOADER], world.tree["grid_a"]
        else:
            uploader = grant(
                UserFactory(username="matrix_workforce_uploader"),
                Role.COMMUNITY_STAFF,
                world.other["community"],
            )
            area = world.other["grid_a"]
        analysis = importing.analyse(data, "名单.csv", area, acting_user=uploader)
        store["list"] = importing.keep(analysis, uploader.pk)
    return str(store["list"])


def _list_beside(world: World) -> dict[str, Any]:
    """A list the grid-A actor checked into grid B (when they still managed it, say):
    importing it must change nothing."""
    from wangge.workforce import importing

    analysis = importing.analyse(
        "姓名,类别\n邻格新人,志愿者\n".encode(),
        "邻格名单.csv",
        world.tree["grid_b"],
        acting_user=None,
    )
    assert world.sibling_user is not None
    return {"token": importing.keep(analysis, world.sibling_user.pk)}


def _worker(side: str) -> Any:
    return lambda w: {"pk": (w.mine if side == "mine" else w.foreign)["worker"].pk}


def _team(side: str) -> Any:
    return lambda w: {"pk": (w.mine if side == "mine" else w.foreign)["team"].pk}


def _worker_form(area_key: str) -> Any:
    return lambda w: {
        "name": "表单工作者",
        "kind": WorkerKind.VOLUNTEER,
        "area": [w.tree[area_key].pk],
    }


def _team_form(area_key: str) -> Any:
    return lambda w: {"name": "表单队", "kind": TeamKind.BLUE_VEST, "area": [w.tree[area_key].pk]}


_OWN = {
    "mine": _worker("mine"),
    "foreign": _worker("foreign"),
    "beside": lambda w: {"pk": w.sibling["worker"].pk},
}
_TEAM = {
    "mine": _team("mine"),
    "foreign": _team("foreign"),
    "beside": lambda w: {"pk": w.sibling["team"].pk},
}

CASES = [
    # The list, its export and the new-worker form name no object.
    Case("workforce:workers", perm=Perm.VIEW_WORKFORCE),
    Case(
        "workforce:workers",
        perm=Perm.VIEW_WORKFORCE,
        data=lambda w: {"area": w.other["grid_a"].pk, "q": "外区"},
    ),
    Case("workforce:workers_export", perm=Perm.VIEW_WORKFORCE, data=lambda w: {"full": "1"}),
    Case("workforce:worker_create", perm=Perm.MANAGE_WORKFORCE),
    Case(
        "workforce:worker_create",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        data=_worker_form("grid_a"),
        ok=302,
        # Grid B is not among the areas offered: the form comes back, nothing is added.
        sibling=Sibling(data=_worker_form("grid_b"), status=200),
    ),
    Case(
        "workforce:worker",
        perm=Perm.VIEW_WORKFORCE,
        kwargs=_OWN["mine"],
        foreign=_OWN["foreign"],
    ),
    Case(
        "workforce:worker_edit",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_OWN["mine"],
        foreign=_OWN["foreign"],
    ),
    Case(
        "workforce:worker_edit",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_OWN["mine"],
        foreign=_OWN["foreign"],
        data=_worker_form("grid_a"),
        ok=302,
        sibling=Sibling(kwargs=_OWN["beside"], data=_worker_form("grid_a")),
    ),
    Case(
        "workforce:worker_login",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_OWN["mine"],
        foreign=_OWN["foreign"],
        data=lambda w: {"username": ""},
        ok=302,
        sibling=Sibling(kwargs=_OWN["beside"]),
    ),
    Case(
        "workforce:worker_active",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_OWN["mine"],
        foreign=_OWN["foreign"],
        data=lambda w: {"active": "no"},
        ok=302,
        sibling=Sibling(kwargs=_OWN["beside"]),
    ),
    Case(
        "workforce:worker_reveal",
        method="POST",
        perm=Perm.REVEAL_PERSONAL,
        kwargs=_OWN["mine"],
        foreign=_OWN["foreign"],
        sibling=Sibling(kwargs=_OWN["beside"]),
    ),
    Case(
        "workforce:roster_pdf",
        perm=Perm.VIEW_WORKFORCE,
        kwargs=lambda w: {"pk": w.tree["grid_a"].pk},
        foreign=lambda w: {"pk": w.other["grid_a"].pk},
    ),
    # The import: the page and its template name no object; a checked list only its
    # uploader sees.
    Case("workforce:import", perm=Perm.MANAGE_WORKFORCE),
    Case("workforce:import_template", perm=Perm.MANAGE_WORKFORCE),
    # Without a file the form comes back; into grid B the area is not found.
    Case(
        "workforce:import",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        data=lambda w: {"area": w.tree["grid_a"].pk},
        sibling=Sibling(data=lambda w: {"area": w.tree["grid_b"].pk}),
    ),
    Case(
        "workforce:import_check",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=lambda w: {"token": _checked_list(w, "mine")},
        foreign=lambda w: {"token": _checked_list(w, "foreign")},
        expect=NOT_THE_UPLOADER,
    ),
    Case(
        "workforce:import_check",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=lambda w: {"token": _checked_list(w, "mine")},
        foreign=lambda w: {"token": _checked_list(w, "foreign")},
        data=lambda w: {"choice": "import"},
        ok=302,
        expect=NOT_THE_UPLOADER,
        sibling=Sibling(kwargs=_list_beside),
    ),
    # Teams.
    Case("workforce:teams", perm=Perm.VIEW_WORKFORCE),
    Case("workforce:team_create", perm=Perm.MANAGE_WORKFORCE),
    Case(
        "workforce:team_create",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        data=_team_form("grid_a"),
        ok=302,
        sibling=Sibling(data=_team_form("grid_b"), status=200),
    ),
    Case(
        "workforce:team", perm=Perm.VIEW_WORKFORCE, kwargs=_TEAM["mine"], foreign=_TEAM["foreign"]
    ),
    Case(
        "workforce:team_candidates",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_TEAM["mine"],
        foreign=_TEAM["foreign"],
        data=lambda w: {"q": "工作者"},
    ),
    Case(
        "workforce:team_edit",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_TEAM["mine"],
        foreign=_TEAM["foreign"],
    ),
    Case(
        "workforce:team_edit",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_TEAM["mine"],
        foreign=_TEAM["foreign"],
        data=_team_form("grid_a"),
        ok=302,
        sibling=Sibling(kwargs=_TEAM["beside"], data=_team_form("grid_a")),
    ),
    Case(
        "workforce:team_member_add",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_TEAM["mine"],
        foreign=_TEAM["foreign"],
        data=lambda w: {"worker": w.mine["worker"].pk},
        ok=302,
        # A worker of grid B into grid A's team: not found.
        sibling=Sibling(data=lambda w: {"worker": w.sibling["worker"].pk}),
    ),
    Case(
        "workforce:team_member_remove",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_TEAM["mine"],
        foreign=_TEAM["foreign"],
        data=lambda w: {"worker": w.mine["worker"].pk},
        ok=302,
        sibling=Sibling(kwargs=_TEAM["beside"], data=lambda w: {"worker": w.sibling["worker"].pk}),
    ),
    Case(
        "workforce:team_leader",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_TEAM["mine"],
        foreign=_TEAM["foreign"],
        data=lambda w: {"worker": w.mine["worker"].pk},
        ok=302,
        sibling=Sibling(kwargs=_TEAM["beside"], data=lambda w: {"worker": w.sibling["worker"].pk}),
    ),
]
