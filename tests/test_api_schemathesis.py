"""Schemathesis against the served OpenAPI document: no 5xx, nothing outside the schema.

The document is read through Django's WSGI application, the way a client reads it, and
every operation is called with generated valid and invalid input, authenticated with real
device tokens: a sampler's station for the station routes, a lab liaison's device for the
laboratory's. The run is derandomized and bounded so that it takes the same path, in well
under two minutes, in the SQLite and the PostgreSQL runs of `make test`.
"""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from tests.factories import UserFactory, grant, make_resident
from wangge.accounts.devices import issue_device_token
from wangge.checkpoints.models import Checkpoint
from wangge.core.permissions import Role
from wangge.testing.choices import TubeStatus
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import make_tube

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def connection_kept():
    """The WSGI handler closes the database connection after each request, as it should in
    production; here that connection holds the test's transaction (Django's test client
    disconnects the same handlers)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(tree, alice, connection_kept):
    """Real tokens, and something for them to find: an open round, people, tubes."""
    sampler = grant(UserFactory(username="sampler"), Role.SAMPLER, tree["community"])
    station, _ = issue_device_token(sampler, tree["community"], "desk 1", acting_user=sampler)
    lab = grant(UserFactory(username="lab"), Role.LAB_LIAISON, tree["district"])
    lab_token, _ = issue_device_token(lab, tree["district"], "LIS", acting_user=lab)
    people = [make_resident(tree["grid_a"], f"人{i}", room=f"30{i}", phone="") for i in range(3)]
    round_ = make_round(tree["community"], user=alice)
    make_tube(round_, tree["grid_a"], people[0], people[1], barcode="P-001")
    make_tube(round_, tree["grid_a"], people[2], barcode="O-001", status=TubeStatus.OPEN)
    officer = grant(UserFactory(username="officer"), Role.CHECKPOINT_OFFICER, tree["community"])
    checkpoint_token, _ = issue_device_token(
        officer, tree["community"], "卡口", acting_user=officer
    )
    Checkpoint.objects.create(area=tree["community"], name="卡口")
    return {"station": station, "lab": lab_token, "checkpoint": checkpoint_token}


@schema.parametrize()
@settings(
    max_examples=40,
    derandomize=True,
    database=None,
    deadline=None,
    suppress_health_check=list(HealthCheck),
)
def test_api_answers_within_its_schema_and_never_5xx(case, tokens):
    token = tokens["lab"] if case.path.startswith("/api/v1/lab/") else tokens["station"]
    if case.path.startswith("/api/v1/checkpoints/"):
        token = tokens["checkpoint"]
    case.call_and_validate(headers={"Authorization": f"Bearer {token}"}, checks=CHECKS)
