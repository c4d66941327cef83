"""Retention: purging a closed round's personal records keeps its figures."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from tests.factories import make_resident
from wangge.audit.models import AuditEntry
from wangge.lib.uuid7 import uuid7
from wangge.residents.choices import Tag
from wangge.testing.actions import rounds as actions
from wangge.testing.errors import RoundError
from wangge.testing.models import (
    ClosedRoundFigures,
    Exemption,
    HomeVisit,
    LabResult,
    PositiveCase,
    Recall,
    Registration,
    Round,
    RoundSample,
    Tube,
    WalkIn,
)
from wangge.testing.selectors import coverage, recall_progress
from wangge.testing.tests.round_world import build_world


def _figures(round_, area):
    result = coverage(round_, area)
    rows = {
        row.area.pk: (
            row.figures.expected,
            row.figures.sampled,
            row.figures.home_visit_expected,
            row.figures.home_visit_sampled,
            row.figures.positives,
            row.figures.recalls,
            row.figures.open_recalls,
        )
        for row in result.children
    }
    total = result.total
    return (total.expected, total.sampled, total.positives, total.recalls, total.open_recalls), rows


@pytest.fixture(autouse=True)
def english(settings):
    """Pages are checked for English words: the zh-Hans catalogue is filled in later."""
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def closed(tree, alice):
    world = build_world(tree, alice)
    home = make_resident(tree["grid_b"], "行动不便", room="220", tags=int(Tag.LIMITED_MOBILITY))
    from wangge.testing.tests.tube_factories import make_tube, make_walk_in

    make_tube(world.round, tree["grid_b"], home, make_walk_in(world.round, tree["grid_b"]))
    HomeVisit.objects.create(
        client_id=uuid7(),
        round=world.round,
        household=home.household,
        outcome="sampled",
        visited_at=timezone.now(),
    )
    single = make_tube(world.round, tree["grid_a"], world.people[0], capacity=1)
    from wangge.core.permissions import Perm
    from wangge.testing.actions.results import ResultItem, record_results

    record_results(
        [ResultItem(single.barcode, "positive")],
        tubes=Tube.objects.visible_to(world.lab, Perm.LOAD_RESULTS),
        acting_user=world.lab,
    )
    actions.close_round(world.round, acting_user=world.manager)
    Round.objects.filter(pk=world.round.pk).update(
        closed_at=timezone.now() - dt.timedelta(days=200)
    )
    world.round.refresh_from_db()
    return world


def test_purge_keeps_the_figures_and_removes_every_personal_link(tree, closed):
    round_ = closed.round
    before = _figures(round_, tree["community"])
    grid_before = _figures(round_, tree["grid_a"])
    progress_before = recall_progress(Recall.objects.filter(round=round_))
    tubes_before = list(
        Tube.objects.filter(round=round_).values_list("barcode", "filled", "result")
    )
    assert before[0][1] > 0 and before[0][2] == 1 and before[0][3] == 3

    summary = actions.purge_round_records(round_, acting_user=None)
    assert summary.registrations > 0 and summary.walk_ins == 1 and summary.home_visits == 1

    assert _figures(round_, tree["community"]) == before
    assert _figures(round_, tree["grid_a"]) == grid_before
    progress = recall_progress(Recall.objects.filter(round=round_))
    assert (progress.opened, progress.closed) == (progress_before.opened, progress_before.closed)
    assert not Registration.objects.filter(round=round_).exists()
    assert not RoundSample.objects.filter(round=round_).exists()
    assert not WalkIn.objects.filter(round=round_).exists()
    assert not Exemption.objects.filter(round=round_).exists()
    assert not HomeVisit.objects.filter(round=round_).exists()
    assert not Recall.objects.filter(round=round_, resident__isnull=False).exists()
    assert not PositiveCase.objects.filter(round=round_, resident__isnull=False).exists()
    assert list(Tube.objects.filter(round=round_).values_list("barcode", "filled", "result")) == (
        tubes_before
    )
    assert LabResult.objects.filter(tube__round=round_).count() == 2
    entry = AuditEntry.objects.get(action="round.purge")
    text = str(entry.details)
    assert all(person.name not in text for person in closed.people)


def test_closing_keeps_each_grids_sampled_figures_and_its_pages_read_them(tree, closed):
    round_ = closed.round
    kept = {
        grid: (sampled, home)
        for grid, sampled, home in ClosedRoundFigures.objects.filter(round=round_).values_list(
            "grid_id", "sampled", "home_visit_sampled"
        )
    }
    counted = RoundSample.objects.filter(round=round_, counted=True)
    assert kept[tree["grid_b"].pk] == (
        counted.filter(grid=tree["grid_b"]).count(),
        counted.filter(grid=tree["grid_b"], home_visit=True).count(),
    )
    assert sum(sampled for sampled, _home in kept.values()) == counted.count()

    ClosedRoundFigures.objects.filter(round=round_, grid=tree["grid_a"]).update(sampled=1)
    assert _figures(round_, tree["grid_a"])[0][1] == 1  # the record, not a count of samples


def test_purging_twice_is_harmless(tree, closed):
    actions.purge_round_records(closed.round, acting_user=None)
    before = _figures(closed.round, tree["community"])
    again = actions.purge_round_records(closed.round, acting_user=None)
    assert again.registrations == 0
    assert _figures(closed.round, tree["community"]) == before
    assert AuditEntry.objects.filter(action="round.purge").count() == 1
    assert Round.objects.get(pk=closed.round.pk).records_purged_at is not None


def test_an_open_round_is_never_purged(tree, alice):
    world = build_world(tree, alice)
    with pytest.raises(RoundError):
        actions.purge_round_records(world.round, acting_user=None)


def test_command_dry_run_by_default_then_for_real(tree, closed, capsys):
    call_command("purge_testing_records", "--older-than-days", "180")
    out = capsys.readouterr().out
    assert "would purge" in out and "Dry run" in out
    assert Registration.objects.filter(round=closed.round).exists()
    call_command("purge_testing_records", "--older-than-days", "365", "--for-real")
    assert "No closed round" in capsys.readouterr().out
    assert Registration.objects.filter(round=closed.round).exists()
    before = _figures(closed.round, tree["community"])
    call_command("purge_testing_records", "--older-than-days", "180", "--for-real")
    assert "1 rounds purged" in capsys.readouterr().out
    assert not Registration.objects.filter(round=closed.round).exists()
    assert _figures(closed.round, tree["community"]) == before


def test_pages_of_a_purged_round_still_work(client, tree, closed):
    actions.purge_round_records(closed.round, acting_user=None)
    client.force_login(closed.manager)
    r = closed.round.pk
    for url in (f"/testing/{r}/", f"/testing/{r}/recalls/?status=all", f"/testing/{r}/cases/"):
        assert client.get(url).status_code == 200, url
    assert "(removed)" in client.get(f"/testing/{r}/recalls/?status=all").content.decode()
