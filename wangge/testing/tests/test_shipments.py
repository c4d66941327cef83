"""Tube life: sealed → packed → shipped → received → resulted; and round administration."""

import pytest
from django.utils import timezone

from tests.factories import UserFactory, grant, make_resident
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.residents.choices import Tag
from wangge.residents.models import Resident
from wangge.testing.actions import rounds as round_actions
from wangge.testing.actions import shipments as actions
from wangge.testing.choices import RoundStatus, TubeStatus
from wangge.testing.errors import RoundError
from wangge.testing.models import SamplingPoint, Shipment, Tube
from wangge.testing.selectors import coverage, homes_to_visit
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import make_tube


@pytest.fixture
def carol(tree):
    """The street's organiser: she manages rounds and receives boxes for the laboratory."""
    return grant(UserFactory(username="carol"), Role.STREET_STAFF, tree["street"])


@pytest.fixture
def round_and_tubes(tree, alice):
    people = [make_resident(tree["grid_a"], f"人{i}", room=f"50{i}", phone="") for i in range(3)]
    round_ = make_round(tree["community"], user=alice)
    sealed = [make_tube(round_, tree["grid_a"], p) for p in people[:2]]
    other = make_tube(round_, tree["grid_b"], people[2])
    still_open = make_tube(round_, tree["grid_a"], status=TubeStatus.OPEN)
    return round_, sealed, other, still_open


def test_a_box_goes_from_packed_to_received(tree, alice, carol, round_and_tubes):
    round_, sealed, other, _ = round_and_tubes
    shipment = actions.create_shipment(round_, sealed + [other], acting_user=alice)
    assert shipment.origin == tree["community"]  # the deepest area holding every tube
    assert shipment.box_code.startswith(f"BOX-{round_.pk}-")
    assert set(Tube.objects.filter(shipment=shipment).values_list("status", flat=True)) == {
        TubeStatus.SEALED
    }
    actions.ship(shipment, acting_user=alice)
    assert set(shipment.tubes.values_list("status", flat=True)) == {TubeStatus.SHIPPED}
    with pytest.raises(RoundError):
        actions.ship(shipment, acting_user=alice)
    actions.receive(shipment, acting_user=carol)
    assert set(shipment.tubes.values_list("status", flat=True)) == {TubeStatus.RECEIVED}
    actions_done = set(
        AuditEntry.objects.filter(action__startswith="shipment.").values_list("action", flat=True)
    )
    assert actions_done == {"shipment.create", "shipment.ship", "shipment.receive"}


def test_only_sealed_unpacked_tubes_of_the_round_are_packed(tree, alice, round_and_tubes):
    round_, sealed, _other, still_open = round_and_tubes
    with pytest.raises(RoundError):
        actions.create_shipment(round_, [still_open], acting_user=alice)
    actions.create_shipment(round_, sealed[:1], box_code="B-1", acting_user=alice)
    with pytest.raises(RoundError):
        actions.create_shipment(round_, sealed, acting_user=alice)
    with pytest.raises(RoundError):
        actions.create_shipment(round_, sealed[1:], box_code="B-1", acting_user=alice)
    other_round = make_round(tree["community"], user=alice, name="另一轮")
    with pytest.raises(RoundError):
        actions.create_shipment(other_round, sealed[1:], acting_user=alice)


def test_unpack_before_it_leaves(tree, alice, round_and_tubes):
    round_, sealed, _other, _ = round_and_tubes
    shipment = actions.create_shipment(round_, sealed, acting_user=alice)
    actions.unpack(shipment, acting_user=alice)
    assert not Shipment.objects.exists()
    assert not Tube.objects.filter(shipment__isnull=False).exists()
    shipment = actions.create_shipment(round_, sealed, acting_user=alice)
    actions.ship(shipment, acting_user=alice)
    with pytest.raises(RoundError):
        actions.unpack(shipment, acting_user=alice)


def test_receiving_before_shipping_is_refused(tree, alice, carol, round_and_tubes):
    round_, sealed, _other, _ = round_and_tubes
    shipment = actions.create_shipment(round_, sealed, acting_user=alice)
    with pytest.raises(RoundError):
        actions.receive(shipment, acting_user=carol)


