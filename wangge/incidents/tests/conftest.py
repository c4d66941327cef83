import importlib

import pytest
from django.apps import apps

from wangge.incidents.tests.factories import make_chain


@pytest.fixture
def chain(tree):
    return make_chain(tree)


@pytest.fixture
def migrated_data():
    """The duties and clock policies the data migrations write, again: a transactional
    test runs after another one's flush, which removed them."""
    for module, function in (
        ("wangge.workforce.migrations.0002_default_duties", "add_duties"),
        ("wangge.incidents.migrations.0002_default_clock_policies", "add_policies"),
    ):
        getattr(importlib.import_module(module), function)(apps, None)
