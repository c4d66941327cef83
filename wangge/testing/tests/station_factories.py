"""Fixtures and helpers of the station tests: a sampler's device, people, an open round,
and registration items as a station sends them."""

import json
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.factories import UserFactory, grant, make_resident
from wangge.accounts.devices import issue_device_token
from wangge.core.permissions import Role
from wangge.lib.uuid7 import uuid7
from wangge.testing.actions.registrations.storing import register_batch
from wangge.testing.models import DoorToDoorTeam, SamplingPoint
from wangge.testing.schemas import RegistrationBatchIn, parse_batch
from wangge.testing.station_items import RegistrationIn
from wangge.testing.tests.factories import make_round


@pytest.fixture
def sampler(tree):
    return grant(UserFactory(username="sampler"), Role.SAMPLER, tree["community"])


@pytest.fixture
def station(tree, sampler):
    token, device = issue_device_token(sampler, tree["community"], "desk 1", acting_user=sampler)
    return SimpleNamespace(token=token, device=device)


@pytest.fixture
def far_station(other_tree):
    """A sampler's device in another district: it must see nothing of `tree`."""
    dora = grant(UserFactory(username="dora"), Role.SAMPLER, other_tree["community"])
    token, device = issue_device_token(dora, other_tree["community"], "far", acting_user=dora)
    return SimpleNamespace(token=token, device=device)


@pytest.fixture
def people(tree):
    a = [make_resident(tree["grid_a"], f"甲{i}", room=f"10{i}", phone="") for i in range(6)]
    b = [make_resident(tree["grid_b"], f"乙{i}", room=f"20{i}", phone="") for i in range(3)]
    return a, b


@pytest.fixture
def round_(tree, alice):
    return make_round(tree["community"], user=alice)


def round_point(round_):
    """The round's point No. 1, serving its whole scope (so every station of the round may
    name it): the point a test's registration is taken at unless it says otherwise."""
    point = SamplingPoint.objects.filter(round=round_, number=1).first()
    if point is None:
        area = round_.scope.order_by("pk").first().area
        point = SamplingPoint.objects.create(round=round_, number=1, name="1号", area=area)
    return point


def round_team(round_):
    """The round's first door-to-door team, over its whole scope (as `round_point`)."""
    team = DoorToDoorTeam.objects.filter(round=round_).order_by("pk").first()
    if team is None:
        area = round_.scope.order_by("pk").first().area
        team = DoorToDoorTeam.objects.create(round=round_, name="上门一队", area=area)
    return team


def item(round_, barcode, person, *, capacity=10, client_id=None, **extra):
    """A registration item as a station sends it (a dict, before validation)."""
    if hasattr(person, "code"):
        person = {"resident_code": person.code}
    if extra.get("mode", "point") == "point":
        extra.setdefault("sampling_point_id", round_point(round_).pk)
    else:
        extra.setdefault("team_id", round_team(round_).pk)
    return {
        "client_id": str(client_id or uuid7()),
        "round_id": round_.pk,
        "tube_barcode": barcode,
        "tube_capacity": capacity,
        "sampled_at": timezone.now().isoformat(),
        "person": person,
        **extra,
    }


def upload(station, items):
    body = json.dumps({"items": items}).encode()
    parsed = parse_batch(body, RegistrationBatchIn, RegistrationIn)
    return register_batch(parsed, device=station.device, acting_user=station.device.user)


def statuses(results):
    return [r.status if r.status != "rejected" else r.reason_code for r in results]


def station_for(area, label, username="sampler"):
    """A sampler's device for `area` (the sampler is created if need be)."""
    from wangge.accounts.models import RoleAssignment

    user = UserFactory(username=username)
    RoleAssignment.objects.get_or_create(user=user, role=Role.SAMPLER, area=area)
    token, device = issue_device_token(user, area, label, acting_user=user)
    return SimpleNamespace(token=token, device=device)


def open_round_over(area, user):
    return make_round(area, user=user)
