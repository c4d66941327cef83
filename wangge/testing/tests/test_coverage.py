import datetime as dt

import pytest
from django.utils import timezone

from tests.factories import id_number, make_area, make_resident
from wangge.areas.choices import AreaKind
from wangge.residents import actions as registry
from wangge.residents.choices import ResidentStatus, Tag
from wangge.residents.models import Resident
from wangge.testing.actions import rounds as actions
from wangge.testing.errors import RoundError
from wangge.testing.selectors import coverage, untested_residents
from wangge.testing.tests.factories import make_round, mark_sampled


@pytest.fixture
def people(tree):
    a = [make_resident(tree["grid_a"], f"甲{i}", room=f"10{i}", phone="") for i in range(4)]
    b = [make_resident(tree["grid_b"], f"乙{i}", room=f"20{i}", phone="") for i in range(2)]
    return a, b


def test_coverage_counts_people_and_rolls_up(tree, people, alice):
    a, b = people
    round_ = make_round(tree["community"], user=alice)
    mark_sampled(round_, a[0], a[1], b[0])
    mark_sampled(round_, a[0])  # a retest counts once
    result = coverage(round_, tree["district"])
    assert (result.total.expected, result.total.sampled) == (6, 3)
    assert result.total.coverage_percent == 50.0
    community = coverage(round_, tree["community"])
    rows = {row.area.name: row.figures for row in community.children}
    assert (rows["一号小区"].sampled, rows["一号小区"].untested) == (2, 2)
    assert (rows["二号小区"].sampled, rows["二号小区"].expected) == (1, 2)


def test_lower_areas_come_worst_coverage_first_and_empty_ones_last(tree, people, alice):
    a, b = people
    make_area("三号小区", AreaKind.COMPOUND, tree["community"])  # nobody lives there yet
    round_ = make_round(tree["community"], user=alice)
    mark_sampled(round_, a[0], a[1], a[2], b[0])  # 一号小区 3 of 4, 二号小区 1 of 2
    rows = [row.area.name for row in coverage(round_, tree["community"]).children]
    assert rows == ["二号小区", "一号小区", "三号小区"]


def test_absent_residents_are_not_expected(tree, people, alice):
    a, _ = people
    registry.update_resident(
        a[3],
        registry.ResidentData.clean(
            name=a[3].name, id_number=a[3].reveal_id_number(), status=ResidentStatus.AWAY
        ),
        acting_user=alice,
    )
    round_ = make_round(tree["community"], user=alice)
    assert coverage(round_, tree["grid_a"]).total.expected == 3


def test_registry_change_after_opening_is_recounted(tree, people, alice):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    make_resident(tree["grid_a"], "新来的", room="109", phone="")
    assert actions.refresh_stale_grids(round_) == 1
    assert coverage(round_, tree["grid_a"]).total.expected == 5


def test_exemption_leaves_expected_and_sampled(tree, people, alice):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    mark_sampled(round_, a[0])
    actions.record_exemption(round_, a[0], reason="hospitalised", acting_user=alice)
    figures = coverage(round_, tree["grid_a"]).total
    assert (figures.expected, figures.sampled) == (3, 0)
    with pytest.raises(RoundError):
        actions.record_exemption(round_, a[1], reason="other", acting_user=alice)


def test_rules_exempt_infants_and_people_under_treatment(tree, alice):
    today = timezone.localdate()
    baby = make_resident(
        tree["grid_a"], "婴儿", number=id_number(birth=today - dt.timedelta(days=200)), phone=""
    )
    patient = make_resident(tree["grid_a"], "病人", tags=int(Tag.UNDER_TREATMENT), phone="")
    adult = make_resident(tree["grid_a"], "成人", phone="")
    # Two years by birth year: 200 days old is born this year or the one before.
    round_ = make_round(tree["grid_a"], user=alice, exempt_infants_under_years=2)
    untested = untested_residents(round_, tree["grid_a"], Resident.objects.all())
    assert list(untested) == [adult]
    assert {baby.pk, patient.pk}.isdisjoint(r.pk for r in untested)


def test_untested_list_is_expected_minus_sampled(tree, people, alice):
    a, _ = people
    round_ = make_round(tree["community"], user=alice)
    mark_sampled(round_, a[0], a[2])
    names = [
        r.name
        for r in untested_residents(
            round_, tree["grid_a"], Resident.objects.visible_to(alice, "residents.view")
        )
    ]
    assert names == ["甲1", "甲3"]
    assert (
        list(
            untested_residents(
                round_,
                tree["grid_a"],
                Resident.objects.visible_to(bob_like_nobody(), "residents.view"),
            )
        )
        == []
    )


def bob_like_nobody():
    from django.contrib.auth.models import AnonymousUser

    return AnonymousUser()


def test_resident_outside_scope_is_sampled_but_not_counted(tree, people, alice):
    a, b = people
    round_ = make_round(tree["grid_a"], user=alice)
    mark_sampled(round_, b[0])
    assert coverage(round_, tree["grid_a"]).total.sampled == 0
