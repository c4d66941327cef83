import base64
import os

import pytest
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import override_settings

from tests.factories import id_number, make_resident
from wangge.audit.models import AuditEntry
from wangge.core import personal_data
from wangge.core.personal_data import PersonalPhone, personal_data_models
from wangge.residents.actions import find_by_id_number
from wangge.residents.models import Resident


def _key(key_id):
    return f"{key_id}:{base64.b64encode(os.urandom(32)).decode()}"


@pytest.fixture
def keys():
    """Rotate the keyrings for one test, and forget the cached ones afterwards."""
    personal_data.reset_keys()
    yield
    personal_data.reset_keys()


def _rotated(data_key, index_key):
    return override_settings(
        WANGGE_DATA_KEYS=f"{data_key},{settings.WANGGE_DATA_KEYS}",
        WANGGE_INDEX_KEYS=f"{index_key},{settings.WANGGE_INDEX_KEYS}",
    )


def test_every_personal_identity_model_is_found():
    models = personal_data_models()
    assert Resident in models
    assert all(issubclass(model, PersonalPhone) for model in models)


def test_rotation_reencrypts_and_reindexes_everything(db, tree, keys, capsys):
    number = id_number()
    residents = [make_resident(tree["grid_a"], "甲", number=number, phone="13912345678")]
    residents += [make_resident(tree["grid_a"], f"乙{i}", room=str(i)) for i in range(5)]
    old_index = Resident.objects.get(pk=residents[0].pk).id_number_index
    data_key, index_key = _key("d2"), _key("i2")
    with _rotated(data_key, index_key):
        personal_data.reset_keys()
        # Dry run: counts, writes nothing.
        call_command("rotate_keys")
        assert "6 rows to re-encrypt" in capsys.readouterr().out
        assert Resident.objects.get(pk=residents[0].pk).id_number_index == old_index
        assert not AuditEntry.objects.filter(action="keys.rotate").exists()

        call_command("rotate_keys", "--for-real", "--batch-size", "4")
        for resident in Resident.objects.all():
            assert bytes(resident.id_number_cipher).startswith(b"d2$")
            assert bytes(resident.phone_cipher).startswith(b"d2$")
            assert resident.id_number_index.startswith("i2$")
            assert resident.phone_index.startswith("i2$")
        first = Resident.objects.get(pk=residents[0].pk)
        assert first.reveal_id_number() == number
        assert first.reveal_phone() == "13912345678"
        assert find_by_id_number("resident_card", number) == first
        entry = AuditEntry.objects.get(action="keys.rotate")
        assert entry.details["rows"]["residents.Resident"] == 6
        assert sum(entry.details["rows"].values()) == 6
        assert number not in str(entry.details)

        call_command("rotate_keys")
        assert "0 rows to re-encrypt" in capsys.readouterr().out

    # With the old keys dropped, everything still reads and is still found.
    with override_settings(WANGGE_DATA_KEYS=data_key, WANGGE_INDEX_KEYS=index_key):
        personal_data.reset_keys()
        first = Resident.objects.get(pk=residents[0].pk)
        assert first.reveal_id_number() == number
        assert find_by_id_number("resident_card", number) == first


def test_rotation_stops_when_an_old_key_is_missing(db, tree, keys):
    make_resident(tree["grid_a"], "甲")
    with override_settings(WANGGE_DATA_KEYS=_key("d9"), WANGGE_INDEX_KEYS=_key("i9")):
        personal_data.reset_keys()
        with pytest.raises(CommandError, match="old key missing"):
            call_command("rotate_keys", "--for-real")
