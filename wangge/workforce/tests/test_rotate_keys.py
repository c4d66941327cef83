import pytest
from django.core.management import call_command

from wangge.accounts.tests.test_rotate_keys import _key, _rotated
from wangge.core import personal_data
from wangge.core.personal_data import personal_data_models, phone_lookups
from wangge.workforce.models import Worker
from wangge.workforce.tests.factories import make_worker


@pytest.fixture
def keys():
    """Rotate the keyrings for one test, and forget the cached ones afterwards."""
    personal_data.reset_keys()
    yield
    personal_data.reset_keys()


def test_workers_are_among_the_models_holding_personal_data():
    assert Worker in personal_data_models()


def test_rotate_keys_for_real_reseals_a_workers_phone(db, tree, keys):
    worker = make_worker(tree["grid_a"], phone="13912345678")
    data_key, index_key = _key("d9"), _key("i9")
    with _rotated(data_key, index_key):
        personal_data.reset_keys()
        call_command("rotate_keys", "--for-real")
        stored = Worker.objects.get(pk=worker.pk)
        assert bytes(stored.phone_cipher).startswith(b"d9$")
        assert stored.phone_index.startswith("i9$")
        assert stored.reveal_phone() == "13912345678"
        assert stored.phone_index in phone_lookups("13912345678")
