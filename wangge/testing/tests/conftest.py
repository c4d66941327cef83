import pytest

from tests.factories import make_resident
from wangge.testing.tests.factories import make_round

PHONE = "13912345678"  # the phone of `person`


@pytest.fixture
def grid_round(tree):
    """An open round over the community of grid A and grid B."""
    return make_round(tree["community"])


@pytest.fixture
def person(tree):
    """A resident of grid A with a phone, to follow up and call."""
    return make_resident(tree["grid_a"], "王五", room="301", phone=PHONE)
