"""The demo's rounds: a finished one and one in progress, with the whole flow in them."""

import pytest

from tests.factories import UserFactory, make_area, make_resident
from wangge.areas.choices import AreaKind
from wangge.residents.choices import Tag
from wangge.testing.choices import RecallStatus, RoundStatus, TubeStatus
from wangge.testing.demo import build_demo_rounds, remove_demo_rounds
from wangge.testing.models import (
    DoorToDoorTeam,
    Exemption,
    FollowUp,
    HomeVisit,
    PositiveCase,
    Recall,
    Registration,
    Round,
    RoundSample,
    SamplingPoint,
    Shipment,
    Tube,
)
from wangge.testing.selectors import coverage, followup_progress


@pytest.fixture
def district(tree):
    second = make_area("三号小区", AreaKind.COMPOUND, tree["community"])
    other_community = make_area("东园社区", AreaKind.COMMUNITY, tree["street"])
    fourth = make_area("四号小区", AreaKind.COMPOUND, other_community)
    for grid in (tree["grid_a"], tree["grid_b"], second, fourth):
        for i in range(30):
            make_resident(
                grid,
                f"{grid.name}{i}",
                room=str(100 + i // 3),
                phone="",
                tags=int(Tag.BEDRIDDEN) if i == 7 else 0,
            )
    return tree["district"]


def test_demo_builds_a_finished_and_a_running_round(district, tree):
    admin = UserFactory(username="demo-admin", is_superuser=True)
    build_demo_rounds(district, seed=7, acting_user=admin)
    finished, current = Round.objects.order_by("starts_at")
    assert (finished.status, current.status) == (RoundStatus.CLOSED, RoundStatus.OPEN)

    done = coverage(finished, district).total
    assert done.expected > 100 and done.coverage > 0.85
    running = coverage(current, district).total
    assert 0 < running.sampled < running.expected

    for round_ in (finished, current):
        assert SamplingPoint.objects.filter(round=round_).exists()
        assert DoorToDoorTeam.objects.filter(round=round_).exists()
        assert Exemption.objects.filter(round=round_).count() >= 3
        assert HomeVisit.objects.filter(round=round_).exists()
        assert Shipment.objects.filter(round=round_).exists()
        # Every registration is counted the way ingestion counts it.
        assert RoundSample.objects.filter(round=round_).count() == (
            Registration.objects.filter(round=round_, resident__isnull=False)
            .values("resident")
            .distinct()
            .count()
        )
        for tube in Tube.objects.filter(round=round_):
            assert tube.filled == tube.registrations.count() <= tube.capacity

    assert not Recall.objects.filter(round=finished, status=RecallStatus.OPEN).exists()
    assert Recall.objects.filter(round=finished).count() == 10
    recalls = Recall.objects.filter(round=current)
    assert recalls.filter(status=RecallStatus.OPEN).exists()
    assert recalls.filter(status=RecallStatus.CLOSED).exists()
    assert PositiveCase.objects.filter(round=current).count() == 1
    assert Tube.objects.filter(round=current, status=TubeStatus.OPEN).exists()
    assert Tube.objects.filter(round=current, status=TubeStatus.RESULTED).exists()
    # Every grid with untested people has a few of them followed up.
    progress = followup_progress(current, district)
    assert 0 < progress.total.contacted < progress.total.untested
    assert not FollowUp.objects.filter(round=finished).exists()


def test_demo_rounds_are_built_once(district):
    admin = UserFactory(username="demo-admin", is_superuser=True)
    build_demo_rounds(district, seed=7, acting_user=admin)
    build_demo_rounds(district, seed=7, acting_user=admin)
    assert Round.objects.count() == 2


def test_demo_rounds_can_be_removed(district):
    admin = UserFactory(username="demo-admin", is_superuser=True)
    build_demo_rounds(district, seed=7, acting_user=admin)
    assert remove_demo_rounds(district, acting_user=admin) == 2
    assert not Round.objects.exists() and not Tube.objects.exists()


def test_the_round_pages_show_the_demo(client, district):
    admin = UserFactory(username="demo-admin", is_superuser=True)
    build_demo_rounds(district, seed=7, acting_user=admin)
    client.force_login(admin)
    current = Round.objects.get(status=RoundStatus.OPEN)
    assert client.get(f"/testing/{current.pk}/").status_code == 200
    assert client.get(f"/testing/{current.pk}/recalls/").status_code == 200


def test_the_demo_positive_pools_notify_the_favoured_community_once_delivered(
    district, tree, clock
):
    from tests.factories import grant
    from wangge.core.permissions import Role
    from wangge.events.actions import dispatch_pending
    from wangge.notifications.models import Notification

    staff = grant(UserFactory(username="demo-community"), Role.COMMUNITY_STAFF, tree["community"])
    admin = UserFactory(username="demo-admin", is_superuser=True)
    build_demo_rounds(district, seed=7, acting_user=admin, favour=tree["community"])
    assert not Notification.objects.exists()  # until the worker delivers the events
    dispatch_pending(clock.now)
    titles = list(Notification.objects.filter(user=staff).values_list("title", flat=True))
    assert len(titles) == 2  # one positive pool in each round
