"""Permission-matrix cases of the responsibility chains (包联): an area's chain and history
are seen by who sees the workforce there; assigning, ending and handing over take
managing it; a household's phones take revealing personal data; the duties are the
administrators' (managing areas). The other district's areas, households and
responsibilities are 404."""

from tests.factories import make_resident
from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm
from wangge.workforce.tests.factories import assign, duty, make_worker


def build(world: World) -> None:
    for place, grid, name in (
        (world.mine, world.tree["grid_a"], "包联甲"),
        (world.sibling, world.tree["grid_b"], "包联乙"),
        (world.foreign, world.other["grid_a"], "包联外区"),
    ):
        place["chain_worker"] = make_worker(grid, name)
        place["chain_successor"] = make_worker(grid, f"{name}接任")
        place["chain_held"] = assign(place["chain_worker"], grid, "stationed_cadre_grid")
        place["chain_household"] = make_resident(grid, room="808").household
    world.foreign_markers.extend(["包联外区"])


def _assign_data(place: str) -> "object":
    def data(world: World) -> dict[str, object]:
        return {
            "duty": duty("grid_leader").pk,
            "worker": str(getattr(world, place)["chain_worker"].pk),
        }

    return data


def _area(place: str) -> "object":
    return lambda world: {"pk": getattr(world, place)["chain_worker"].area_id}


def _held(place: str) -> "object":
    return lambda world: {"pk": getattr(world, place)["chain_held"].pk}


def _household(place: str) -> "object":
    return lambda world: {"pk": getattr(world, place)["chain_household"].pk}


def _successor(place: str) -> "object":
    return lambda world: {"worker": str(getattr(world, place)["chain_successor"].pk)}


CASES = [
    Case("workforce:chains", perm=Perm.VIEW_WORKFORCE, ok=(200, 302), denied=403),
    Case(
        "workforce:chain_area",
        perm=Perm.VIEW_WORKFORCE,
        kwargs=_area("mine"),
        foreign=_area("foreign"),
    ),
    Case(
        "workforce:chain_history",
        perm=Perm.VIEW_WORKFORCE,
        kwargs=_area("mine"),
        foreign=_area("foreign"),
    ),
    Case(
        "workforce:chain_household",
        perm=Perm.VIEW_WORKFORCE,
        kwargs=_household("mine"),
        foreign=_household("foreign"),
    ),
    Case(
        "workforce:chain_household_phones",
        method="POST",
        perm=Perm.REVEAL_PERSONAL,
        kwargs=_household("mine"),
        foreign=_household("foreign"),
        sibling=Sibling(kwargs=_household("sibling")),
    ),
    Case(
        "workforce:chain_assign",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_area("mine"),
        foreign=_area("foreign"),
    ),
    Case(
        "workforce:chain_assign",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_area("mine"),
        foreign=_area("foreign"),
        data=_assign_data("mine"),
        ok=302,
        # Grid B's area, with grid B's worker: neither exists for grid A's actor.
        sibling=Sibling(kwargs=_area("sibling"), data=_assign_data("sibling")),
    ),
    Case(
        "workforce:chain_end",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_held("mine"),
        foreign=_held("foreign"),
        ok=302,
        sibling=Sibling(kwargs=_held("sibling")),
    ),
    Case(
        "workforce:chain_hand_over",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_held("mine"),
        foreign=_held("foreign"),
    ),
    Case(
        "workforce:chain_hand_over",
        method="POST",
        perm=Perm.MANAGE_WORKFORCE,
        kwargs=_held("mine"),
        foreign=_held("foreign"),
        data=_successor("mine"),
        ok=302,
        sibling=Sibling(kwargs=_held("sibling"), data=_successor("sibling")),
    ),
    Case("workforce:duties", perm=Perm.MANAGE_AREAS, denied=403),
    Case(
        "workforce:duties",
        method="POST",
        perm=Perm.MANAGE_AREAS,
        denied=403,
        data=lambda world: {
            "duty": duty("grid_leader").pk,
            "name": "网格长",
            "name_en": "Grid leader",
            "required": "on",
            "order": 2,
        },
        ok=302,
        unscoped_write="the duties are one configuration for the whole installation",
    ),
]
