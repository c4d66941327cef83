"""The registration batch: idempotent, one answer per item, tubes never overfilled."""

# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from tests.factories import id_number, make_resident
from wangge.audit.models import AuditEntry
from wangge.lib.uuid7 import uuid7
from wangge.residents import actions as registry
from wangge.residents.choices import Tag
from wangge.residents.models import Resident
from wangge.testing.actions.registrations.answers import REASONS
from wangge.testing.actions.registrations.home_visits import record_home_visits
from wangge.testing.actions.registrations.storing import seal_tube
from wangge.testing.actions.rounds import record_exemption
from wangge.testing.choices import TubeStatus
from wangge.testing.expectation import expected_residents
from wangge.testing.models import (
    DoorToDoorTeam,
    HomeVisit,
    Registration,
    RoundSample,
    SamplingPoint,
    Tube,
    WalkIn,
)
from wangge.testing.schemas import (
    RegistrationBatchIn,
    parse_batch,
)
from wangge.testing.station_items import (
    InvalidItem,
    RegistrationIn,
)
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.station_factories import (
    far_station,
    item,
    people,
    round_,
    round_point,
    round_team,
    sampler,
    station,
    station_for,
    statuses,
    upload,
)

# --- the rules ---------------------------------------------------------------------------


def test_a_retried_batch_stores_nothing_twice(station, people, round_):
    a, _ = people
    batch = [item(round_, "T1", person) for person in a[:3]]
    first = upload(station, batch)
    assert statuses(first) == ["accepted"] * 3
    assert [r.tube_filled for r in first] == [1, 2, 3]
    again = upload(station, batch)
    assert statuses(again) == ["duplicate"] * 3
    assert all(r.tube_filled == 3 and r.already_sampled is None for r in again)
    assert Registration.objects.count() == 3
    assert Tube.objects.get(barcode="T1").filled == 3
    assert RoundSample.objects.filter(round=round_).count() == 3


def test_a_client_id_repeated_within_a_batch_is_a_duplicate(station, people, round_):
    a, _ = people
    one = item(round_, "T1", a[0])
    results = upload(station, [one, dict(one), item(round_, "T1", a[1])])
    assert statuses(results) == ["accepted", "duplicate", "accepted"]
    assert Registration.objects.count() == 2


def test_a_tube_seals_itself_at_capacity_and_takes_no_more(station, people, round_):
    a, _ = people
    results = upload(station, [item(round_, "T5", person, capacity=5) for person in a])
    assert statuses(results) == ["accepted"] * 5 + ["tube_full"]
    assert results[4].tube_sealed and not results[3].tube_sealed
    tube = Tube.objects.get(barcode="T5")
    assert (tube.filled, tube.status) == (5, TubeStatus.SEALED)
    assert tube.sealed_at is not None
    assert tube.registrations.count() == 5
    later = upload(station, [item(round_, "T5", a[5], capacity=5)])
    assert statuses(later) == ["tube_full"]
    assert later[0].reason == str(REASONS["tube_full"])


def test_a_tube_keeps_its_round_and_capacity(station, people, round_, tree, alice):
    a, _ = people
    upload(station, [item(round_, "T1", a[0], capacity=10)])
    assert statuses(upload(station, [item(round_, "T1", a[1], capacity=5)])) == [
        "capacity_mismatch"
    ]
    second = make_round(tree["community"], user=alice, name="第二轮")
    assert statuses(upload(station, [item(second, "T1", a[1])])) == ["tube_other_round"]
    assert Tube.objects.get(barcode="T1").filled == 1


def test_a_sealed_tube_takes_no_more(station, people, round_):
    a, _ = people
    upload(station, [item(round_, "T1", a[0])])
    tube = seal_tube(Tube.objects.get(barcode="T1"), acting_user=station.device.user)
    assert tube.status == TubeStatus.SEALED
    assert statuses(upload(station, [item(round_, "T1", a[1])])) == ["tube_sealed"]


