import datetime as dt

import pytest
from django.core.paginator import Paginator
from django.utils import timezone

from tests.factories import UserFactory, grant, make_resident
from wangge.audit.models import AuditEntry
from wangge.core.batch import ItemStatus
from wangge.core.permissions import Perm, Role
from wangge.testing.actions.results import ResultItem, record_results
from wangge.testing.choices import RecallStatus, TubeStatus
from wangge.testing.choices import TestResult as Result
from wangge.testing.models import LabResult, PositiveCase, Recall, Tube
from wangge.testing.selectors import RecallListing, coverage, recall_lines, recall_progress
from wangge.testing.tests.factories import make_round
from wangge.testing.tests.tube_factories import add_to_tube, make_tube, make_walk_in


@pytest.fixture
def people(tree):
    a = [make_resident(tree["grid_a"], f"甲{i}", room=f"10{i}", phone="") for i in range(4)]
    b = [make_resident(tree["grid_b"], f"乙{i}", room=f"20{i}", phone="") for i in range(2)]
    return a, b


@pytest.fixture
def liaison(tree):
    return grant(UserFactory(username="lab"), Role.LAB_LIAISON, tree["district"])


def _record(user, *items):
    return record_results(
        list(items), tubes=Tube.objects.visible_to(user, Perm.LOAD_RESULTS), acting_user=user
    )


def test_positive_pool_recalls_every_member_at_once(tree, people, alice, liaison):
    a, b = people
    round_ = make_round(tree["community"], user=alice)
    walk_in = make_walk_in(round_, tree["grid_b"])
    tube = make_tube(round_, tree["community"], a[0], a[1], b[0], walk_in)
    report = _record(liaison, ResultItem(tube.barcode, Result.POSITIVE, {"ORF1ab": 31.5}))
    assert report.accepted == 1 and report.recalls_opened == 4
    recalls = Recall.objects.filter(source_tube=tube)
    assert {(r.resident_id, r.walk_in_id, r.area_id) for r in recalls} == {
        (a[0].pk, None, tree["grid_a"].pk),
        (a[1].pk, None, tree["grid_a"].pk),
        (b[0].pk, None, tree["grid_b"].pk),
        (None, walk_in.pk, tree["grid_b"].pk),
    }
    assert all(r.status == RecallStatus.OPEN for r in recalls)
    tube.refresh_from_db()
    assert (tube.status, tube.result) == (TubeStatus.RESULTED, Result.POSITIVE)
    assert LabResult.objects.get(tube=tube).ct_values == {"ORF1ab": 31.5}
    figures = coverage(round_, tree["community"]).total
    assert (figures.open_recalls, figures.recalls, figures.positives) == (4, 4, 0)


def test_invalid_pool_also_recalls(tree, people, alice, liaison):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    tube = make_tube(round_, tree["grid_a"], a[0], a[1])
    _record(liaison, ResultItem(tube.barcode, Result.INVALID))
    assert Recall.objects.filter(source_tube=tube, status=RecallStatus.OPEN).count() == 2


def test_negative_pool_recalls_nobody(tree, people, alice, liaison):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    tube = make_tube(round_, tree["grid_a"], a[0], a[1])
    assert _record(liaison, ResultItem(tube.barcode, Result.NEGATIVE)).accepted == 1
    assert not Recall.objects.exists()


def test_individual_result_closes_the_recall(tree, people, alice, liaison):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    pool = make_tube(round_, tree["grid_a"], a[0], a[1])
    _record(liaison, ResultItem(pool.barcode, Result.POSITIVE))
    single = make_tube(round_, tree["grid_a"], a[0], capacity=1)
    progress = recall_progress(Recall.objects.filter(round=round_))
    assert (progress.opened, progress.retested, progress.closed) == (2, 1, 0)
    report = _record(liaison, ResultItem(single.barcode, Result.NEGATIVE))
    assert report.recalls_closed == 1
    closed = Recall.objects.get(resident=a[0])
    assert (closed.status, closed.outcome, closed.closing_tube) == (
        RecallStatus.CLOSED,
        Result.NEGATIVE,
        single,
    )
    assert Recall.objects.get(resident=a[1]).status == RecallStatus.OPEN
    progress = recall_progress(Recall.objects.filter(round=round_))
    assert (progress.opened, progress.retested, progress.closed, progress.waiting) == (2, 0, 1, 1)
    assert not PositiveCase.objects.exists()


def test_positive_individual_result_is_a_case(tree, people, alice, liaison):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    pool = make_tube(round_, tree["grid_a"], a[0], a[1])
    _record(liaison, ResultItem(pool.barcode, Result.POSITIVE))
    single = make_tube(round_, tree["grid_a"], a[1], capacity=1)
    report = _record(liaison, ResultItem(single.barcode, Result.POSITIVE))
    assert report.cases_opened == 1
    case = PositiveCase.objects.get()
    assert (case.resident, case.area, case.tube) == (a[1], tree["grid_a"], single)
    recall = Recall.objects.get(resident=a[1])
    assert (recall.status, recall.outcome) == (RecallStatus.CLOSED, Result.POSITIVE)
    assert coverage(round_, tree["district"]).total.positives == 1


