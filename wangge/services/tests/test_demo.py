"""The demo's door-to-door service: read from the key persons and risk levels that exist,
every state, the late one's incident; and the exception when the district has neither."""

from wangge.incidents.models import Incident
from wangge.risk.choices import RiskLevel
from wangge.services.choices import ServiceStatus
from wangge.services.demo import build_demo_services, demo_services_exist, remove_demo_services
from wangge.services.models import ServiceRequest, SupplyHandout
from wangge.services.tests.factories import make_home_key_person, make_household, set_level
from wangge.workforce.choices import WorkerKind
from wangge.workforce.tests.factories import make_worker


def test_the_demo_serves_key_persons_and_the_closed_compound_in_every_state(tree, clock):
    set_level(tree["grid_a"], RiskLevel.LOCKDOWN)
    for room in ("101", "102", "103"):
        make_household(tree["grid_a"], room)
    person = make_home_key_person(tree["grid_b"])
    make_worker(tree["community"], "志愿者", kind=WorkerKind.VOLUNTEER)
    built = build_demo_services(tree["district"], seed=3, acting_user=None, at=clock())
    assert built.source == "key persons + risk levels"
    assert built.requests == ServiceRequest.objects.count() == 12
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == set(ServiceStatus.values)
    assert ServiceRequest.objects.filter(household=person.household).exists()
    assert not ServiceRequest.objects.exclude(override_reason="").exists()
    assert built.late == 1 == Incident.objects.filter(source="services.overdue").count()
    assert built.handouts == SupplyHandout.objects.count() > 0
    assert demo_services_exist(tree["district"])
    again = build_demo_services(tree["district"], seed=3, acting_user=None, at=clock())
    assert again.requests == 0 and ServiceRequest.objects.count() == 12
    assert remove_demo_services(tree["district"]) == 12
    assert not SupplyHandout.objects.exists()


def test_without_closed_areas_or_key_persons_the_first_grid_is_served_as_an_exception(tree, clock):
    make_household(tree["grid_b"], "201")
    built = build_demo_services(tree["district"], seed=3, acting_user=None, at=clock())
    assert built.source.startswith("exception")
    assert ServiceRequest.objects.exclude(override_reason="").count() == built.requests > 0
