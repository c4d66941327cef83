import datetime as dt

import pytest

from tests.factories import make_resident
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.scoping import OutOfScope
from wangge.workforce.actions.responsibilities import (
    DutyData,
    ResponsibilityError,
    add_duty,
    assign_responsibility,
    end_responsibility,
    hand_over_responsibility,
    reveal_chain_phones,
    update_duty,
)
from wangge.workforce.choices import DutyLevel
from wangge.workforce.models import Duty, Responsibility
from wangge.workforce.selectors import chain_for_area, chain_for_household
from wangge.workforce.tests.factories import duty, make_worker


def test_assigning_a_stationed_cadre_to_a_grid_puts_them_in_its_chain(tree, alice, clock):
    cadre = make_worker(tree["grid_a"], "驻守")
    held = assign_responsibility(
        cadre, duty("stationed_cadre_grid"), tree["grid_a"], acting_user=alice
    )
    assert held.started_at == clock()
    assert list(chain_for_area(tree["grid_a"], clock())) == [held]
    entry = AuditEntry.objects.get(action=AuditEvent.RESPONSIBILITY_ASSIGN)
    assert entry.object_id == str(held.pk)
    assert entry.area_path == tree["grid_a"].path
    assert entry.details["duty"] == "stationed_cadre_grid"


def test_a_duty_must_match_the_level_of_its_area(tree, alice):
    cadre = make_worker(tree["grid_a"])
    with pytest.raises(ResponsibilityError):
        assign_responsibility(
            cadre, duty("street_leader_community"), tree["grid_a"], acting_user=alice
        )
    with pytest.raises(ResponsibilityError):
        assign_responsibility(
            cadre, duty("household_representative"), tree["grid_a"], acting_user=alice
        )
    assert not Responsibility.objects.exists()


def test_a_household_duty_names_a_household_of_the_grid(tree, alice, clock):
    household = make_resident(tree["grid_a"]).household
    rep = make_worker(tree["grid_a"], "联户")
    with pytest.raises(ResponsibilityError):
        assign_responsibility(
            rep,
            duty("household_representative"),
            tree["grid_b"],
            household=household,
            acting_user=alice,
        )
    held = assign_responsibility(
        rep,
        duty("household_representative"),
        tree["grid_a"],
        household=household,
        acting_user=alice,
    )
    assert list(chain_for_household(household, clock())) == [held]


def test_the_same_person_cannot_hold_the_same_duty_twice_at_once(tree, alice):
    cadre = make_worker(tree["grid_a"])
    assign_responsibility(cadre, duty("grid_leader"), tree["grid_a"], acting_user=alice)
    with pytest.raises(ResponsibilityError):
        assign_responsibility(cadre, duty("grid_leader"), tree["grid_a"], acting_user=alice)


def test_ending_keeps_the_row_as_history(tree, alice, clock):
    cadre = make_worker(tree["grid_a"])
    held = assign_responsibility(cadre, duty("grid_leader"), tree["grid_a"], acting_user=alice)
    clock.advance(days=3)
    end_responsibility(held, acting_user=alice)
    held.refresh_from_db()
    assert held.ended_at == clock()
    assert list(chain_for_area(tree["grid_a"], clock())) == []
    # Looking back, the chain still shows who held it then.
    assert list(chain_for_area(tree["grid_a"], clock() - dt.timedelta(days=1))) == [held]
    assert AuditEntry.objects.filter(action=AuditEvent.RESPONSIBILITY_END).count() == 1
    with pytest.raises(ResponsibilityError):
        end_responsibility(held, acting_user=alice)


def test_handing_over_ends_one_and_starts_the_other_at_the_same_moment(tree, alice, clock):
    first = make_worker(tree["grid_a"], "前任")
    second = make_worker(tree["grid_a"], "继任")
    held = assign_responsibility(
        first, duty("stationed_cadre_grid"), tree["grid_a"], acting_user=alice
    )
    clock.advance(days=7)
    following = hand_over_responsibility(held, second, acting_user=alice)
    held.refresh_from_db()
    assert held.ended_at == following.started_at == clock()
    assert following.duty_id == held.duty_id and following.area_id == held.area_id
    assert list(chain_for_area(tree["grid_a"], clock())) == [following]
    assert Responsibility.objects.filter(area=tree["grid_a"]).count() == 2
    assign_entry = AuditEntry.objects.filter(action=AuditEvent.RESPONSIBILITY_ASSIGN).first()
    assert assign_entry is not None
    assert assign_entry.details["handed_over_from"] == held.pk


