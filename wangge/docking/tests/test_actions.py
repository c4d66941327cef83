"""Answering a day: who may, for which areas, what a correction must be, lateness, and the
rule of answering again."""

import datetime as dt

import pytest

from tests.factories import UserFactory, grant
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.core.scoping import OutOfScope
from wangge.docking.errors import DockingError
from wangge.docking.models import Answer, Correction, Docking
from wangge.docking.selectors import docking_summary
from wangge.docking.tests.factories import AFTER, BEFORE, DAY, answer, make_day, make_days

pytestmark = pytest.mark.django_db


@pytest.fixture
def made(tree):
    make_days(tree)
    return tree


def test_no_correction_confirms_the_current_version(made, alice):
    docking = answer(made["community"], alice, comment="数据无误", at=BEFORE)
    assert docking.answer == Answer.CONFIRMED
    assert docking.snapshot.current and docking.snapshot.area == made["community"]
    assert (docking.comment, docking.late, docking.answered_by) == ("数据无误", False, alice)
    entry = AuditEntry.objects.get(action=AuditEvent.DOCKING_CONFIRM)
    assert entry.area_path == made["community"].path
    assert entry.details["corrections"] == [] and entry.details["version"] == 1


def test_a_correction_keeps_the_reported_figure_and_the_reason(made, alice):
    docking = answer(
        made["community"],
        alice,
        fixes={"testing.sampled": (1108, "8 人在外地采样，今日补录")},
        at=BEFORE,
    )
    assert docking.answer == Answer.CORRECTED
    row = Correction.objects.get(docking=docking)
    assert (row.figure, row.reported, row.corrected) == ("testing.sampled", 1100, 1108)
    assert row.reason == "8 人在外地采样，今日补录"
    entry = AuditEntry.objects.get(action=AuditEvent.DOCKING_CORRECT)
    assert entry.details["corrections"] == [
        {
            "figure": "testing.sampled",
            "reported": 1100,
            "corrected": 1108,
            "reason": "8 人在外地采样，今日补录",
        }
    ]


def test_the_street_answers_for_itself_and_its_communities(made, streetie):
    answer(made["street"], streetie, at=BEFORE)
    answer(made["community"], streetie, at=BEFORE)
    assert Docking.objects.count() == 2


@pytest.mark.parametrize("who", ["bob", "charlie", "alice_for_street"])
def test_nobody_answers_outside_their_scope(made, request, who):
    unit = made["street"] if who == "alice_for_street" else made["community"]
    user = request.getfixturevalue(who.removesuffix("_for_street"))
    with pytest.raises(OutOfScope):
        answer(unit, user, at=BEFORE)
    assert not Docking.objects.exists()


def test_a_role_without_the_permission_does_not_answer(made):
    cadre = grant(UserFactory(username="cadre"), Role.STATIONED_CADRE, made["community"])
    with pytest.raises(OutOfScope):
        answer(made["community"], cadre, at=BEFORE)


@pytest.mark.parametrize("area", ["district", "grid_a", "city"])
def test_only_units_answer(made, admin_user, area):
    with pytest.raises(DockingError, match="Only streets"):
        answer(made[area], admin_user, at=BEFORE)


def test_a_day_not_made_cannot_be_answered(made, alice):
    with pytest.raises(DockingError, match="not made yet"):
        answer(made["community"], alice, DAY + dt.timedelta(days=1), at=BEFORE)


def test_an_answer_needs_a_person(made):
    with pytest.raises(DockingError, match="signed in"):
        answer(made["community"], Actor(user=None, label="script"), at=BEFORE)


