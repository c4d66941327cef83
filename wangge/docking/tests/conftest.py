import pytest
from django.utils import translation

from tests.factories import UserFactory, grant
from wangge.core.permissions import Role


@pytest.fixture(autouse=True)
def in_english():
    """The refusals are read in English here (the site's language is Chinese)."""
    with translation.override("en"):
        yield


@pytest.fixture
def streetie(tree):
    """Staff of the street: answers for the street and sees (and may answer for) its
    communities."""
    return grant(UserFactory(username="streetie"), Role.STREET_STAFF, tree["street"])
