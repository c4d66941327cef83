import pytest

from wangge.incidents.tests.factories import make_chain


@pytest.fixture
def chain(tree):
    return make_chain(tree)