def test_the_same_person_twice_in_a_tube_is_refused_but_a_retest_is_flagged(
    station, people, round_
):
    a, _ = people
    results = upload(
        station,
        [item(round_, "T1", a[0]), item(round_, "T1", a[0]), item(round_, "S1", a[0], capacity=1)],
    )
    assert statuses(results) == ["accepted", "already_in_tube", "accepted"]
    assert [results[0].already_sampled, results[2].already_sampled] == [False, True]
    assert RoundSample.objects.filter(round=round_, resident=a[0]).count() == 1
    later = upload(station, [item(round_, "T1", a[0])])
    assert statuses(later) == ["already_in_tube"]


def test_rounds_not_open_or_not_visible_are_refused(station, people, round_, tree, other_tree):
    a, _ = people
    planned = make_round(tree["community"], open_it=False, name="计划中")
    elsewhere = make_round(other_tree["community"], name="外区")
    results = upload(station, [item(planned, "T1", a[0]), item(elsewhere, "T2", a[0])])
    assert statuses(results) == ["round_not_open", "unknown_round"]
    assert not Tube.objects.exists()


def test_people_by_id_number_as_typed_or_scanned(station, people, round_, tree):
    number = id_number()
    person = make_resident(tree["grid_a"], "李四", number=number, phone="")
    typed = f" {number[:6]} {number[6:14]} {number[14:].lower()} "
    fullwidth = "".join(chr(ord(c) + 0xFEE0) for c in number)
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    results = upload(
        station,
        [
            item(round_, "T1", {"id_type": "resident_card", "id_number": typed}),
            item(round_, "T2", {"id_type": "resident_card", "id_number": fullwidth}),
            item(round_, "T3", {"id_type": "resident_card", "id_number": id_number()}),
            item(round_, "T4", {"id_type": "resident_card", "id_number": wrong}),
            item(round_, "T5", {"resident_code": "ZZZZZZZZZZ"}),
        ],
    )
    assert statuses(results) == [
        "accepted",
        "accepted",
        "unknown_person",
        "invalid_person",
        "unknown_person",
    ]
    assert set(Registration.objects.values_list("resident_id", flat=True)) == {person.pk}
    assert results[1].already_sampled


def test_a_number_scanned_beside_a_chosen_person_must_be_theirs(station, people, round_, tree):
    """Offline, the operator picks the person a scanned ID number names from a list; the
    server refuses the pick if the number is someone else's, and stores the good items."""
    a, _ = people
    chosen_number = a[0].reveal_id_number()
    other = make_resident(tree["grid_a"], "另一人", room="901", phone="")
    household = registry.get_or_create_household(tree["grid_a"], building="1", unit="1", room="9")
    no_number = registry.register_resident(
        household,
        registry.ResidentData.clean(name="无证", id_type="none", birth_date=dt.date(2020, 5, 1)),
        acting_user=None,
    )
    nobodys = id_number()
    wrong_check = chosen_number[:-1] + ("0" if chosen_number[-1] != "0" else "1")

    def pick(resident, number):
        return {"resident_code": resident.code, "id_type": "resident_card", "id_number": number}

    results = upload(
        station,
        [
            item(round_, "T1", pick(a[0], chosen_number)),  # the right person
            item(round_, "T1", pick(a[1], other.reveal_id_number())),  # another's number
            item(round_, "T1", pick(a[2], nobodys)),  # a number nobody has, a person who has one
            item(round_, "T1", pick(no_number, nobodys)),  # nothing on record to compare
            item(round_, "T1", pick(a[3], wrong_check)),  # not a valid number
            item(round_, "T1", {"id_type": "resident_card", "id_number": nobodys}),  # none chosen
            item(round_, "T1", a[4]),
        ],
    )
    assert statuses(results) == [
        "accepted",
        "id_number_mismatch",
        "id_number_mismatch",
        "accepted",
        "invalid_person",
        "unknown_person",
        "accepted",
    ]
    assert results[1].reason == str(REASONS["id_number_mismatch"])
    stored = set(Registration.objects.values_list("resident_id", flat=True))
    assert stored == {a[0].pk, no_number.pk, a[4].pk}