def test_invalid_individual_result_keeps_the_person_recalled(tree, people, alice, liaison):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    pool = make_tube(round_, tree["grid_a"], a[0])
    _record(liaison, ResultItem(pool.barcode, Result.POSITIVE))
    single = make_tube(round_, tree["grid_a"], a[0], capacity=1)
    _record(liaison, ResultItem(single.barcode, Result.INVALID))
    assert Recall.objects.get(resident=a[0]).status == RecallStatus.OPEN
    # Without a recall, an invalid individual sample opens one: the person is sampled again.
    lone = make_tube(round_, tree["grid_a"], a[2], capacity=1)
    _record(liaison, ResultItem(lone.barcode, Result.INVALID))
    assert Recall.objects.get(resident=a[2]).source_tube == lone


def test_recall_lines_say_who_was_sampled_alone_since_the_recall(tree, people, alice, liaison):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    other_round = make_round(tree["community"], user=alice)
    alone_before = make_tube(round_, tree["grid_a"], capacity=1)
    add_to_tube(alone_before, a[2], sampled_at=timezone.now() - dt.timedelta(hours=1))
    walk_in = make_walk_in(round_, tree["grid_b"])
    pool = make_tube(round_, tree["grid_a"], a[0], a[1], a[2], walk_in)
    _record(liaison, ResultItem(pool.barcode, Result.POSITIVE))
    make_tube(round_, tree["grid_a"], a[0], capacity=1)
    make_tube(round_, tree["grid_b"], walk_in, capacity=1)
    make_tube(round_, tree["grid_a"], a[1])  # pooled again: not a retest
    make_tube(other_round, tree["grid_a"], a[1], capacity=1)  # alone, in another round
    recalls = Recall.objects.filter(round=round_)
    rows = recall_lines(alice, round_, limit=100)
    assert {(r.resident_id, r.walk_in_id): r.retested for r in rows} == {
        (a[0].pk, None): True,
        (a[1].pk, None): False,
        (a[2].pk, None): False,
        (None, walk_in.pk): True,
    }
    # The page's flags and the progress figures agree.
    assert recall_progress(recalls).retested == 2


def test_recall_lines_keep_to_the_readers_subtrees_in_the_lists_order(tree, people, alice, liaison):
    a, b = people
    round_ = make_round(tree["community"], user=alice)
    pool_a = make_tube(round_, tree["grid_a"], a[1], a[0])
    pool_b = make_tube(round_, tree["grid_b"], b[0], b[1])
    _record(liaison, ResultItem(pool_a.barcode, Result.POSITIVE))
    _record(liaison, ResultItem(pool_b.barcode, Result.POSITIVE))
    close_first = make_tube(round_, tree["grid_a"], a[0], capacity=1)
    _record(liaison, ResultItem(close_first.barcode, Result.NEGATIVE))
    grid_b_leader = grant(UserFactory(username="gridb"), Role.GRID_LEADER, tree["grid_b"])
    both = grant(UserFactory(username="both"), Role.GRID_LEADER, tree["grid_a"])
    grant(both, Role.GRID_LEADER, tree["grid_b"])

    def names(user, **kwargs):
        return [line.name for line in recall_lines(user, round_, limit=100, **kwargs)]

    # Open first, then by grid and household (room 101 before 200); closed last.
    assert names(alice) == ["甲1", "乙0", "乙1", "甲0"]
    assert names(alice, status=RecallStatus.OPEN) == ["甲1", "乙0", "乙1"]
    assert names(alice, area=tree["grid_b"]) == ["乙0", "乙1"]
    assert names(grid_b_leader) == ["乙0", "乙1"]
    assert names(grid_b_leader, area=tree["grid_a"]) == []
    assert names(both) == names(alice)
    assert names(UserFactory(username="nobody")) == []
    assert [line.name for line in recall_lines(alice, round_, limit=2, offset=1)] == ["乙0", "乙1"]
    closed = recall_lines(alice, round_, status=RecallStatus.CLOSED, limit=10)[0]
    assert closed.outcome_label == str(Result.NEGATIVE.label)
    assert closed.tube_result_label == str(Result.POSITIVE.label)
    assert closed.closed_at is not None and closed.closed_at.tzinfo is not None
    assert [leader.name for leader in closed.leaders] == ["both"]
    # The page's paginator: its length from the progress figures, a statement a page.
    listing = RecallListing(
        alice,
        round_,
        area=None,
        status=RecallStatus.OPEN,
        progress=recall_progress(Recall.objects.filter(round=round_)),
    )
    pages = Paginator(listing, 2)
    assert (pages.count, pages.num_pages) == (3, 2)
    assert [line.name for line in pages.page(2).object_list] == ["乙1"]
    assert [line.name for line in listing] == ["甲1", "乙0", "乙1"]
    assert listing[1].name == "乙0"


