"""The demo's incidents: every state, on whatever workforce exists, built once."""

import pytest

from wangge.incidents.choices import IncidentSource, IncidentStatus
from wangge.incidents.demo import build_demo_incidents, demo_incidents_exist
from wangge.incidents.models import Incident

pytestmark = pytest.mark.django_db


def test_the_demo_has_an_incident_in_every_state_and_is_built_once(tree, chain, clock):
    district = tree["district"]
    assert build_demo_incidents(district, seed=7, acting_user=None, at=clock.now) == 8
    assert demo_incidents_exist(district)
    statuses = set(Incident.objects.values_list("status", flat=True))
    assert statuses == set(IncidentStatus.values)
    steps = sorted(Incident.objects.values_list("escalation_step", flat=True))
    assert steps[-2:] == [1, 2]
    assert Incident.objects.exclude(source=IncidentSource.MANUAL).count() == 1
    # Assigned to people of the chain, the demo logins' among them.
    assert Incident.objects.filter(assignee=chain["cadre_a"]).exists()
    assert build_demo_incidents(district, seed=7, acting_user=None, at=clock.now) == 0
    assert Incident.objects.count() == 8


def test_the_demo_works_without_any_workforce(tree, clock):
    assert build_demo_incidents(tree["district"], seed=1, acting_user=None, at=clock.now) == 8
    assert not Incident.objects.filter(assignee__isnull=False).exists()