def queries_to_accept(station, batch):
    """The queries an upload of `batch` costs (every item of it accepted)."""
    with CaptureQueriesContext(connection) as captured:
        results = upload(station, batch)
    assert {r.status for r in results} == {"accepted"}
    return len(captured)


def test_checking_scanned_numbers_costs_one_query_per_batch(station, tree, round_):
    residents = [make_resident(tree["grid_a"], f"人{i}", room=str(i), phone="") for i in range(40)]

    def count(batch):
        return queries_to_accept(station, batch)

    def picked(barcode, person):
        number = person.reveal_id_number()
        chosen = {"resident_code": person.code, "id_type": "resident_card", "id_number": number}
        return item(round_, barcode, chosen, capacity=5)

    count([item(round_, "W0", residents[0], capacity=1)])  # the device's roles are cached
    by_code = count(
        [item(round_, f"A{i // 5}", p, capacity=5) for i, p in enumerate(residents[1:6])]
    )
    few = count([picked(f"B{i // 5}", p) for i, p in enumerate(residents[6:11])])
    many = count([picked(f"C{i // 5}", p) for i, p in enumerate(residents[11:40])])
    assert few == many == by_code + 1


def test_a_walk_in_is_stored_sealed_and_reused_for_a_retest(station, people, round_):
    number = id_number(region="110101")
    walk_in = {
        "client_id": str(uuid7()),
        "name": "访客王",
        "id_type": "resident_card",
        "id_number": number,
        "phone": "139 0000 5678",
        "address": "外地",
    }
    first = upload(station, [item(round_, "T1", {"walk_in": walk_in})])
    again = upload(station, [item(round_, "S1", {"walk_in": walk_in}, capacity=1)])
    assert statuses(first + again) == ["accepted", "accepted"]
    assert [first[0].already_sampled, again[0].already_sampled] == [False, True]
    stored = WalkIn.objects.get()
    assert stored.reveal_id_number() == number and stored.reveal_phone() == "13900005678"
    assert number not in stored.id_number_masked and stored.area == station.device.area
    # The same document under a new walk-in id is the same person in this round.
    walk_in_again = {**walk_in, "client_id": str(uuid7())}
    third = upload(station, [item(round_, "S2", {"walk_in": walk_in_again}, capacity=1)])
    assert statuses(third) == ["accepted"] and third[0].already_sampled
    assert WalkIn.objects.count() == 1
    assert Registration.objects.filter(walk_in=stored).count() == 3


def test_a_walk_in_known_to_the_registry_is_registered_as_the_resident(
    station, people, round_, tree
):
    number = id_number()
    resident = make_resident(tree["grid_b"], "赵六", number=number, phone="")
    walk_in = {"client_id": str(uuid7()), "name": "赵六", "id_number": number}
    results = upload(station, [item(round_, "T1", {"walk_in": walk_in})])
    assert statuses(results) == ["accepted"]
    assert Registration.objects.get().resident == resident
    assert not WalkIn.objects.exists()


def test_invalid_walk_ins_and_items_are_answered_one_by_one(station, people, round_):
    a, _ = people
    bad_walk_in = {"client_id": str(uuid7()), "name": "某人", "id_number": "12345"}
    good = item(round_, "T1", a[0])
    items = [
        item(round_, "T1", {"walk_in": bad_walk_in}),
        {**item(round_, "T1", a[1]), "tube_capacity": 7},
        {**item(round_, "T1", a[2]), "client_id": "not-a-uuid"},
        {**item(round_, "T1", a[3]), "sampled_at": "2026-11-23T08:00:00"},
        "just a string",
        good,
    ]
    results = upload(station, items)
    assert statuses(results) == [
        "invalid_person",
        "invalid",
        "invalid",
        "invalid",
        "invalid",
        "accepted",
    ]
    assert results[2].client_id == "not-a-uuid" and "client_id" in results[2].reason
    assert "tube_capacity" in results[1].reason
    assert results[4].client_id is None