def test_duplicates_and_conflicts_are_reported_never_overwritten(tree, people, alice, liaison):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    tube = make_tube(round_, tree["grid_a"], a[0])
    other = make_tube(round_, tree["grid_a"], a[1])
    first = _record(liaison, ResultItem(tube.barcode, Result.NEGATIVE))
    assert first.accepted == 1
    again = _record(
        liaison,
        ResultItem(tube.barcode, Result.NEGATIVE),
        ResultItem(tube.barcode, Result.POSITIVE),
        ResultItem(other.barcode, Result.NEGATIVE),
        ResultItem(other.barcode, Result.POSITIVE),
        ResultItem("NOPE", Result.NEGATIVE),
        ResultItem(tube.barcode, "maybe"),
    )
    assert [(o.status, o.reason_code) for o in again.outcomes] == [
        (ItemStatus.DUPLICATE, ""),
        (ItemStatus.REJECTED, "conflicting_result"),
        (ItemStatus.REJECTED, "conflicting_rows"),
        (ItemStatus.REJECTED, "conflicting_rows"),
        (ItemStatus.REJECTED, "unknown_barcode"),
        (ItemStatus.REJECTED, "unknown_result"),
    ]
    tube.refresh_from_db()
    other.refresh_from_db()
    assert tube.result == Result.NEGATIVE and other.result == ""
    assert not Recall.objects.exists()


def test_same_batch_twice_changes_nothing(tree, people, alice, liaison):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    tube = make_tube(round_, tree["grid_a"], a[0], a[1])
    item = ResultItem(tube.barcode, Result.POSITIVE)
    _record(liaison, item, item)
    second = _record(liaison, item)
    assert second.outcomes[0].status == ItemStatus.DUPLICATE
    assert Recall.objects.count() == 2 and LabResult.objects.count() == 1


def test_open_tube_and_out_of_scope_tube_are_rejected(tree, other_tree, people, alice, liaison):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    open_tube = make_tube(round_, tree["grid_a"], a[0], status=TubeStatus.OPEN)
    far = make_tube(round_, other_tree["grid_a"], a[1])
    report = _record(
        liaison,
        ResultItem(open_tube.barcode, Result.NEGATIVE),
        ResultItem(far.barcode, Result.POSITIVE),
    )
    assert [o.reason_code for o in report.outcomes] == ["tube_not_sealed", "unknown_barcode"]
    assert not Recall.objects.exists()


def test_one_audit_entry_per_batch_without_personal_data(tree, people, alice, liaison):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    tubes = [make_tube(round_, tree["grid_a"], person) for person in a[:3]]
    before = AuditEntry.objects.count()
    _record(liaison, *[ResultItem(t.barcode, Result.NEGATIVE) for t in tubes])
    assert AuditEntry.objects.count() == before + 1
    entry = AuditEntry.objects.order_by("-id").first()
    assert entry.action == "testing.results" and entry.details["accepted"] == 3
    text = str(entry.details)
    assert all(person.name not in text for person in a)
    assert entry.area_path == tree["grid_a"].path


def test_a_batch_writes_results_tubes_recalls_and_one_event_per_positive_pool(
    tree, people, alice, liaison
):
    """The one-statement path (PostgreSQL) and the statement-by-statement one (SQLite)
    write the same rows: results with who and when, tubes resulted, recalls, and the event
    of each positive pool with its member count and the tube's area."""
    from wangge.events.models import Event
    from wangge.testing.notify import POOL_POSITIVE

    a, b = people
    round_ = make_round(tree["community"], user=alice)
    positive = make_tube(round_, tree["grid_a"], a[0], a[1], a[2])
    invalid = make_tube(round_, tree["grid_b"], b[0])
    negative = make_tube(round_, tree["grid_b"], b[1])
    tested = timezone.now() - dt.timedelta(hours=1)
    report = _record(
        liaison,
        ResultItem(positive.barcode, Result.POSITIVE, {"N": 30.0}, tested_at=tested),
        ResultItem(invalid.barcode, Result.INVALID),
        ResultItem(negative.barcode, Result.NEGATIVE),
    )
    assert (report.accepted, report.recalls_opened) == (3, 4)
    events = list(Event.objects.filter(kind=POOL_POSITIVE))
    assert [(e.payload, e.area_id) for e in events] == [
        ({"tube": positive.pk, "members": 3}, tree["grid_a"].pk)
    ]
    stored = {r.tube_id: r for r in LabResult.objects.all()}
    assert stored[positive.pk].tested_at == tested
    assert stored[positive.pk].ct_values == {"N": 30.0}
    assert {r.recorded_by_id for r in stored.values()} == {liaison.pk}
    assert set(Tube.objects.values_list("status", flat=True)) == {TubeStatus.RESULTED}
    assert Recall.objects.filter(source_tube=negative).count() == 0
    entry = AuditEntry.objects.get(action="testing.results")
    assert entry.details["recalls_opened"] == 4
