"""A small round with everything in it, for the page tests: points, a team, tubes, a
positive pool and its recall, an exemption, a box."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tests.factories import UserFactory, grant, make_resident
from wangge.accounts.models import User
from wangge.core.permissions import Perm, Role
from wangge.residents.choices import Tag
from wangge.testing.actions import rounds as round_actions
from wangge.testing.actions import shipments as shipment_actions
from wangge.testing.actions.results import ResultItem, record_results
from wangge.testing.choices import TestResult, TubeStatus
from wangge.testing.models import Tube
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import make_tube


@dataclass
class World:
    round: object
    people: list
    bedridden: object
    point: object
    team: object
    pool: object
    packed: object
    waiting: object
    shipment: object
    exemption: object
    manager: User
    lab: User
    sampler: User


def build_world(tree, alice, *, people=6) -> World:
    manager = grant(UserFactory(username="manager"), Role.STREET_STAFF, tree["street"])
    lab = grant(UserFactory(username="lab"), Role.LAB_LIAISON, tree["district"])
    sampler = grant(UserFactory(username="sampler"), Role.SAMPLER, tree["community"])
    grant(UserFactory(username="leader", display_name="网格长甲"), Role.GRID_LEADER, tree["grid_a"])
    residents = [
        make_resident(tree["grid_a"], f"居民{i}", room=f"{100 + i}", phone="13900001234")
        for i in range(people)
    ]
    bedridden = make_resident(tree["grid_b"], "卧床者", room="201", tags=int(Tag.BEDRIDDEN))
    round_ = make_round(tree["community"], user=manager)
    point = round_actions.add_sampling_point(
        round_,
        round_actions.PointData(area=tree["community"], location="社区广场", desks=3),
        acting_user=manager,
    )
    team = round_actions.save_door_team(
        round_, name="上门一队", area=tree["grid_b"], members=[manager], acting_user=manager
    )
    pool = make_tube(round_, tree["grid_a"], *residents[:3])
    packed = make_tube(round_, tree["grid_a"], residents[3])
    waiting = make_tube(round_, tree["grid_a"], residents[4])
    record_results(
        [ResultItem(pool.barcode, TestResult.POSITIVE)],
        tubes=Tube.objects.visible_to(lab, Perm.LOAD_RESULTS),
        acting_user=lab,
    )
    shipment = shipment_actions.create_shipment(
        round_, [packed], laboratory="市疾控中心", acting_user=sampler
    )
    exemption = round_actions.record_exemption(
        round_, residents[5], reason="hospitalised", acting_user=alice
    )
    return World(
        round=round_,
        people=residents,
        bedridden=bedridden,
        point=point,
        team=team,
        pool=pool,
        packed=packed,
        waiting=waiting,
        shipment=shipment,
        exemption=exemption,
        manager=manager,
        lab=lab,
        sampler=sampler,
    )


def later(hours=1):
    return timezone.now() + dt.timedelta(hours=hours)


__all__ = ["World", "build_world", "later", "TubeStatus"]
