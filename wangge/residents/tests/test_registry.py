import pytest

from tests.factories import id_number, make_resident
from wangge.accounts.models import AuditEntry
from wangge.residents import actions
from wangge.residents.actions import RegistryError
from wangge.residents.selectors import search_residents


def test_one_person_is_one_resident(tree):
    number = id_number()
    make_resident(tree["grid_a"], number=number)
    with pytest.raises(RegistryError):
        make_resident(tree["grid_b"], "李四", number=number)


def test_sex_and_birth_date_come_from_the_number(tree):
    resident = make_resident(tree["grid_a"], number=id_number(sex="F"))
    assert resident.sex == "F"
    assert resident.birth_date.year == 1980


def test_sheet_sex_that_contradicts_the_number_is_refused():
    with pytest.raises(RegistryError):
        actions.ResidentData.clean(name="王五", id_number=id_number(sex="F"), sex="M")


def test_numbers_are_stored_encrypted_and_masked(tree):
    number = id_number()
    resident = make_resident(tree["grid_a"], number=number, phone="13912345678")
    assert resident.id_number_masked == number[:4] + "*" * 10 + number[-4:]
    assert resident.phone_masked == "139****5678"
    assert number.encode() not in bytes(resident.id_number_cipher)
    assert resident.reveal_id_number() == number


def test_search_by_exact_id_phone_code_and_name(tree, alice):
    number = id_number()
    resident = make_resident(tree["grid_a"], "赵六", number=number, phone="13812345678")
    for query in [number.lower(), "138-1234-5678", resident.code, "赵", number[-4:]]:
        assert list(search_residents(alice, query)) == [resident], query


def test_search_never_leaves_the_users_scope(tree, charlie):
    number = id_number()
    make_resident(tree["grid_a"], "赵六", number=number)
    assert list(search_residents(charlie, number)) == []
    assert list(search_residents(charlie, "赵")) == []


def test_reveal_is_audited(tree, alice):
    resident = make_resident(tree["grid_a"])
    actions.reveal_identity(resident, "id_number", acting_user=alice)
    entry = AuditEntry.objects.filter(action="resident.reveal").get()
    assert entry.actor == alice
    assert entry.details == {"field": "id_number"}
