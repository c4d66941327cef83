"""What the offline layer checks on the device is what the server checks: ID numbers,
phones and their masks (wangge/static/core/offline/offline-core.js against lib/idnumbers.py
and lib/phones.py), and the checkpoint's plates (lib/plates.py), temperatures and alerts
(checkpoint-core.js). Run in
Debian's Chromium on inputs Hypothesis draws, many to a page evaluation."""

import datetime as dt
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from wangge.lib import idnumbers, phones, plates

STATIC = Path(__file__).resolve().parents[2] / "static"
SCRIPTS = [STATIC / "core/offline/offline-core.js", STATIC / "checkpoints/checkpoint-core.js"]

pytestmark = pytest.mark.browser
CHECKS = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def page(browser):
    page = browser.new_page()
    page.set_content("<!doctype html><title>checks</title>")
    for script in SCRIPTS:
        page.add_script_tag(path=str(script))
    yield page
    page.close()


def _server_id(value: str) -> str | None:
    try:
        return idnumbers.validate(idnumbers.IdType.RESIDENT_CARD, value)
    except idnumbers.IdNumberError:
        return None


def _device_ids(page: Any, values: list[str]) -> list[str | None]:
    return page.evaluate(
        """(values) => values.map((v) => {
          const n = WanggeOffline.normaliseId(v);
          return WanggeOffline.residentCardProblem(n) ? null : n;
        })""",
        values,
    )


# What a scanner or a person types: digits of three scripts, X, separators.
DIGITS = "0123456789０１２３４５６７８９٠١٢٣٤٥٦٧٨٩"
typed_numbers = st.text(alphabet=DIGITS + "Xx -·.", min_size=0, max_size=22)


@st.composite
def resident_cards(draw: Any) -> str:
    birth = draw(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2025, 12, 31)))
    number = idnumbers.make_resident_card_number(
        draw(st.sampled_from(["620103", "110101", "440305"])),
        birth,
        draw(st.integers(0, 999)),
        draw(st.sampled_from("MF")),
    )
    # Some typed with a wrong digit, in full width or with separators.
    if draw(st.booleans()):
        at = draw(st.integers(0, 17))
        number = number[:at] + draw(st.sampled_from("0123456789X")) + number[at + 1 :]
    style = draw(st.sampled_from(["plain", "wide", "spaced", "lower"]))
    if style == "wide":
        number = number.translate(str.maketrans("0123456789X", "０１２３４５６７８９Ｘ"))
    elif style == "spaced":
        number = number[:6] + " " + number[6:14] + "-" + number[14:]
    elif style == "lower":
        number = number.lower()
    return number


@CHECKS
@given(st.lists(st.one_of(resident_cards(), typed_numbers), min_size=40, max_size=40))
def test_the_device_accepts_the_id_numbers_the_server_accepts(page, values):
    assert _device_ids(page, values) == [_server_id(value) for value in values]


@CHECKS
@given(st.lists(resident_cards(), min_size=40, max_size=40))
def test_the_device_masks_an_id_number_as_the_server_does(page, values):
    numbers = [number for number in map(_server_id, values) if number]
    masked = page.evaluate(
        "(ns) => ns.map((n) => WanggeOffline.maskId('resident_card', n))", numbers
    )
    assert masked == [idnumbers.mask("resident_card", number) for number in numbers]
    others = ["E12345678", "H12345678", "12345678", "AB123"]
    assert page.evaluate("(ns) => ns.map((n) => WanggeOffline.maskId('passport', n))", others) == [
        idnumbers.mask("passport", number) for number in others
    ]


def _server_phone(value: str) -> str | None:
    try:
        return phones.validate(value)
    except phones.PhoneError:
        return None


typed_phones = st.text(alphabet="0123456789０１２٣+ -()（）.", min_size=0, max_size=16)
real_phones = st.builds(
    lambda head, rest, style: style(head + rest),
    st.sampled_from(["139", "186", "0931", "010", "123"]),
    st.text(alphabet="0123456789", min_size=6, max_size=9),
    st.sampled_from([str, lambda p: "+86 " + p, lambda p: p[:3] + "-" + p[3:]]),
)


