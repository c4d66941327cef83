import pytest

from tests.factories import id_number, make_resident
from wangge.audit.models import AuditEntry
from wangge.residents import actions
from wangge.residents.actions import RegistryError


def search(user, query):
    return list(actions.find_residents(user, query, acting_user=user))


def test_one_person_is_one_resident(tree):
    number = id_number()
    make_resident(tree["grid_a"], number=number)
    with pytest.raises(RegistryError):
        make_resident(tree["grid_b"], "李四", number=number)


def test_sex_and_birth_year_come_from_the_number(tree):
    resident = make_resident(tree["grid_a"], number=id_number(sex="F"))
    assert resident.sex == "F"
    assert resident.birth_year == 1980


def test_sheet_sex_that_contradicts_the_number_is_refused():
    with pytest.raises(RegistryError):
        actions.ResidentData.clean(name="王五", id_number=id_number(sex="F"), sex="M")


def test_numbers_are_stored_encrypted_and_masked(tree):
    number = id_number()
    resident = make_resident(tree["grid_a"], number=number, phone="13912345678")
    assert resident.id_number_masked == number[:6] + "*" * 12
    assert resident.phone_masked == "139****5678"
    assert number.encode() not in bytes(resident.id_number_cipher)
    assert resident.reveal_id_number() == number


def test_search_by_exact_id_phone_code_and_name(tree, alice):
    number = id_number()
    resident = make_resident(tree["grid_a"], "赵六", number=number, phone="13812345678")
    for query in [number.lower(), "138-1234-5678", resident.code, "赵", "5678"]:
        assert search(alice, query) == [resident], query


def test_an_id_numbers_last_four_digits_find_nobody(tree, alice):
    # No mask shows them any more, so matching them would tell what the mask hides.
    number = id_number()
    make_resident(tree["grid_a"], "赵六", number=number, phone="13812345678")
    assert search(alice, number[-4:]) == []


def test_searches_by_id_number_or_phone_are_audited_without_the_number(client, tree, alice):
    number = id_number()
    make_resident(tree["grid_a"], "赵六", number=number, phone="13812345678")
    client.force_login(alice)
    for query in [number, "138 1234 5678", "5678"]:
        assert "赵六" in client.get("/residents/", {"q": query}).content.decode(), query
    entries = AuditEntry.objects.filter(action="resident.search").order_by("pk")
    assert [entry.details["lookups"] for entry in entries] == [
        ["id_number"],
        ["id_number", "phone"],  # eleven digits are also a possible passport number
        ["phone_last_four"],
    ]
    for entry in entries:
        assert entry.actor == alice and entry.area_path == tree["community"].path
        assert number not in str(entry.details) and "12345678" not in str(entry.details)
    # A search by name tells nothing of a number: not audited.
    client.get("/residents/", {"q": "赵"})
    assert AuditEntry.objects.filter(action="resident.search").count() == 3


def test_search_never_leaves_the_users_scope(tree, charlie):
    number = id_number()
    make_resident(tree["grid_a"], "赵六", number=number)
    assert search(charlie, number) == []
    assert search(charlie, "赵") == []


def test_reveal_is_audited(tree, alice):
    resident = make_resident(tree["grid_a"])
    actions.reveal_identity(resident, "id_number", acting_user=alice)
    entry = AuditEntry.objects.filter(action="resident.reveal").get()
    assert entry.actor == alice
    assert entry.details == {"field": "id_number"}


def test_resident_codes_are_ten_letters_of_the_scannable_alphabet():
    from wangge.residents.models import new_resident_code
    from wangge.residents.selectors import _CODE

    codes = {new_resident_code() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(_CODE.match(code) for code in codes)
    # Every letter is drawn: 20,000 draws of 32 letters leave none out.
    assert len(set("".join(codes))) == 32
