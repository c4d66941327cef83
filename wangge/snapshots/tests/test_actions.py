"""Making a day: versions kept with one current, the areas above re-summed, scoping,
refusals, the event and the audit entry."""

import datetime as dt

import pytest
from django.db.models import Count
from django.utils import timezone

from tests.factories import UserFactory, grant, make_resident
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.core.scoping import OutOfScope
from wangge.events.models import Event
from wangge.snapshots.actions import SnapshotError
from wangge.snapshots.events import SNAPSHOTS_MADE
from wangge.snapshots.models import DaySnapshot, RunTrigger, SnapshotRun
from wangge.snapshots.tests.helpers import figures, make, today

pytestmark = pytest.mark.django_db


def test_making_again_keeps_the_old_version_and_one_current(tree):
    make_resident(tree["grid_a"], "甲")
    make(tree["community"])
    make_resident(tree["grid_a"], "乙", room="102")
    make(tree["community"])
    versions = DaySnapshot.objects.filter(area=tree["grid_a"], day=today()).order_by("version")
    assert [(s.version, s.current) for s in versions] == [(1, False), (2, True)]
    assert [s.figures["population.residents"] for s in versions] == [1, 2]
    assert not (
        DaySnapshot.objects.filter(day=today(), current=True)
        .values("area")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
        .exists()
    )


def test_the_first_making_of_a_day_makes_the_whole_tree(tree):
    run = make(tree["community"])
    assert run.areas == 6
    assert DaySnapshot.objects.filter(area=tree["city"], day=today()).exists()


def test_remaking_a_grid_resums_the_areas_above_and_leaves_its_sibling(tree):
    make_resident(tree["grid_a"], "甲")
    make_resident(tree["grid_b"], "乙", room="2")
    make(tree["city"])
    make_resident(tree["grid_a"], "丙", room="3")
    run = make(tree["grid_a"])
    assert run.areas == 5  # the grid, the community, the street, the district, the city
    assert figures(tree["city"])["population.residents"] == 3
    assert figures(tree["community"])["population.residents"] == 3
    sibling = DaySnapshot.objects.get(area=tree["grid_b"], day=today(), current=True)
    assert sibling.version == 1
    # The lists of the areas above keep their other children's items.
    assert (
        len(
            DaySnapshot.objects.get(area=tree["community"], current=True, day=today()).lists[
                "workforce.gaps"
            ]
        )
        > 0
    )


def test_a_day_to_come_is_refused(tree):
    with pytest.raises(SnapshotError):
        make(tree["city"], today() + dt.timedelta(days=1))
    assert not SnapshotRun.objects.exists()


def test_a_leader_makes_their_branch_and_nothing_outside_it(tree, other_tree):
    street = grant(UserFactory(username="street"), Role.STREET_STAFF, tree["street"])
    run = make(tree["community"], acting_user=street)
    assert run.made_by == street
    with pytest.raises(OutOfScope):
        make(other_tree["community"], acting_user=street)
    with pytest.raises(OutOfScope):
        make(tree["district"], acting_user=street)


def test_staff_without_the_permission_cannot_make(tree, alice):
    with pytest.raises(OutOfScope):
        make(tree["grid_a"], acting_user=alice)
    assert not DaySnapshot.objects.exists()


def test_the_event_and_the_audit_entry(tree):
    run = make(tree["district"], trigger=RunTrigger.ON_DEMAND)
    event = Event.objects.get(kind=SNAPSHOTS_MADE)
    assert event.payload["run"] == run.pk
    assert event.payload["root"] == tree["district"].pk
    assert event.payload["day"] == today().isoformat()
    entry = AuditEntry.objects.get(action=AuditEvent.SNAPSHOT_MAKE)
    assert entry.details["areas"] == run.areas == 6
    assert entry.object_id == str(run.pk)


def test_a_past_day_is_made_with_its_own_versions(tree):
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    make(tree["city"], yesterday)
    make(tree["city"])
    make(tree["city"], yesterday)
    assert DaySnapshot.objects.get(area=tree["city"], day=yesterday, current=True).version == 2
    assert DaySnapshot.objects.get(area=tree["city"], day=today(), current=True).version == 1


def test_the_areas_above_resummed_read_as_if_made_whole(tree):
    from wangge.incidents.tests.factories import report
    from wangge.risk.actions import set_risk_level

    make_resident(tree["grid_a"], "甲")
    report(tree["grid_b"], at=timezone.now() - dt.timedelta(minutes=5))
    make(tree["city"])
    make_resident(tree["grid_a"], "乙", room="2")
    report(tree["grid_a"], at=timezone.now() - dt.timedelta(minutes=3))
    set_risk_level(
        tree["grid_a"],
        "lockdown",
        "病例",
        at=timezone.now() - dt.timedelta(minutes=1),
        acting_user=None,
    )
    make(tree["grid_a"])
    resummed = {
        key: DaySnapshot.objects.get(area=tree[key], day=today(), current=True)
        for key in ("community", "street", "district", "city")
    }
    make(tree["city"])
    for key, snapshot in resummed.items():
        whole = DaySnapshot.objects.get(area=tree[key], day=today(), current=True)
        assert snapshot.figures == whole.figures, key
        assert snapshot.lists == whole.lists, key
    assert resummed["city"].figures["control.risk_level"] == 3
    assert resummed["city"].figures["incidents.open"] == 2
