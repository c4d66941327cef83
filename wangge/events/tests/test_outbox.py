"""The outbox: events live and die with their change, and reach each subscriber once."""

import pytest
from django.db import transaction

from wangge.events import actions, subscribers
from wangge.events.models import Delivery, Event

KIND = "tests.something_happened"


@pytest.fixture
def received(monkeypatch):
    """A subscriber that writes down the events it gets (its "effect in the database" is
    the Delivery row it shares a transaction with)."""
    got: list[int] = []
    monkeypatch.setitem(subscribers._handlers, KIND, {})
    subscribers.subscribe(KIND, "tests.note", lambda event, now: got.append(event.pk))
    return got


def test_an_event_outside_a_transaction_is_refused(transactional_db, clock):
    with pytest.raises(RuntimeError):
        actions.record(KIND, {}, area=None, at=clock.now)


def test_an_event_rolled_back_with_its_change_is_never_delivered(db, clock, received):
    with pytest.raises(ZeroDivisionError), transaction.atomic():
        actions.record(KIND, {"n": 1}, area=None, at=clock.now)
        1 / 0  # noqa: B018 - the change that fails after recording its event
    assert actions.dispatch_pending(clock.now) == 0
    assert received == []


def test_a_keyed_event_is_recorded_once(db, clock, tree):
    with transaction.atomic():
        first = actions.record(KIND, {}, area=tree["grid_a"], at=clock.now, key="once:1")
        again = actions.record(KIND, {}, area=tree["grid_a"], at=clock.now, key="once:1")
    assert first is not None and again is None
    assert Event.objects.count() == 1


def test_each_subscriber_gets_an_event_exactly_once(db, clock, received):
    with transaction.atomic():
        event = actions.record(KIND, {}, area=None, at=clock.now)
    assert actions.dispatch_pending(clock.now) == 1
    # Dispatching again (a second worker, the next turn) delivers nothing more.
    assert actions.dispatch_pending(clock.advance(minutes=10)) == 0
    assert received == [event.pk]
    assert Delivery.objects.filter(event=event).count() == 1


def test_a_claimed_event_is_left_to_its_worker_until_the_lease_runs_out(
    db, clock, received, settings
):
    settings.WANGGE_WORKER_LEASE_SECONDS = 60
    with transaction.atomic():
        event = actions.record(KIND, {}, area=None, at=clock.now)
    # A worker claimed it and died before delivering.
    Event.objects.filter(pk=event.pk).update(claimed_until=clock.advance(seconds=60))
    assert actions.dispatch_pending(clock.now) == 0
    assert actions.dispatch_pending(clock.advance(seconds=1)) == 1
    assert received == [event.pk]


def test_a_failing_subscriber_is_tried_again_without_repeating_the_others(
    db, clock, received, settings
):
    settings.WANGGE_WORKER_LEASE_SECONDS = 60
    failures = [RuntimeError("down")]

    def flaky(event, now):
        if failures:
            raise failures.pop()

    subscribers.subscribe(KIND, "tests.flaky", flaky)
    with transaction.atomic():
        event = actions.record(KIND, {}, area=None, at=clock.now)
    assert actions.dispatch_pending(clock.now) == 0
    assert set(Delivery.objects.values_list("subscriber", flat=True)) == {"tests.note"}
    assert actions.dispatch_pending(clock.advance(seconds=61)) == 1
    assert received == [event.pk]
    assert Delivery.objects.filter(event=event).count() == 2


def test_pruning_keeps_what_is_not_dispatched(db, clock, received):
    with transaction.atomic():
        actions.record(KIND, {}, area=None, at=clock.now)
    actions.dispatch_pending(clock.now)
    with transaction.atomic():
        actions.record(KIND, {}, area=None, at=clock.now)
    assert actions.prune(clock.advance(days=1)) == 2  # the dispatched event and its delivery
    assert Event.objects.filter(dispatched_at=None).count() == 1
