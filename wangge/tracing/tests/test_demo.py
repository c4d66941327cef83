"""The demo's list: in progress, generated from the registry, removed on reset."""

import pytest

from tests.factories import make_resident
from wangge.incidents.models import Incident
from wangge.keypersons.models import KeyPerson
from wangge.tracing.choices import TracedStatus
from wangge.tracing.demo import build_demo_tracing, demo_tracing_exist, remove_demo_tracing
from wangge.tracing.models import TracedList

pytestmark = pytest.mark.django_db


def test_the_demo_list_is_in_progress_and_removed(tree):
    for index in range(30):
        grid = tree["grid_a"] if index % 2 else tree["grid_b"]
        make_resident(grid, f"居民{index}", room=str(index))
    traced_list = build_demo_tracing(tree["district"], tree["community"], seed=1)
    assert traced_list is not None and demo_tracing_exist(tree["district"])
    assert build_demo_tracing(tree["district"], tree["community"], seed=1) is None
    statuses = set(traced_list.people.values_list("status", flat=True))
    assert TracedStatus.PENDING in statuses and TracedStatus.FOUND_PLACED in statuses
    areas = set(traced_list.people.values_list("area_id", flat=True))
    assert {tree["grid_a"].pk, tree["grid_b"].pk, tree["community"].pk} <= areas
    assert KeyPerson.objects.exists()
    assert Incident.objects.filter(source_key__startswith=f"tracing:{traced_list.pk}:").exists()
    assert remove_demo_tracing(tree["district"]) == 1
    assert not TracedList.objects.exists() and not KeyPerson.objects.exists()