def test_the_first_registration_records_who_counts(station, people, tree, alice):
    a, b = people
    bedridden = make_resident(tree["grid_a"], "卧床", tags=int(Tag.BEDRIDDEN), phone="")
    round_ = make_round(tree["grid_a"], user=alice)
    record_exemption(round_, a[1], reason="hospitalised", acting_user=alice)
    upload(
        station,
        [
            item(round_, "T1", a[0]),
            item(round_, "T1", a[1]),
            item(round_, "T1", b[0]),
            item(round_, "T1", bedridden, mode="door"),
        ],
    )
    samples = {s.resident_id: s for s in RoundSample.objects.filter(round=round_)}
    assert samples[a[0].pk].counted and samples[a[0].pk].grid == tree["grid_a"]
    assert not samples[a[1].pk].counted  # exempted
    assert not samples[b[0].pk].counted  # lives outside the round's scope
    assert samples[bedridden.pk].home_visit and not samples[a[0].pk].home_visit
    assert Registration.objects.get(resident=bedridden).mode == "door"


def test_infants_are_exempt_by_birth_year_alike_in_counts_and_in_ingestion(station, tree, alice):
    round_ = make_round(tree["community"], user=alice, exempt_infants_under_years=3)
    start = timezone.localdate(round_.starts_at).year
    born = {}
    for n, year in enumerate([start - 3, start - 2, start, None]):
        person = make_resident(tree["grid_a"], f"生于{year}", phone="", room=f"30{n}")
        Resident.objects.filter(pk=person.pk).update(birth_year=year)
        born[year] = person
    # Under 3 by year: born in the start year or the two before it. Unknown: expected.
    expected = set(expected_residents(round_).values_list("pk", flat=True))
    assert expected == {born[start - 3].pk, born[None].pk}
    upload(station, [item(round_, "T1", person) for person in born.values()])
    counted = dict(RoundSample.objects.filter(round=round_).values_list("resident", "counted"))
    assert counted == {person.pk: person.pk in expected for person in born.values()}


def test_sampling_points_must_belong_to_the_round(station, people, round_, tree, alice):
    a, _ = people
    point = SamplingPoint.objects.create(round=round_, number=1, name="1号", area=tree["community"])
    other = make_round(tree["community"], user=alice, name="第二轮")
    foreign = SamplingPoint.objects.create(
        round=other, number=1, name="1号", area=tree["community"]
    )
    results = upload(
        station,
        [
            item(round_, "T1", a[0], sampling_point_id=point.pk),
            item(round_, "T2", a[1], sampling_point_id=foreign.pk),
        ],
    )
    assert statuses(results) == ["accepted", "unknown_sampling_point"]
    assert Tube.objects.get(barcode="T1").sampling_point == point
    assert not Tube.objects.filter(barcode="T2").exists()


def test_no_tube_is_opened_without_its_point_or_team(station, people, round_, tree, alice):
    """Each item is answered alone: the ones naming their place go in, the others are
    refused naming the missing field, and no tube without a place is stored."""
    a, _ = people
    team = round_team(round_)
    other = make_round(tree["community"], user=alice, name="第二轮")
    results = upload(
        station,
        [
            item(round_, "T1", a[0]),
            item(round_, "T2", a[1], sampling_point_id=None),
            item(round_, "T3", a[2], mode="door", team_id=None),
            item(round_, "T4", a[3], mode="door"),
            item(round_, "T5", a[4], mode="door", team_id=round_team(other).pk),
        ],
    )
    assert statuses(results) == [
        "accepted",
        "no_sampling_point",
        "no_door_team",
        "accepted",
        "unknown_team",
    ]
    assert [r.field for r in results] == ["", "sampling_point_id", "team_id", "", "team_id"]
    assert results[1].reason == str(REASONS["no_sampling_point"])
    tubes = {t.barcode: t for t in Tube.objects.all()}
    assert sorted(tubes) == ["T1", "T4"]
    assert tubes["T1"].sampling_point == round_point(round_) and tubes["T1"].door_team is None
    assert tubes["T4"].door_team == team and tubes["T4"].sampling_point is None