@pytest.mark.parametrize(
    ("key", "value", "reason", "message"),
    [
        ("control.risk_level", 1, "已降级", "cannot be corrected"),
        ("incidents.arrive_minutes", 60, "重算", "cannot be corrected"),
        ("no.such_figure", 1, "x", "cannot be corrected"),
        # In the catalogue but not in this day's figures.
        ("checkpoints.fevers", 1, "漏报", "cannot be corrected"),
        ("testing.sampled", 1100, "核对", "the one reported"),
        ("testing.sampled", -1, "核对", "0 or more"),
        ("testing.sampled", 10**12, "核对", "0 or more"),
        ("testing.sampled", 1101, "   ", "Say why"),
        ("testing.sampled", 1101, "长" * 201, "too long"),
    ],
)
def test_a_bad_correction_is_refused_with_its_figure(made, alice, key, value, reason, message):
    with pytest.raises(DockingError) as refused:
        answer(made["community"], alice, fixes={key: (value, reason)}, at=BEFORE)
    assert message in str(refused.value.fields[key])
    assert not Docking.objects.exists()


def test_every_bad_correction_is_said_at_once(made, alice):
    with pytest.raises(DockingError) as refused:
        answer(
            made["community"],
            alice,
            fixes={"testing.sampled": (1101, ""), "testing.untested": (50, "同")},
            at=BEFORE,
        )
    assert set(refused.value.fields) == {"testing.sampled", "testing.untested"}


def test_a_figure_is_corrected_once(made, alice):
    from wangge.docking.actions import CorrectionItem, answer_day

    with pytest.raises(DockingError, match="once"):
        answer_day(
            made["community"],
            DAY,
            corrections=[
                CorrectionItem("testing.sampled", 1101, "a"),
                CorrectionItem("testing.sampled", 1102, "b"),
            ],
            comment="",
            acting_user=alice,
            at=BEFORE,
        )


def test_a_comment_has_a_limit(made, alice):
    with pytest.raises(DockingError) as refused:
        answer(made["community"], alice, comment="说" * 1001, at=BEFORE)
    assert "comment" in refused.value.fields


def test_an_answer_after_the_deadline_is_late(made, alice):
    assert answer(made["community"], alice, at=AFTER).late
    assert docking_summary(made["street"], DAY).late == 1


def test_until_the_deadline_an_answer_can_change_and_the_old_one_is_kept(made, alice):
    answer(made["community"], alice, fixes={"testing.sampled": (1108, "补录")}, at=BEFORE)
    later = BEFORE + dt.timedelta(hours=2)
    docking = answer(made["community"], alice, comment="核实后无误", at=later)
    assert docking.answer == Answer.CONFIRMED and docking.answered_at == later
    assert not Correction.objects.exists()
    assert Docking.objects.count() == 1
    entry = AuditEntry.objects.filter(action=AuditEvent.DOCKING_CONFIRM).get()
    assert entry.details["replaces"]["answer"] == Answer.CORRECTED
    assert entry.details["replaces"]["corrections"][0]["corrected"] == 1108


def test_after_the_deadline_an_answer_stands(made, alice):
    answer(made["community"], alice, at=BEFORE)
    with pytest.raises(DockingError, match="answer stands"):
        answer(made["community"], alice, fixes={"testing.sampled": (1, "x")}, at=AFTER)
    assert Docking.objects.get().answer == Answer.CONFIRMED


def test_a_unit_answers_a_new_version_again_and_stays_on_time(made, alice):
    first = answer(made["community"], alice, at=BEFORE)
    newer = make_day(made["community"], testing__sampled=1120)
    docking = answer(
        made["community"], alice, fixes={"testing.sampled": (1125, "补录 5 人")}, at=AFTER
    )
    assert docking.pk == first.pk and docking.snapshot == newer and not docking.late
    assert Correction.objects.get().reported == 1120
    # Answered on the new version: it stands again.
    with pytest.raises(DockingError):
        answer(made["community"], alice, at=AFTER + dt.timedelta(minutes=5))


def test_a_late_unit_stays_late_when_it_answers_a_new_version(made, alice):
    answer(made["community"], alice, at=AFTER)
    make_day(made["community"])
    assert answer(made["community"], alice, at=AFTER + dt.timedelta(hours=1)).late
