"""Bad input — HTML and script in names, SQL-looking strings, over-long fields, malformed
ID numbers — is rejected cleanly or stored as given and shown escaped.

Hypothesis drives wangge.residents.actions.ResidentData.clean (the one validator every
way into the registry uses) and the resident page that shows what it stored.
"""

import datetime as dt

import pytest
from django.db import transaction
from django.test import Client
from django.utils.html import escape
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from wangge.lib import idnumbers
from wangge.lib.idnumbers import IdType, make_resident_card_number
from wangge.residents import actions
from wangge.residents.actions import RegistryError, ResidentData
from wangge.residents.models import Resident

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '" onmouseover="alert(1)',
    "'; DROP TABLE residents_resident; --",
    "Robert'); DELETE FROM accounts_user; --",
    "1 OR 1=1",
    "{{ request.user }}",
    "{% debug %}",
    "javascript:alert(1)",
    "&lt;b&gt;",
]

# Text a person or a spreadsheet could send, without control characters (see
# test_names_with_control_characters_are_rejected for those).
printable = st.characters(blacklist_categories=("Cs", "Cc"))
names = st.one_of(st.sampled_from(PAYLOADS), st.text(printable, max_size=80))
fields = st.one_of(st.sampled_from(PAYLOADS), st.text(printable, max_size=300))

HYPOTHESIS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def _valid_number(seed: int) -> str:
    birth = dt.date(1940, 1, 1) + dt.timedelta(days=seed % 30000)
    return make_resident_card_number("620103", birth, seed % 999, "MF"[seed % 2])


@HYPOTHESIS
@given(
    name=names,
    id_type=st.sampled_from([t.value for t in IdType] + ["bogus", ""]),
    id_number=st.one_of(st.text(printable, max_size=40), st.sampled_from(PAYLOADS)),
    phone=st.one_of(st.text(printable, max_size=30), st.sampled_from(PAYLOADS)),
    ethnicity=fields,
    note=fields,
    relation=fields,
    status=st.one_of(st.just(""), st.sampled_from(PAYLOADS), st.text(printable, max_size=20)),
)
@example(
    name="<script>alert(1)</script>",
    id_type="passport",
    id_number="E12345678",
    phone="",
    ethnicity="",
    note="'; DROP TABLE residents_resident; --",
    relation="",
    status="",
)
def test_clean_rejects_with_a_reason_or_returns_what_fits(
    name, id_type, id_number, phone, ethnicity, note, relation, status
):
    try:
        data = ResidentData.clean(
            name=name,
            id_type=id_type,
            id_number=id_number,
            phone=phone,
            ethnicity=ethnicity,
            note=note,
            relation=relation,
            status=status,
        )
    except RegistryError as exc:
        assert str(exc)  # a reason a person can act on
        return
    field = Resident._meta.get_field
    assert 0 < len(data.name) <= field("name").max_length
    assert len(data.ethnicity) <= field("ethnicity").max_length
    assert len(data.note) <= field("note").max_length
    assert len(data.relation) <= field("relation").max_length
    assert data.status in dict(field("status").choices)
    assert data.sex in dict(field("sex").choices)
    if data.id_type == IdType.RESIDENT_CARD:
        assert len(data.id_number) == 18
        assert idnumbers.validate(IdType.RESIDENT_CARD, data.id_number) == data.id_number
    if data.phone:
        assert data.phone.isdigit()


@HYPOTHESIS
@given(seed=st.integers(0, 10**6), position=st.integers(0, 16), digit=st.integers(0, 9))
def test_a_mistyped_digit_in_an_id_number_is_refused(seed, position, digit):
    number = _valid_number(seed)
    assume(number[position] != str(digit))
    typo = number[:position] + str(digit) + number[position + 1 :]
    with pytest.raises(RegistryError):
        ResidentData.clean(name="王五", id_type=IdType.RESIDENT_CARD, id_number=typo)


@pytest.mark.parametrize(
    "text",
    ["6.20103198005171E+17", "620103198005171000", "62010319800517", "6201031980051712345", ""],
)
def test_numbers_excel_mangled_or_cut_are_refused(text):
    with pytest.raises(RegistryError):
        ResidentData.clean(name="王五", id_type=IdType.RESIDENT_CARD, id_number=text)


@HYPOTHESIS
@given(extra=st.integers(61, 5000))
def test_over_long_names_are_refused(extra):
    with pytest.raises(RegistryError):
        ResidentData.clean(name="张" * extra, id_type=IdType.NONE)


@HYPOTHESIS
@given(name=names, note=fields)
def test_what_is_stored_is_shown_escaped(tree, alice, name, note):
    try:
        data = ResidentData.clean(name=name, id_type=IdType.NONE, note=note)
    except RegistryError:
        return
    client = Client()
    client.force_login(alice)
    with transaction.atomic():
        household = actions.get_or_create_household(tree["grid_a"], room="1")
        resident = actions.register_resident(household, data, acting_user=alice)
        stored = Resident.objects.get(pk=resident.pk)
        assert (stored.name, stored.note) == (data.name, data.note)
        body = client.get(f"/residents/{resident.pk}/").content.decode()
        transaction.set_rollback(True)
    assert escape(data.name) in body
    if any(char in data.name for char in "<>\"'&"):
        assert f"<h1>{data.name}</h1>" not in body
    if "<" in data.note:
        assert data.note not in body


@pytest.mark.parametrize("payload", PAYLOADS)
def test_sql_looking_names_are_stored_verbatim_and_found(tree, alice, payload):
    data = ResidentData.clean(name=payload, id_type=IdType.NONE)
    household = actions.get_or_create_household(tree["grid_a"], room="1")
    resident = actions.register_resident(household, data, acting_user=alice)
    assert Resident.objects.get(pk=resident.pk).name == payload.strip()
    assert resident in actions.find_residents(alice, payload, acting_user=alice)
    response = Client()
    response.force_login(alice)
    body = response.get("/residents/", {"q": payload}).content.decode()
    assert escape(payload.strip()) in body
    assert "<script>alert(1)</script>" not in body


# Values a sheet or a form may carry that the database would refuse (a 500) or store badly.


def test_non_numeric_tags_are_refused_with_a_reason():
    with pytest.raises(RegistryError):
        ResidentData.clean(name="王五", id_type=IdType.NONE, tags="bedridden")


def test_negative_tags_are_refused():
    with pytest.raises(RegistryError):
        ResidentData.clean(name="王五", id_type=IdType.NONE, tags=-1)


@pytest.mark.parametrize("field", ["name", "ethnicity", "note", "relation"])
def test_control_characters_are_refused(field):
    raw = {"name": "王五", "id_type": IdType.NONE, field: "王\x00五"}
    with pytest.raises(RegistryError):
        ResidentData.clean(**raw)