@CHECKS
@given(st.lists(st.one_of(real_phones, typed_phones), min_size=40, max_size=40))
def test_the_device_accepts_and_masks_the_phones_the_server_does(page, values):
    device = page.evaluate(
        """(values) => values.map((v) => {
          const p = WanggeOffline.normalisePhone(v);
          return WanggeOffline.phoneProblem(p) ? null : [p, WanggeOffline.maskPhone(p)];
        })""",
        values,
    )
    server = [_server_phone(value) for value in values]
    expected = [None if p is None else ([p, phones.mask(p)] if p else ["", ""]) for p in server]
    assert device == expected


@CHECKS
@given(
    st.lists(
        st.one_of(
            st.decimals(min_value=Decimal("30.0"), max_value=Decimal("80.0"), places=1),
            st.decimals(min_value=Decimal("0.0"), max_value=Decimal("9.9"), places=1),
        ),
        min_size=40,
        max_size=40,
    )
)
def test_temperatures_outside_34_to_43_are_refused_and_fever_is_an_alert(page, values):
    texts = [str(value) for value in values]
    parsed = page.evaluate("(ts) => ts.map((t) => WanggeCheckpoint.parseTemperature(t))", texts)
    for value, answer in zip(values, parsed, strict=True):
        if Decimal("34.0") <= value <= Decimal("43.0"):
            assert answer == {"value": float(value)}
        else:
            assert answer == {"problem": "range"}
    alerts = page.evaluate(
        """(ts) => ts.map((t) => WanggeCheckpoint.alertsOf(
             {temperature: t, health_code: "green"}, 37.3).length)""",
        [float(v) for v in values],
    )
    assert alerts == [int(v >= Decimal("37.3")) for v in values]


def test_a_temperature_that_is_no_number_is_refused(page):
    answers = page.evaluate(
        "(ts) => ts.map((t) => WanggeCheckpoint.parseTemperature(t))",
        ["", "37", "37.25", "abc", "36,8", "３７．２", "37.2℃", "-36.5"],
    )
    assert answers == [
        {"problem": "missing"},
        {"value": 37},
        {"problem": "form"},
        {"problem": "form"},
        {"value": 36.8},
        {"value": 37.2},
        {"value": 37.2},
        {"problem": "form"},
    ]


def _server_plate(value: str) -> str | None:
    try:
        return plates.validate(value)
    except plates.PlateError:
        return None


PLATE_CHARS = plates.PROVINCES[:6] + "粤使警学挂领港澳ZABDFIO0123456789abdf ·-"
plate_like = st.builds(
    lambda head, office, rest: head + office + rest,
    st.sampled_from([*plates.PROVINCES[:8], "粤", "使", ""]),
    st.sampled_from(["A", "B", "Z", "I", "O", "a", "Ａ", ""]),
    st.text(alphabet="0123456789ABDFHJKXYZ警学挂领港澳使 ·-", min_size=3, max_size=7),
)


# Plates of every format in use, typed in lower case or with a separator now and then.
real_plates = st.builds(
    lambda plate, style: style(plate),
    st.one_of(*(st.from_regex(pattern, fullmatch=True) for pattern in plates._PATTERNS)),
    st.sampled_from([str, str.lower, lambda p: p[:2] + " " + p[2:], lambda p: p[:2] + "·" + p[2:]]),
)


@CHECKS
@given(
    st.lists(
        st.one_of(real_plates, plate_like, st.text(alphabet=PLATE_CHARS, min_size=0, max_size=10)),
        min_size=60,
        max_size=60,
    )
)
def test_the_device_accepts_the_plates_the_server_accepts(page, values):
    device = page.evaluate(
        """(values) => values.map((v) => {
          const plate = WanggeCheckpoint.normalisePlate(v);
          return !plate ? "" : WanggeCheckpoint.plateValid(plate) ? plate : null;
        })""",
        values,
    )
    assert device == [_server_plate(value) for value in values]
