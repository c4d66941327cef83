"""Every write is scoped in its action, not only in the view that calls it.

The permission matrix sends requests across areas through the pages and the API
(tests/test_permission_matrix.py, test_write_across_areas). Here the actions themselves are
called as gina, who holds every permission on grid A only, on objects of grid B beside it:
whoever calls an action (a page, the API, a command run as a user, a view that forgot to
scope its lookup) cannot change grid B. Each call is refused as not found and changes no row.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import transaction

from tests.factories import UserFactory, grant, id_number, make_resident
from wangge.accounts.devices import issue_device_token
from wangge.accounts.tests.permission_matrix import database_state
from wangge.audit.log import Actor
from wangge.core.batch import ItemStatus
from wangge.core.permissions import Role
from wangge.core.scoping import OutOfScope
from wangge.residents import actions as registry
from wangge.testing.actions import rounds as round_actions
from wangge.testing.actions import shipments
from wangge.testing.actions.registrations.storing import seal_tube
from wangge.testing.actions.results import ResultItem, record_results
from wangge.testing.choices import TubeStatus
from wangge.testing.models import Tube
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import make_tube


@pytest.fixture
def gina(tree):
    return grant(UserFactory(username="gina"), Role.ADMINISTRATOR, tree["grid_a"])


@pytest.fixture
def beside(tree):
    """Grid B's objects, in the community's round."""
    grid = tree["grid_b"]
    person = make_resident(grid, "邻格居民", room="202")
    exempted = make_resident(grid, "邻格豁免", room="203")
    round_ = make_round(tree["community"])
    sealed = make_tube(round_, grid, person, barcode="BESIDE-SEALED")
    packed = make_tube(round_, grid, exempted, barcode="BESIDE-PACKED")
    shipment = shipments.create_shipment(round_, [packed], acting_user=None)
    shipments.ship(shipment, acting_user=None)
    planned = make_round(grid, name="邻格轮次", open_it=False)
    return {
        "grid": grid,
        "person": person,
        "round": round_,
        "planned": planned,
        "sealed": sealed,
        "open": make_tube(round_, grid, person, status=TubeStatus.OPEN, barcode="BESIDE-OPEN"),
        "unshipped": shipments.create_shipment(
            round_, [make_tube(round_, grid, barcode="BESIDE-BOX")], acting_user=None
        ),
        "shipment": shipment,
        "point": round_actions.add_sampling_point(
            round_, round_actions.PointData(area=grid), acting_user=None
        ),
        "team": round_actions.save_door_team(
            round_, name="邻格上门队", area=grid, members=[], acting_user=None
        ),
        "exemption": round_actions.record_exemption(
            round_,
            exempted,
            reason="away",
            acting_user=grant(UserFactory(username="hao"), Role.GRID_LEADER, grid),
        ),
    }


def _window(round_):  # type: ignore[no-untyped-def]
    return {
        "name": "改名",
        "starts_at": round_.starts_at,
        "ends_at": round_.ends_at,
        "pool_size": round_.pool_size,
        "exempt_infants_under_years": 0,
        "exempt_under_treatment": True,
    }


WRITES: dict[str, Callable[[dict[str, Any], Any, dict[str, Any]], Any]] = {
    "create_round": lambda b, g, t: round_actions.create_round(
        scope=[b["grid"]], acting_user=g, **{**_window(b["round"]), "name": "新轮次"}
    ),
    "update_round": lambda b, g, t: round_actions.update_round(
        b["round"], acting_user=g, **_window(b["round"])
    ),
    "open_round": lambda b, g, t: round_actions.open_round(b["planned"], acting_user=g),
    "close_round": lambda b, g, t: round_actions.close_round(b["round"], acting_user=g),
    "record_exemption": lambda b, g, t: round_actions.record_exemption(
        b["round"], b["person"], reason="away", acting_user=g
    ),
    "remove_exemption": lambda b, g, t: round_actions.remove_exemption(
        b["exemption"], acting_user=g
    ),
    "add_sampling_point": lambda b, g, t: round_actions.add_sampling_point(
        b["round"], round_actions.PointData(area=b["grid"]), acting_user=g
    ),
    "move_sampling_point_here": lambda b, g, t: round_actions.update_sampling_point(
        b["point"], round_actions.PointData(area=t["grid_a"]), acting_user=g
    ),
    "remove_sampling_point": lambda b, g, t: round_actions.remove_sampling_point(
        b["point"], acting_user=g
    ),
    "add_door_team": lambda b, g, t: round_actions.save_door_team(
        b["round"], name="队", area=b["grid"], members=[], acting_user=g
    ),
    "take_over_door_team": lambda b, g, t: round_actions.save_door_team(
        b["round"], team=b["team"], name="队", area=t["grid_a"], members=[], acting_user=g
    ),
    "remove_door_team": lambda b, g, t: round_actions.remove_door_team(b["team"], acting_user=g),
    "pack_tubes": lambda b, g, t: shipments.create_shipment(
        b["round"], [b["sealed"]], acting_user=g
    ),
    "ship_box": lambda b, g, t: shipments.ship(b["unshipped"], acting_user=g),
    "unpack_box": lambda b, g, t: shipments.unpack(b["unshipped"], acting_user=g),
    "receive_box": lambda b, g, t: shipments.receive(b["shipment"], acting_user=g),
    "seal_tube": lambda b, g, t: seal_tube(b["open"], acting_user=g),
    "create_household": lambda b, g, t: registry.create_household(
        b["grid"], room="909", acting_user=g
    ),
    "register_resident": lambda b, g, t: registry.register_resident(
        b["person"].household,
        registry.ResidentData.clean(name="新人", id_type="resident_card", id_number=id_number()),
        acting_user=g,
    ),
    "update_resident": lambda b, g, t: registry.update_resident(
        b["person"],
        registry.ResidentData.clean(name="改名", id_type="none", birth_date="2021-06-01"),
        acting_user=g,
    ),
    "move_resident_here": lambda b, g, t: registry.move_resident(
        b["person"],
        registry.get_or_create_household(t["grid_a"], room="101"),
        acting_user=g,
    ),
    "reveal_identity": lambda b, g, t: registry.reveal_identity(
        b["person"], "id_number", acting_user=g
    ),
    "stage_import": lambda b, g, t: registry.stage_import(
        f"姓名,身份证号,房号\n张无忌,{id_number()},808\n".encode(),
        "r.csv",
        b["grid"],
        acting_user=g.user if g.device is None else pytest.skip("devices import nothing"),
    ),
}


@pytest.fixture(params=["user", "device"])
def actor(request, tree, gina):
    """gina signed in, or a station of grid A whose user may act on the whole community."""
    if request.param == "user":
        return Actor(user=gina, source="test")
    boss = grant(UserFactory(username="boss"), Role.ADMINISTRATOR, tree["community"])
    _token, device = issue_device_token(boss, tree["grid_a"], "desk", acting_user=None)
    return Actor(user=boss, source="device", device=device)


@pytest.mark.parametrize("write", sorted(WRITES))
def test_an_action_on_the_grid_beside_is_not_found_and_changes_nothing(
    write, beside, actor, tree, settings, tmp_path
):
    settings.WANGGE_IMPORT_DIR = tmp_path
    before = database_state()
    with pytest.raises(OutOfScope), transaction.atomic():
        WRITES[write](beside, actor, tree)
    assert database_state() == before


def test_results_for_a_tube_beside_are_unknown_whatever_the_caller_passed(beside, actor):
    before = database_state()
    report = record_results(
        [ResultItem("BESIDE-SEALED", "negative")],
        tubes=Tube.objects.all(),  # a caller that forgot to scope
        acting_user=actor,
    )
    assert [(o.status, o.reason_code) for o in report.outcomes] == [
        (ItemStatus.REJECTED, "unknown_barcode")
    ]
    assert database_state() == before


def test_the_system_still_acts_everywhere(beside):
    """Commands without a user and the demo act as the system: nothing is out of scope."""
    seal_tube(beside["open"], acting_user=None)
    assert Tube.objects.get(barcode="BESIDE-OPEN").status == TubeStatus.SEALED
