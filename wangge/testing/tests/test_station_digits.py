"""The station API reads ID numbers through lib/idnumbers like every other door: digits of
any script are the same number, and a refusal is a sentence in the reader's language."""
# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import re

from django.utils import translation

from tests.factories import id_number, make_resident
from wangge.testing.tests.station_factories import item, round_, sampler, station
from wangge.testing.tests.test_station_api import call

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")


def latin_words(text):
    return {word for word in re.findall(r"[A-Za-z]{2,}", text) if word not in {"ID", "X"}}


def test_a_number_in_arabic_indic_digits_finds_the_resident(client, station, tree):
    number = id_number()
    person = make_resident(tree["grid_a"], "赵六", number=number, phone="")
    answer = call(
        client,
        station,
        "post",
        "lookup",
        {"id_type": "resident_card", "id_number": number.translate(ARABIC_INDIC)},
    ).json()
    assert answer["found"] and answer["resident"]["code"] == person.code


def test_refusals_of_an_id_number_are_chinese_sentences(client, station, round_, tree):
    with translation.override("zh-hans"):
        lookup = call(
            client, station, "post", "lookup", {"id_type": "resident_card", "id_number": "123"}
        )
        batch = call(
            client,
            station,
            "post",
            "registrations",
            {"items": [item(round_, "T1", {"id_type": "resident_card", "id_number": "123"})]},
        )
    assert lookup.status_code == 422
    assert lookup.json()["detail"] and not latin_words(lookup.json()["detail"])
    assert lookup.json()["field"] == "id_number"
    (result,) = batch.json()["results"]
    assert result["status"] == "rejected" and result["reason_code"] == "invalid_person"
    assert not latin_words(result["reason"]) and " " not in result["reason"]


def test_ninjas_own_refusals_are_said_in_chinese_too(client, station):
    with translation.override("zh-hans"):
        unreadable = call(client, station, "post", "lookup", b"{not json")
        unsigned = call(client, None, "get", "me")
    assert unreadable.status_code == 400 and unsigned.status_code == 401
    for answer in (unreadable, unsigned):
        assert answer.json()["detail"]
        assert not latin_words(answer.json()["detail"]) - {"JSON", "UTF"}
