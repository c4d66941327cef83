"""The collectors: each section's figures for today and for a past day, and the roll-up
(sums equal the children's; the risk level is the highest below)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import UserFactory, grant, id_number, make_area, make_resident
from wangge.areas.choices import AreaKind
from wangge.checkpoints.actions import register_entries
from wangge.checkpoints.checkpoint_items import EntryIn
from wangge.checkpoints.tests.factories import entry, make_checkpoint, person
from wangge.core.permissions import Role
from wangge.incidents.choices import Step
from wangge.incidents.models import IncidentStep
from wangge.incidents.tests.factories import report
from wangge.keypersons.choices import Measure
from wangge.keypersons.tests.factories import make_key_person
from wangge.risk.actions import set_risk_level
from wangge.services.tests.factories import make_household, make_request, set_level
from wangge.snapshots.figures import FIGURES, RISK_ORDER, Rollup
from wangge.snapshots.models import DaySnapshot
from wangge.snapshots.tests.helpers import figures, lists, make, today
from wangge.testing.actions import rounds as round_actions
from wangge.testing.tests.factories import make_round, mark_sampled
from wangge.workforce.tests.factories import assign, make_worker

pytestmark = pytest.mark.django_db


def yesterday() -> dt.date:
    return today() - dt.timedelta(days=1)


def local(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def test_population_counts_the_registry_at_every_level(tree):
    make_resident(tree["grid_a"], "甲", room="101")
    make_resident(tree["grid_a"], "乙", room="101")
    make_resident(tree["grid_b"], "丙", room="201")
    make(tree["district"])
    assert figures(tree["grid_a"])["population.residents"] == 2
    assert figures(tree["grid_a"])["population.households"] == 1
    assert figures(tree["community"])["population.residents"] == 3
    assert figures(tree["city"])["population.households"] == 2


def test_sums_equal_the_children_and_the_risk_level_is_the_highest(tree):
    make_resident(tree["grid_a"], "甲")
    set_risk_level(
        tree["grid_a"],
        "lockdown",
        "病例",
        at=timezone.now() - dt.timedelta(hours=1),
        acting_user=None,
    )
    set_risk_level(
        tree["grid_b"],
        "control",
        "密接",
        at=timezone.now() - dt.timedelta(hours=1),
        acting_user=None,
    )
    make(tree["city"])
    for parent, kids in (
        ("community", ["grid_a", "grid_b"]),
        ("street", ["community"]),
        ("district", ["street"]),
    ):
        mine = figures(tree[parent])
        below = [figures(tree[kid]) for kid in kids]
        for figure in FIGURES:
            if figure.rollup == Rollup.SUM:
                # The area's own: a gap is the only figure that lies on an area above a grid.
                own = sum(
                    1
                    for item in lists(tree[parent])["workforce.gaps"]
                    if item["area_id"] == tree[parent].pk and figure.key == "workforce.gaps"
                )
                assert mine[figure.key] == own + sum(kid[figure.key] for kid in below), figure.key
            else:
                assert mine[figure.key] == max(kid[figure.key] for kid in below), figure.key
    community = figures(tree["community"])
    assert community["control.risk_level"] == RISK_ORDER["lockdown"]
    assert community["control.grids_lockdown"] == 1
    assert community["control.grids_control"] == 1
    assert figures(tree["grid_b"])["control.risk_level"] == RISK_ORDER["control"]


def test_risk_level_of_a_past_day_is_the_level_then(tree):
    set_risk_level(
        tree["grid_a"],
        "lockdown",
        "病例",
        at=local(today(), 0) + dt.timedelta(minutes=1),
        acting_user=None,
    )
    make(tree["city"], yesterday())
    make(tree["city"])
    assert figures(tree["grid_a"], yesterday())["control.risk_level"] == 0
    assert figures(tree["grid_a"])["control.risk_level"] == RISK_ORDER["lockdown"]
    assert figures(tree["district"], yesterday())["control.grids_lockdown"] == 0


def test_checkpoints_count_the_day_only(tree):
    user = grant(UserFactory(username="officer"), Role.CHECKPOINT_OFFICER, tree["community"])
    checkpoint = make_checkpoint(tree["community"])
    items = [
        entry(
            checkpoint,
            at=local(yesterday(), 10).isoformat(),
            people=[person(id_number=id_number()), person(id_number=id_number())],
        ),
        entry(
            checkpoint,
            at=(timezone.now() - dt.timedelta(minutes=5)).isoformat(),
            people=[
                person(id_number=id_number(), temperature=38.2),
                person(id_number=id_number(), health_code="red"),
            ],
        ),
    ]
    register_entries(
        [EntryIn.model_validate(item) for item in items], checkpoint_scope=user, acting_user=user
    )
    make(tree["city"], yesterday())
    make(tree["city"])
    assert figures(tree["street"], yesterday())["checkpoints.vehicles"] == 1
    assert figures(tree["street"], yesterday())["checkpoints.people"] == 2
    assert figures(tree["street"], yesterday())["checkpoints.fevers"] == 0
    assert figures(tree["community"])["checkpoints.vehicles"] == 1
    assert figures(tree["community"])["checkpoints.fevers"] == 1
    assert figures(tree["community"])["checkpoints.codes"] == 1


def test_service_requests_open_late_and_done_as_of_the_day(tree):
    set_level(tree["grid_a"])
    household = make_household(tree["grid_a"])
    late = make_request(household, at=timezone.now() - dt.timedelta(days=3), detail="降压药")
    make_request(household, at=timezone.now() - dt.timedelta(minutes=1))
    make(tree["city"])
    today_figures = figures(tree["grid_a"])
    assert today_figures["services.open"] == 2
    assert today_figures["services.late"] == 1
    assert today_figures["services.opened"] == 1
    items = lists(tree["community"])["services.late"]
    assert [item["ref"] for item in items] == [str(late.pk)[:8].upper()]
    assert items[0]["area_id"] == tree["grid_a"].pk
    assert "降压药" in items[0]["text"]
    assert items[0]["url"].endswith(f"{late.pk}/")
    # Two days ago the late one was open and already late; the other did not exist.
    two_days_ago = today() - dt.timedelta(days=2)
    make(tree["city"], two_days_ago)
    past = figures(tree["grid_a"], two_days_ago)
    assert (past["services.open"], past["services.late"], past["services.opened"]) == (1, 1, 0)


def test_incidents_raised_open_and_missed(tree):
    first = report(tree["grid_a"], at=timezone.now() - dt.timedelta(days=2))
    report(tree["grid_b"], at=timezone.now() - dt.timedelta(minutes=2))
    IncidentStep.objects.create(
        incident=first, step=Step.MISSED, at=timezone.now() - dt.timedelta(days=2)
    )
    make(tree["city"])
    community = figures(tree["community"])
    assert community["incidents.open"] == 2
    assert community["incidents.raised"] == 1
    assert community["incidents.missed"] == 1
    assert [item["area_id"] for item in lists(tree["district"])["incidents.missed"]] == [
        tree["grid_a"].pk
    ]
    three_days_ago = today() - dt.timedelta(days=3)
    make(tree["city"], three_days_ago)
    assert figures(tree["community"], three_days_ago)["incidents.open"] == 0


def test_key_persons_under_each_measure_and_released(tree):
    make_key_person(
        tree["grid_a"],
        "甲",
        measure=Measure.CENTRALISED_QUARANTINE,
        started_on=today() - dt.timedelta(days=5),
    )
    make_key_person(tree["grid_b"], "乙", measure=Measure.HOME_MONITORING, started_on=today())
    make(tree["city"])
    make(tree["city"], yesterday())
    community = figures(tree["community"])
    assert community["control.central_quarantine"] == 1
    assert community["control.health_monitoring"] == 1
    # Yesterday the monitoring had not started.
    assert figures(tree["community"], yesterday())["control.health_monitoring"] == 0
    assert figures(tree["community"], yesterday())["control.central_quarantine"] == 1


def test_testing_reports_the_round_over_each_grid(tree):
    a1 = make_resident(tree["grid_a"], "甲", room="1")
    make_resident(tree["grid_a"], "乙", room="2")
    make_resident(tree["grid_b"], "丙", room="3")
    # Started today at midnight: an hour before now would be yesterday just after midnight.
    round_ = make_round(tree["community"], starts_at=local(today(), 0))
    mark_sampled(round_, a1)
    make(tree["city"])
    grid_a = figures(tree["grid_a"])
    assert (grid_a["testing.expected"], grid_a["testing.sampled"], grid_a["testing.untested"]) == (
        2,
        1,
        1,
    )
    assert figures(tree["district"])["testing.untested"] == 2
    # Before the round started, no round covered the area.
    make(tree["city"], yesterday())
    assert figures(tree["district"], yesterday())["testing.expected"] == 0


def test_a_closed_round_is_reported_until_another_runs(tree):
    person = make_resident(tree["grid_a"], "甲")
    round_ = make_round(tree["grid_a"], starts_at=timezone.now() - dt.timedelta(days=3))
    mark_sampled(round_, person)
    round_actions.close_round(round_, acting_user=None)
    tomorrow_now = timezone.now() + dt.timedelta(days=1)
    make(tree["city"], today() + dt.timedelta(days=1), now=tomorrow_now)
    reported = figures(tree["grid_a"], today() + dt.timedelta(days=1))
    assert (reported["testing.expected"], reported["testing.sampled"]) == (1, 1)


def test_chain_gaps_count_and_list_areas_nobody_answers_for(tree):
    make(tree["city"])
    before = figures(tree["grid_a"])["workforce.gaps"]
    assert before > 0
    items = lists(tree["grid_a"])["workforce.gaps"]
    assert len(items) == before
    assert all(item["area_id"] == tree["grid_a"].pk for item in items)
    worker = make_worker(tree["grid_a"], "网格长甲")
    assign(worker, tree["grid_a"], "grid_leader")
    make(tree["city"])
    assert figures(tree["grid_a"])["workforce.gaps"] == before - 1


def test_queries_do_not_grow_with_the_areas(tree):
    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            make(tree["city"])
        return len(queries)

    make(tree["city"])  # the first making of the day widens: the same from here on
    small = count()
    for n in range(6):
        grid = make_area(f"新{n}号小区", AreaKind.COMPOUND, tree["community"])
        make_resident(grid, f"新{n}", room=str(n))
    assert count() == small
    assert DaySnapshot.objects.filter(day=today(), current=True).count() == 12