def test_a_device_cannot_fill_the_tube_of_the_grid_beside(station, people, round_, tree):
    """Grid A's desk and grid B's desk work in the community's round; each tube is its own
    desk's (the community's desk, above both, may fill either)."""
    a, b = people
    desk_a = station_for(tree["grid_a"], "desk A", "sampler_a")
    desk_b = station_for(tree["grid_b"], "desk B", "sampler_b")
    assert statuses(upload(desk_b, [item(round_, "TB", b[0])])) == ["accepted"]
    refused = upload(desk_a, [item(round_, "TB", a[0]), item(round_, "TB", a[1], capacity=5)])
    # Refused as not found, before anything else about the tube (its capacity) is told.
    assert statuses(refused) == ["unknown_tube", "unknown_tube"]
    assert refused[0].reason == str(REASONS["unknown_tube"])
    tube = Tube.objects.get(barcode="TB")
    assert (tube.filled, tube.area) == (1, tree["grid_b"])
    assert not RoundSample.objects.filter(resident=a[0]).exists()
    assert statuses(upload(station, [item(round_, "TB", a[0])])) == ["accepted"]


def test_a_device_opens_no_tube_at_the_point_of_the_grid_beside(people, round_, tree):
    a, _ = people
    beside = SamplingPoint.objects.create(round=round_, number=1, name="1号", area=tree["grid_b"])
    whole = SamplingPoint.objects.create(round=round_, number=2, name="2号", area=tree["community"])
    desk_a = station_for(tree["grid_a"], "desk A", "sampler_a")
    results = upload(
        desk_a,
        [
            item(round_, "T1", a[0], sampling_point_id=beside.pk),
            item(round_, "T2", a[1], sampling_point_id=whole.pk),  # serves grid A too
        ],
    )
    assert statuses(results) == ["unknown_sampling_point", "accepted"]
    assert list(Tube.objects.values_list("barcode", flat=True)) == ["T2"]


def test_one_audit_entry_per_batch_with_counts_only(station, people, round_):
    a, _ = people
    walk_in = {"client_id": str(uuid7()), "name": "访客", "id_number": (n := id_number("110101"))}
    before = AuditEntry.objects.count()
    upload(station, [item(round_, "T1", p) for p in a] + [item(round_, "T2", {"walk_in": walk_in})])
    entries = AuditEntry.objects.filter(action="registration.batch")
    # The device's first batch also announces its chain in the main one (audit.stream).
    assert AuditEntry.objects.count() == before + 2 and entries.count() == 1
    assert entries.get().stream == f"device:{station.device.pk}"
    details = entries.get().details
    assert (details["items"], details["accepted"], details["tubes_opened"]) == (7, 7, 2)
    assert details["walk_ins"] == 1 and details["first_sampled"] == 6
    text = json.dumps(details, ensure_ascii=False)
    assert n not in text and "访客" not in text and a[0].name not in text


def test_a_batch_costs_the_same_queries_whatever_its_size(station, tree, round_):
    residents = [make_resident(tree["grid_a"], f"人{i}", room=str(i), phone="") for i in range(60)]

    def count(batch):
        return queries_to_accept(station, batch)

    count([item(round_, "W0", residents[0], capacity=1)])  # the device's roles are cached
    small = count(
        [item(round_, f"A{i // 5}", p, capacity=5) for i, p in enumerate(residents[1:11])]
    )
    large = count(
        [item(round_, f"B{i // 5}", p, capacity=5) for i, p in enumerate(residents[10:60])]
    )
    assert large == small
    assert large <= 25