def test_points_are_numbered_and_stay_inside_the_scope(tree, other_tree, alice, carol):
    round_ = make_round(tree["community"], user=alice)
    first = round_actions.add_sampling_point(
        round_, round_actions.PointData(area=tree["grid_a"]), acting_user=carol
    )
    second = round_actions.add_sampling_point(
        round_, round_actions.PointData(area=tree["grid_b"], name="二号点"), acting_user=carol
    )
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(RoundError):
        round_actions.add_sampling_point(
            # as the system: the round's scope is what refuses it, not carol's
            round_,
            round_actions.PointData(area=other_tree["grid_a"]),
            acting_user=None,
        )
    with pytest.raises(RoundError):
        round_actions.add_sampling_point(
            round_, round_actions.PointData(area=tree["grid_a"], desks=0), acting_user=carol
        )
    round_actions.remove_sampling_point(first, acting_user=carol)
    third = round_actions.add_sampling_point(
        round_, round_actions.PointData(area=tree["grid_a"]), acting_user=carol
    )
    assert third.number == 3  # numbers are never reused
    tube = make_tube(round_, tree["grid_a"])
    Tube.objects.filter(pk=tube.pk).update(sampling_point=third)
    with pytest.raises(RoundError):
        round_actions.remove_sampling_point(third, acting_user=carol)
    assert SamplingPoint.objects.filter(round=round_).count() == 2


def test_changing_the_rules_of_an_open_round_recounts_at_once(tree, alice, carol):
    baby = make_resident(
        tree["grid_a"],
        "婴儿",
        number=None,
        phone="",
        room="601",
    )
    Resident.objects.filter(pk=baby.pk).update(birth_year=timezone.localdate().year)
    make_resident(tree["grid_a"], "成人", phone="", room="602")
    round_ = make_round(tree["grid_a"], user=alice)
    assert coverage(round_, tree["grid_a"]).total.expected == 2
    round_actions.update_round(
        round_,
        name=round_.name,
        starts_at=round_.starts_at,
        ends_at=round_.ends_at,
        pool_size=round_.pool_size,
        exempt_infants_under_years=1,
        exempt_under_treatment=True,
        acting_user=carol,
    )
    assert coverage(round_, tree["grid_a"]).total.expected == 1
    with pytest.raises(RoundError):
        round_actions.update_round(
            round_,
            name=round_.name,
            starts_at=round_.starts_at,
            ends_at=round_.ends_at,
            pool_size=round_.pool_size,
            exempt_infants_under_years=1,
            exempt_under_treatment=True,
            scope=[tree["community"]],
            acting_user=carol,
        )


def test_a_closed_round_does_not_change(tree, alice, carol):
    person = make_resident(tree["grid_a"], "某人", phone="", room="603")
    round_ = make_round(tree["grid_a"], user=alice)
    round_actions.close_round(round_, acting_user=carol)
    assert round_.status == RoundStatus.CLOSED
    with pytest.raises(RoundError):
        round_actions.record_exemption(round_, person, reason="away", acting_user=alice)
    with pytest.raises(RoundError):
        round_actions.add_sampling_point(
            round_, round_actions.PointData(area=tree["grid_a"]), acting_user=carol
        )


def test_homes_to_visit_are_those_who_cannot_come(tree, alice):
    bedridden = make_resident(tree["grid_a"], "卧床", room="701", tags=int(Tag.BEDRIDDEN))
    make_resident(tree["grid_a"], "同户", room="701")
    make_resident(tree["grid_a"], "能走", room="702")
    away = make_resident(
        tree["grid_a"], "外出卧床", room="703", tags=int(Tag.BEDRIDDEN), status="away"
    )
    round_ = make_round(tree["community"], user=alice)
    homes = homes_to_visit(round_, tree["community"], Resident.objects.all())
    assert [home.household for home in homes] == [bedridden.household]
    assert [resident for resident, _sampled in homes[0].residents] == [bedridden]
    assert away.household not in [home.household for home in homes]
    make_tube(round_, tree["grid_a"], bedridden)
    assert homes_to_visit(round_, tree["community"], Resident.objects.all())[0].done


def test_homes_to_visit_go_grid_by_grid_in_the_order_of_their_numbers(tree, alice):
    for grid, room in (("grid_b", "101"), ("grid_a", "1001"), ("grid_a", "201")):
        make_resident(tree[grid], f"卧床{room}", room=room, tags=int(Tag.BEDRIDDEN))
    round_ = make_round(tree["community"], user=alice)
    homes = homes_to_visit(round_, tree["community"], Resident.objects.all())
    assert [(home.household.grid.name, home.household.room) for home in homes] == [
        ("一号小区", "201"),
        ("一号小区", "1001"),
        ("二号小区", "101"),
    ]
