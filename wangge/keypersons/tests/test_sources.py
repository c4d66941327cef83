"""A positive individual result makes its person a key person, once; the incidents app
raises the incident from the same event, so both happen."""

import datetime as dt
import uuid

import pytest

from tests.factories import UserFactory, grant, id_number, make_resident
from wangge.core.permissions import Perm, Role
from wangge.events.actions import dispatch_pending
from wangge.events.models import Delivery
from wangge.incidents.models import Incident
from wangge.keypersons.choices import Category, KeyPersonSource, KeyPersonStatus, Measure
from wangge.keypersons.models import KeyPerson
from wangge.keypersons.sources import case_positive
from wangge.keypersons.tests.factories import make_key_person
from wangge.testing.actions.results import ResultItem, record_results
from wangge.testing.choices import TestResult as Result
from wangge.testing.models import Tube, WalkIn
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import make_tube

pytestmark = pytest.mark.django_db


@pytest.fixture
def lab(tree):
    return grant(UserFactory(username="lab"), Role.LAB_LIAISON, tree["district"])


def _positive(lab, tube):
    record_results(
        [ResultItem(tube.barcode, Result.POSITIVE)],
        tubes=Tube.objects.visible_to(lab, Perm.LOAD_RESULTS),
        acting_user=lab,
    )


def _deliver(clock):
    dispatch_pending(clock.now)
    dispatch_pending(clock.advance(minutes=10))


def test_a_positive_resident_becomes_a_key_person_and_an_incident(tree, lab, clock):
    resident = make_resident(tree["grid_a"], "阳一")
    round_ = make_round(tree["community"])
    _positive(lab, make_tube(round_, tree["grid_a"], resident, capacity=1))
    _deliver(clock)
    person = KeyPerson.objects.get()
    assert person.resident == resident and person.area == tree["grid_a"]
    assert person.category == Category.POSITIVE
    assert person.measure == Measure.CENTRALISED_QUARANTINE
    assert person.source == KeyPersonSource.TESTING
    assert [t.day for t in person.tests.order_by("day")] == [1, 2, 3, 5, 7]
    assert Incident.objects.get().kind == "positive"
    # A retried delivery places nobody twice.
    event = Delivery.objects.get(subscriber="keypersons.case_positive").event
    case_positive(event, clock.now)
    assert KeyPerson.objects.count() == 1 and Incident.objects.count() == 1


def test_a_resident_already_followed_becomes_positive_on_the_same_record(tree, lab, clock):
    resident = make_resident(tree["grid_a"], "阳二")
    followed = make_key_person(tree["grid_a"], resident=resident, measure=Measure.HOME_QUARANTINE)
    round_ = make_round(tree["community"])
    _positive(lab, make_tube(round_, tree["grid_a"], resident, capacity=1))
    _deliver(clock)
    person = KeyPerson.objects.get()
    assert person.pk == followed.pk and person.category == Category.POSITIVE
    assert person.status == KeyPersonStatus.UNDER_MEASURE
    assert Incident.objects.count() == 1  # testing's, not a second one


def test_a_positive_walk_in_is_followed_with_sealed_data(tree, lab, clock):
    from wangge.testing.models import PositiveCase

    round_ = make_round(tree["community"])
    number = id_number()
    walk_in = WalkIn(client_id=uuid.uuid4(), round=round_, area=tree["grid_b"], name="访客甲")
    walk_in.set_id_number("resident_card", number)
    walk_in.set_phone("13955556666")
    walk_in.save()
    tube = make_tube(round_, tree["grid_b"], capacity=1)
    case = PositiveCase.objects.create(
        round=round_, tube=tube, walk_in=walk_in, area=tree["grid_b"], detected_at=clock.now
    )
    from django.db import transaction

    from wangge.events import actions as events

    with transaction.atomic():
        events.record("testing.case_positive", {"case": case.pk}, area=case.area_id, at=clock.now)
    _deliver(clock)
    person = KeyPerson.objects.get()
    assert person.resident is None and person.area == tree["grid_b"]
    assert person.reveal_id_number() == number and person.phone_masked
    assert person.started_on == dt.date(2026, 3, 1)