def test_home_visit_outcomes_are_idempotent_and_scoped(station, far_station, round_, tree, people):
    a, _ = people
    team = DoorToDoorTeam.objects.create(round=round_, name="上门一队", area=tree["community"])
    visit = {
        "client_id": str(uuid7()),
        "round_id": round_.pk,
        "household_id": a[0].household_id,
        "outcome": "nobody_home",
        "visited_at": timezone.now().isoformat(),
        "team_id": team.pk,
    }
    from wangge.testing.schemas import HomeVisitBatchIn
    from wangge.testing.station_items import HomeVisitIn

    def send(device, items):
        parsed = parse_batch(json.dumps({"items": items}).encode(), HomeVisitBatchIn, HomeVisitIn)
        return record_home_visits(parsed, device=device, acting_user=device.user)

    assert statuses(send(station.device, [visit])) == ["accepted"]
    assert statuses(send(station.device, [visit])) == ["duplicate"]
    other = {**visit, "client_id": str(uuid7()), "team_id": 999999}
    far = {**visit, "client_id": str(uuid7())}
    assert statuses(send(station.device, [other])) == ["unknown_team"]
    assert statuses(send(far_station.device, [far])) == ["unknown_round"]
    assert HomeVisit.objects.get().recorded_by == station.device.user
    beside = DoorToDoorTeam.objects.create(round=round_, name="二队", area=tree["grid_b"])
    desk_a = station_for(tree["grid_a"], "desk A", "sampler_a")
    theirs = {**visit, "client_id": str(uuid7()), "team_id": beside.pk}
    assert statuses(send(desk_a.device, [theirs])) == ["unknown_team"]
    assert HomeVisit.objects.count() == 1


# --- parsing -----------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner),
    max_leaves=12,
)


@given(st.lists(json_values, max_size=8))
@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_any_items_get_one_answer_each(raw_items):
    parsed = parse_batch(
        json.dumps({"items": raw_items}).encode(), RegistrationBatchIn, RegistrationIn
    )
    assert len(parsed) == len(raw_items)
    assert all(isinstance(p, InvalidItem) for p in parsed)


@given(
    st.builds(
        lambda capacity, barcode, code: {
            "client_id": str(uuid7()),
            "round_id": 1,
            "tube_barcode": barcode,
            "tube_capacity": capacity,
            "sampled_at": dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC).isoformat(),
            "person": {"resident_code": code},
        },
        st.sampled_from([1, 5, 10, 20, 0, 7, 21]),
        st.text(
            alphabet=st.characters(min_codepoint=32, max_codepoint=126)
            | st.sampled_from(["\t", "\n", "二", "Ｔ"]),
            max_size=45,
        ),
        st.text(alphabet="0123456789ABCDEFGHJKMNPQRSTVWXYZ", min_size=1, max_size=10),
    )
)
def test_capacity_and_barcode_are_checked_by_the_schema(raw):
    (parsed,) = parse_batch(
        json.dumps({"items": [raw]}).encode(), RegistrationBatchIn, RegistrationIn
    )
    barcode = raw["tube_barcode"].strip()
    valid = (
        raw["tube_capacity"] in (1, 5, 10, 20)
        and 1 <= len(barcode) <= 40
        and all("!" <= c <= "~" for c in barcode)
    )
    assert isinstance(parsed, RegistrationIn) == valid


def _mostly(good, bad):
    """Four in five draws from `good`."""
    return st.integers(0, 4).flatmap(lambda n: good if n else bad)


_odd_text = st.sampled_from(
    [" A1", "A1 ", "", "A\u3000", "\xa0A", "A\x00", "A" * 41, "A\nB", "\u3000"]
) | st.text(
    alphabet=st.characters(min_codepoint=0, max_codepoint=0x3010)
    | st.sampled_from([" ", "\t", "\u3000", "\xa0", "\x00", "二", "Ｔ", "A", "1"]),
    max_size=24,
)
_text = _mostly(st.sampled_from(["A1", "张三", "B-7/x", "Ｔ号"]), _odd_text)
_person = st.one_of(
    st.fixed_dictionaries(
        {"resident_code": _text},
        optional={
            "id_type": st.sampled_from(["passport", "none", None, "bad"]),
            "id_number": _text,
        },
    ),
    st.fixed_dictionaries(
        {"id_type": _mostly(st.just("resident_card"), st.sampled_from([None, "x"]))},
        optional={"id_number": _text, "walk_in": st.just({})},
    ),
    st.fixed_dictionaries(
        {
            "walk_in": st.fixed_dictionaries(
                {"client_id": st.just(str(uuid7())), "name": _text},
                optional={"phone": _text, "address": _text, "id_number": _text},
            )
        },
        optional={"resident_code": _text},
    ),
)