def test_a_failed_hand_over_changes_nothing(tree, alice, clock):
    first = make_worker(tree["grid_a"], "前任")
    gone = make_worker(tree["grid_a"], "离岗", active=False)
    held = assign_responsibility(first, duty("grid_leader"), tree["grid_a"], acting_user=alice)
    with pytest.raises(ResponsibilityError):
        hand_over_responsibility(held, gone, acting_user=alice)
    held.refresh_from_db()
    assert held.ended_at is None
    assert Responsibility.objects.count() == 1


def test_bob_and_charlie_cannot_assign(tree, bob, charlie):
    cadre = make_worker(tree["grid_a"])
    with pytest.raises(OutOfScope):
        assign_responsibility(cadre, duty("grid_leader"), tree["grid_a"], acting_user=bob)
    with pytest.raises(OutOfScope):
        assign_responsibility(cadre, duty("grid_leader"), tree["grid_a"], acting_user=charlie)
    assert not Responsibility.objects.exists()


def test_a_worker_out_of_scope_cannot_be_named(tree, other_tree, alice):
    stranger = make_worker(other_tree["grid_a"], "外人")
    with pytest.raises(OutOfScope):
        assign_responsibility(stranger, duty("grid_leader"), tree["grid_a"], acting_user=alice)


def test_charlie_cannot_end_or_hand_over_alices(tree, other_tree, alice, charlie):
    held = assign_responsibility(
        make_worker(tree["grid_a"]), duty("grid_leader"), tree["grid_a"], acting_user=alice
    )
    with pytest.raises(OutOfScope):
        end_responsibility(held, acting_user=charlie)
    with pytest.raises(OutOfScope):
        hand_over_responsibility(held, make_worker(other_tree["grid_a"]), acting_user=charlie)
    held.refresh_from_db()
    assert held.ended_at is None


def test_administrators_edit_and_add_duties(tree, admin_user, alice):
    leader = duty("grid_leader")
    with pytest.raises(OutOfScope):
        update_duty(leader, DutyData("网格长", "Grid leader", False, 3), acting_user=alice)
    update_duty(leader, DutyData("网格长", "Grid leader", False, 3), acting_user=admin_user)
    leader.refresh_from_db()
    assert (leader.name, leader.required, leader.order) == ("网格长", False, 3)
    added = add_duty(
        "medical_liaison",
        DutyLevel.COMMUNITY,
        DutyData("医疗联络员", "Medical liaison", True, 5),
        acting_user=admin_user,
    )
    assert Duty.objects.get(code="medical_liaison") == added
    with pytest.raises(ResponsibilityError):
        add_duty(
            "medical_liaison",
            DutyLevel.COMMUNITY,
            DutyData("医疗联络员", "Medical liaison", True, 5),
            acting_user=admin_user,
        )
    assert AuditEntry.objects.filter(action=AuditEvent.DUTY_UPDATE).count() == 2


def test_chain_phones_are_revealed_to_those_allowed_and_audited(tree, alice, bob, clock):
    household = make_resident(tree["grid_a"]).household
    cadre = make_worker(tree["grid_a"], "驻守", phone="13912345678")
    held = assign_responsibility(
        cadre, duty("stationed_cadre_grid"), tree["grid_a"], acting_user=alice
    )
    with pytest.raises(OutOfScope):
        reveal_chain_phones(household, acting_user=bob)
    assert reveal_chain_phones(household, acting_user=alice) == {held.pk: "13912345678"}
    entry = AuditEntry.objects.get(action=AuditEvent.WORKER_REVEAL)
    assert entry.object_id == str(cadre.pk)
    assert "13912345678" not in str(entry.details)
