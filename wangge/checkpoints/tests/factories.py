"""Fixtures and helpers of the checkpoint tests: a checkpoint in alice's community, its
officer's device, a far device in another district, and entries as a device sends them."""

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest
from django.utils import timezone

from tests.factories import UserFactory, grant
from wangge.accounts.devices import issue_device_token
from wangge.checkpoints.models import Checkpoint, CheckpointKind
from wangge.core.permissions import Role
from wangge.lib.uuid7 import uuid7

API = "/api/v1/checkpoints/"


def make_checkpoint(area, name="西园路卡口", kind=CheckpointKind.ROAD, active=True):
    return Checkpoint.objects.create(area=area, name=name, kind=kind, active=active)


@pytest.fixture
def checkpoint(tree):
    return make_checkpoint(tree["community"])


@pytest.fixture
def sibling_checkpoint(other_tree):
    return make_checkpoint(other_tree["community"], name="外卡口")


@pytest.fixture
def officer(tree):
    return grant(UserFactory(username="officer"), Role.CHECKPOINT_OFFICER, tree["community"])


@pytest.fixture
def device(officer, tree):
    token, device = issue_device_token(officer, tree["community"], "卡口手机", acting_user=officer)
    return SimpleNamespace(token=token, device=device)


@pytest.fixture
def far_device(other_tree):
    dora = grant(UserFactory(username="dora"), Role.CHECKPOINT_OFFICER, other_tree["community"])
    token, device = issue_device_token(dora, other_tree["community"], "far", acting_user=dora)
    return SimpleNamespace(token=token, device=device)


def person(name="李四", **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "name": name,
        "id_type": "resident_card",
        "id_number": "",
        "phone": "",
        "temperature": 36.5,
        "health_code": "green",
        "travel_history": "",
        "action": "passed",
    }
    data.update(over)
    return data


def entry(checkpoint, people=None, **over: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "client_id": str(uuid7()),
        "checkpoint_id": checkpoint.pk,
        "at": (timezone.now() - dt.timedelta(minutes=5)).isoformat(),
        "direction": "in",
        "plate": "甘A12345",
        "vehicle_kind": "car",
        "origin": "兰州",
        "destination": "七里河",
        "people": people if people is not None else [person(id_number=_number())],
    }
    data.update(over)
    return data


def _number() -> str:
    from tests.factories import id_number

    return id_number(region="110101")  # a visitor from elsewhere: no resident of the tree


def post(client, device, items, *, raw: bytes | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {device.token}"} if device else {}
    return client.post(
        API + "entries/batch",
        data=raw if raw is not None else json.dumps({"items": items}),
        content_type="application/json",
        **headers,
    )