@given(
    st.fixed_dictionaries(
        {
            "client_id": _mostly(
                st.sampled_from([str(uuid7()), str(uuid7()).replace("-", "")]),
                st.sampled_from(["no", 3]),
            ),
            "round_id": _mostly(st.just(1), st.sampled_from([0, 2**63, "1", 1.0, True])),
            "tube_barcode": _mostly(st.sampled_from(["B1", "x/9~"]), _odd_text),
            "tube_capacity": _mostly(st.sampled_from([1, 10]), st.sampled_from([7, "10"])),
            "sampled_at": _mostly(
                st.sampled_from(["2026-11-23T08:00:00+08:00", "2026-11-23T00:00:00.5Z"]),
                st.sampled_from(
                    [
                        "2026-11-23T08:00:00",
                        "1999-12-31T23:59:59Z",
                        "2100-01-01T00:00:00Z",
                        "2026-11-23 08:00:00Z",
                        1_700_000_000,
                    ]
                ),
            ),
            "person": _person,
        },
        optional={
            "mode": st.sampled_from(["point", "door", "home"]),
            "sampling_point_id": st.sampled_from([1, None, -1]),
            "extra": st.just(1),
        },
    )
)
@settings(max_examples=300)
def test_the_fast_path_reads_every_item_as_the_pydantic_models_do(raw):
    """msgspec decodes the batch when it can; what it decodes is what the pydantic models
    (the documented schema) make of the same item, and an item it cannot take is answered
    by the pydantic path exactly as before."""
    from wangge.testing.schemas import parse_registrations
    from wangge.testing.station_items import as_fast

    body = json.dumps({"items": [raw]}).encode()
    (fast,) = parse_registrations(body)
    (slow,) = parse_batch(body, RegistrationBatchIn, RegistrationIn)
    event("invalid" if isinstance(slow, InvalidItem) else "valid")
    if isinstance(slow, InvalidItem):
        assert fast == slow
    else:
        assert _meaning(fast) == _meaning(as_fast(slow))


def _meaning(item):
    """An item's values, an absent optional field of the person read as its default."""
    from msgspec import UNSET, structs

    from wangge.testing.station_items import person_kind

    person = {k: None if v is UNSET else v for k, v in structs.asdict(item.person).items()}
    person["id_number"] = person["id_number"] or ""
    return (
        *structs.astuple(item)[:5],
        *structs.astuple(item)[6:],
        person_kind(item.person),
        person,
    )


def test_a_body_that_is_not_a_batch_fails_as_a_whole():
    from wangge.core.api_input import BodyError
    from wangge.testing.schemas import MAX_BATCH

    for body in (
        b"not json",
        b"[]",
        b'{"items": 3}',
        json.dumps({"items": [{}] * (MAX_BATCH + 1)}).encode(),
    ):
        with pytest.raises(BodyError):
            parse_batch(body, RegistrationBatchIn, RegistrationIn)


@pytest.mark.django_db
@given(
    st.lists(
        st.none() | st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126)),
        max_size=12,
    )
)
@settings(max_examples=100, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_array_literals_reach_postgresql_unchanged(values):
    """The batch writes PostgreSQL arrays as literals: any barcode survives the quoting."""
    from wangge.core.bulk import pg_array

    if connection.vendor != "postgresql":
        pytest.skip("array literals are how the batch writes to PostgreSQL (DATABASE_URL)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT %s::text[]", [pg_array(values)])
        assert cursor.fetchone()[0] == values
