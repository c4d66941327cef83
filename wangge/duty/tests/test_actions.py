import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import UserFactory, grant
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.core.scoping import OutOfScope
from wangge.duty import actions
from wangge.duty.errors import DutyError
from wangge.duty.models import Shift
from wangge.duty.selectors import roster
from wangge.duty.tests.factories import make_post, make_shift
from wangge.duty.timing import at_local
from wangge.workforce.tests.factories import make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def post(tree):
    return make_post(tree["grid_a"])


@pytest.fixture
def guard(tree):
    """A worker of the community, with a login of their own."""
    return make_worker(tree["community"], "王守门", user=UserFactory(username="guard"))


def today_at(clock_time: str, days: int = 0) -> dt.datetime:
    hour, minute = (int(part) for part in clock_time.split(":"))
    return at_local(timezone.localdate() + dt.timedelta(days=days), dt.time(hour, minute))


def test_roster_shows_the_gaps_left_in_the_day(clock, alice, post, guard, tree):
    other = make_worker(tree["grid_a"], "赵夜班")
    actions.add_shift(post, guard, today_at("12:00"), today_at("20:00"), acting_user=alice)
    actions.add_shift(post, other, today_at("20:00"), today_at("04:00", 1), acting_user=alice)
    day = roster(post, timezone.localdate())
    assert day.gaps == [(today_at("00:00"), today_at("12:00"))]
    assert roster(post, timezone.localdate() + dt.timedelta(days=1)).gaps == [
        (today_at("04:00", 1), today_at("00:00", 2))
    ]
    assert AuditEntry.objects.filter(action=AuditEvent.SHIFT_ASSIGN).count() == 2


def test_a_worker_cannot_be_on_two_posts_at_once(clock, alice, post, guard, tree):
    other_post = make_post(tree["grid_b"], "南门")
    actions.add_shift(post, guard, today_at("16:00"), today_at("23:00"), acting_user=alice)
    with pytest.raises(DutyError):
        actions.add_shift(
            other_post, guard, today_at("20:00"), today_at("23:30"), acting_user=alice
        )


def test_only_the_areas_workforce_mans_a_post(clock, alice, post, other_tree):
    stranger = make_worker(other_tree["community"], "外人")
    with pytest.raises(DutyError):
        actions.add_shift(post, stranger, today_at("17:00"), today_at("20:00"), acting_user=alice)


def test_past_and_too_long_shifts_are_refused(clock, alice, post, guard):
    with pytest.raises(DutyError):  # the clock is at 16:00:30: this shift is over
        actions.add_shift(post, guard, today_at("08:00"), today_at("16:00"), acting_user=alice)
    with pytest.raises(DutyError):
        actions.add_shift(post, guard, today_at("17:00"), today_at("18:00", 1), acting_user=alice)
    with pytest.raises(DutyError):
        actions.add_shift(post, guard, today_at("18:00"), today_at("17:00"), acting_user=alice)


def test_a_grid_member_cannot_edit_the_roster(clock, bob, post, guard):
    with pytest.raises(OutOfScope):
        actions.add_shift(post, guard, today_at("17:00"), today_at("20:00"), acting_user=bob)


def test_copy_the_day_before_never_overwrites(clock, alice, post, guard, tree):
    other = make_worker(tree["grid_a"], "赵夜班")
    make_shift(post, guard, "08:00", 8, day=timezone.localdate() - dt.timedelta(days=1))
    make_shift(post, other, "16:00", 8, day=timezone.localdate() - dt.timedelta(days=1))
    # Copy yesterday onto today: the morning shift is past (skipped), the evening is copied.
    done = actions.copy_roster_forward(post, timezone.localdate(), acting_user=alice)
    assert (done.copied, done.kept, done.skipped) == (1, 0, 1)
    again = actions.copy_roster_forward(post, timezone.localdate(), acting_user=alice)
    assert (again.copied, again.kept) == (0, 1)


def test_copy_with_nothing_the_day_before_says_so(clock, alice, post):
    with pytest.raises(DutyError):
        actions.copy_roster_forward(post, timezone.localdate(), acting_user=alice)


def test_check_in_opens_thirty_minutes_before_the_shift(clock, post, guard):
    shift = make_shift(post, guard, "17:00", 8)
    with pytest.raises(DutyError):  # 16:00:30: an hour early
        actions.check_in(shift, acting_user=guard.user)
    clock.advance(minutes=30)
    checked = actions.check_in(shift, acting_user=guard.user)
    assert checked.checked_in_at == clock.now
    assert checked.checked_in_by == guard.user
    # A retry changes nothing.
    assert actions.check_in(shift, acting_user=guard.user).checked_in_at == checked.checked_in_at
    assert AuditEntry.objects.filter(action=AuditEvent.SHIFT_CHECK_IN).count() == 1


def test_no_check_in_after_the_shift_ends(clock, post, guard):
    shift = make_shift(post, guard, "14:00", 2)  # ended at 16:00
    with pytest.raises(DutyError):
        actions.check_in(shift, acting_user=guard.user)


def test_check_out_needs_a_check_in_and_closes_within_hours(clock, post, guard):
    shift = make_shift(post, guard, "15:00", 2)
    with pytest.raises(DutyError):
        actions.check_out(shift, acting_user=guard.user)
    actions.check_in(shift, acting_user=guard.user)
    clock.advance(hours=6)  # 22:00, five hours after the end
    with pytest.raises(DutyError):
        actions.check_out(shift, acting_user=guard.user)
    clock.advance(hours=-3)
    assert actions.check_out(shift, acting_user=guard.user).checked_out_at == clock.now


def test_only_the_worker_or_a_manager_checks_in(clock, alice, post, guard, tree):
    shift = make_shift(post, guard, "16:00", 8)
    someone = grant(UserFactory(username="someone"), Role.GRID_MEMBER, tree["grid_a"])
    with pytest.raises(OutOfScope):
        actions.check_in(shift, acting_user=someone)
    # The community's staff check in a worker who has no phone.
    assert actions.check_in(shift, acting_user=alice).checked_in_by == alice


def test_a_checked_in_shift_stays_on_the_roster(clock, alice, post, guard):
    shift = make_shift(post, guard, "16:00", 8)
    actions.check_in(shift, acting_user=guard.user)
    with pytest.raises(DutyError):
        actions.remove_shift(shift, acting_user=alice)
    later = make_shift(post, guard, "00:00", 8, day=timezone.localdate() + dt.timedelta(days=1))
    actions.remove_shift(later, acting_user=alice)
    assert not Shift.objects.filter(pk=later.pk).exists()


def test_create_post_refuses_a_repeated_name(alice, tree):
    actions.create_post(tree["grid_a"], name="北门", kind="gate", acting_user=alice)
    with pytest.raises(DutyError):
        actions.create_post(tree["grid_a"], name="北门", kind="gate", acting_user=alice)
    with pytest.raises(DutyError):
        actions.create_post(tree["grid_a"], name="东门", kind="tower", acting_user=alice)
    with pytest.raises(OutOfScope):
        actions.create_post(tree["street"], name="西门", kind="gate", acting_user=alice)
