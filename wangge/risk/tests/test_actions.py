"""Setting levels: history kept, audited, scoped, reasons and times checked; inheritance."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.factories import UserFactory, grant, make_area
from wangge.areas.choices import AreaKind
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.core.scoping import OutOfScope
from wangge.events.models import Event
from wangge.risk.actions import RiskError, inherit_risk_level, set_risk_level
from wangge.risk.choices import STRICTNESS, RiskLevel
from wangge.risk.models import AreaRiskLevel
from wangge.risk.selectors import effective_level, effective_levels
from wangge.risk.tests.factories import set_level

LEVELS = list(RiskLevel.values)


@pytest.fixture
def street_lead(tree):
    return grant(UserFactory(username="street_lead"), Role.STREET_STAFF, tree["street"])


def test_setting_a_level_ends_the_current_one_and_keeps_the_history(tree, street_lead):
    grid = tree["grid_a"]
    first = set_level(grid, RiskLevel.CONTROL, days_ago=3, acting_user=street_lead)
    second = set_level(grid, RiskLevel.LOCKDOWN, days_ago=1, acting_user=street_lead)
    first.refresh_from_db()
    assert first.ended_at == second.set_at
    assert second.ended_at is None
    assert list(AreaRiskLevel.objects.filter(area=grid).order_by("set_at")) == [first, second]
    assert effective_level(grid).level == RiskLevel.LOCKDOWN


def test_a_change_is_audited_with_from_and_to_and_records_an_event(tree, street_lead):
    set_level(tree["community"], RiskLevel.CONTROL, acting_user=street_lead)
    set_risk_level(
        tree["grid_a"], RiskLevel.LOCKDOWN, "两例阳性", at=timezone.now(), acting_user=street_lead
    )
    entry = AuditEntry.objects.filter(action=AuditEvent.RISK_SET).latest("at")
    assert entry.details["from"] == RiskLevel.CONTROL  # inherited from the community
    assert entry.details["to"] == RiskLevel.LOCKDOWN
    assert entry.details["reason"] == "两例阳性"
    assert entry.actor == street_lead
    event = Event.objects.filter(kind="risk.level_changed").latest("pk")
    assert event.payload == {"area": tree["grid_a"].pk, "from": "control", "to": "lockdown"}


def test_inherit_again_ends_the_own_setting(tree, street_lead):
    set_level(tree["street"], RiskLevel.PREVENTION, days_ago=2, acting_user=street_lead)
    own = set_level(tree["grid_a"], RiskLevel.LOCKDOWN, days_ago=1, acting_user=street_lead)
    assert effective_level(tree["grid_a"]).level == RiskLevel.LOCKDOWN
    inherit_risk_level(tree["grid_a"], "解除", at=timezone.now(), acting_user=street_lead)
    own.refresh_from_db()
    assert own.ended_at is not None
    effective = effective_level(tree["grid_a"])
    assert effective.level == RiskLevel.PREVENTION
    assert effective.inherited_from == tree["street"]
    entry = AuditEntry.objects.filter(action=AuditEvent.RISK_INHERIT).get()
    assert (entry.details["from"], entry.details["to"]) == ("lockdown", "prevention")


def test_an_area_cannot_be_set_less_strict_than_the_areas_above_it(tree, street_lead):
    set_level(tree["street"], RiskLevel.CONTROL, days_ago=1, acting_user=street_lead)
    with pytest.raises(RiskError, match="上级区域"):
        set_risk_level(
            tree["grid_a"], RiskLevel.PREVENTION, "降级", at=timezone.now(), acting_user=street_lead
        )
    assert not AreaRiskLevel.objects.filter(area=tree["grid_a"]).exists()
    set_risk_level(
        tree["grid_a"], RiskLevel.LOCKDOWN, "封控", at=timezone.now(), acting_user=street_lead
    )
    assert effective_level(tree["grid_a"]).level == RiskLevel.LOCKDOWN


def test_inherit_without_an_own_level_is_refused(tree, street_lead):
    with pytest.raises(RiskError):
        inherit_risk_level(tree["grid_a"], "x", at=timezone.now(), acting_user=street_lead)


@pytest.mark.parametrize("reason", ["", "   ", "长" * 201])
def test_a_reason_is_required_and_bounded(tree, street_lead, reason):
    with pytest.raises(RiskError):
        set_risk_level(
            tree["grid_a"], RiskLevel.CONTROL, reason, at=timezone.now(), acting_user=street_lead
        )
    assert not AreaRiskLevel.objects.exists()


def test_a_time_in_the_future_is_refused_but_a_few_minutes_are_tolerated(tree, street_lead):
    now = timezone.now()
    with pytest.raises(RiskError):
        set_risk_level(
            tree["grid_a"], "control", "x", at=now + dt.timedelta(hours=1), acting_user=street_lead
        )
    set_risk_level(
        tree["grid_a"], "control", "x", at=now + dt.timedelta(minutes=2), acting_user=street_lead
    )


def test_a_time_before_the_current_setting_is_refused(tree, street_lead):
    set_level(tree["grid_a"], RiskLevel.CONTROL, days_ago=1, acting_user=street_lead)
    with pytest.raises(RiskError):
        set_level(tree["grid_a"], RiskLevel.LOCKDOWN, days_ago=2, acting_user=street_lead)


def test_the_same_level_again_and_an_unknown_level_are_refused(tree, street_lead):
    set_level(tree["grid_a"], RiskLevel.CONTROL, acting_user=street_lead)
    with pytest.raises(RiskError):
        set_level(tree["grid_a"], RiskLevel.CONTROL, acting_user=street_lead)
    with pytest.raises(RiskError):
        set_level(tree["grid_a"], "red", acting_user=street_lead)


def test_only_holders_of_the_permission_in_scope_may_set_a_level(tree, other_tree, street_lead):
    with pytest.raises(OutOfScope):
        set_level(other_tree["grid_a"], RiskLevel.LOCKDOWN, acting_user=street_lead)
    # Community staff see the community but do not set levels.
    staff = grant(UserFactory(username="staff"), Role.COMMUNITY_STAFF, tree["community"])
    with pytest.raises(OutOfScope):
        set_level(tree["grid_a"], RiskLevel.LOCKDOWN, acting_user=staff)
    # A street's leader sets levels below the street, not on the district above it.
    with pytest.raises(OutOfScope):
        set_level(tree["district"], RiskLevel.PREVENTION, acting_user=street_lead)
    assert not AreaRiskLevel.objects.exists()


# --- inheritance, by enumeration ---------------------------------------------------------

SETTINGS = [None, *LEVELS]  # None: no setting of its own


def _expected(own_and_above: list[str | None]) -> str:
    """The rule stated plainly (DOMAIN.md): the strictest of the area's own setting and
    those above it; normal when none is set."""
    set_here_or_above = [level for level in own_and_above if level is not None]
    if not set_here_or_above:
        return RiskLevel.NORMAL
    return max(set_here_or_above, key=lambda level: STRICTNESS[level])


@pytest.fixture
def chain(db):
    """A street → community → compound → building chain with a sibling compound."""
    street = make_area("街道", AreaKind.STREET)
    community = make_area("社区", AreaKind.COMMUNITY, street)
    compound = make_area("小区", AreaKind.COMPOUND, community)
    building = make_area("楼", AreaKind.BUILDING, compound)
    sibling = make_area("隔壁小区", AreaKind.COMPOUND, community)
    return [street, community, compound, building], sibling


def _apply(areas, levels):
    AreaRiskLevel.objects.all().delete()
    now = timezone.now()
    AreaRiskLevel.objects.bulk_create(
        AreaRiskLevel(area=area, level=level, reason="t", set_at=now)
        for area, level in zip(areas, levels, strict=True)
        if level is not None
    )


def test_every_combination_of_settings_on_a_chain_gives_the_rule(chain):
    """All 5⁴ = 625 combinations of (no setting, each level) on four nested areas."""
    areas, sibling = chain
    for levels in itertools.product(SETTINGS, repeat=len(areas)):
        _apply(areas, levels)
        found = effective_levels([*areas, sibling])
        for depth, area in enumerate(areas):
            assert found[area.pk].level == _expected(list(levels[: depth + 1])), levels
        # The sibling compound inherits from the street and the community only.
        assert found[sibling.pk].level == _expected([*levels[:2], None]), levels


# Each example deletes every setting first, so the shared tree is safe to reuse.
@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.sampled_from(SETTINGS), min_size=4, max_size=4))
def test_inheritance_holds_when_settings_are_changed_through_the_action(chain, levels):
    areas, _sibling = chain
    AreaRiskLevel.objects.all().delete()
    start = timezone.now() - dt.timedelta(hours=1)
    # Deepest first: an area is never set less strict than a level already above it.
    for area, level in reversed(list(zip(areas, levels, strict=True))):
        # First some other level, then the one under test: history must not confuse it.
        if level is not None:
            other = RiskLevel.CONTROL if level != RiskLevel.CONTROL else RiskLevel.PREVENTION
            set_risk_level(area, other, "先", at=start, acting_user=None)
            set_risk_level(area, level, "后", at=timezone.now(), acting_user=None)
    found = effective_levels(areas)
    for depth, area in enumerate(areas):
        assert found[area.pk].level == _expected(list(levels[: depth + 1]))


def test_many_areas_at_once_read_the_same_levels_as_one_by_one(tree, other_tree):
    """Past MAX_NAMED_PATHS the query names the areas' common ancestor instead of each."""
    from wangge.risk.selectors import MAX_NAMED_PATHS, effective_level

    grids = [tree["grid_a"], tree["grid_b"]]
    for i in range(MAX_NAMED_PATHS):
        grids.append(make_area(f"网格{i}", AreaKind.GRID, tree["community"]))
    levels = [None, *LEVELS]
    now = timezone.now()
    for i, grid in enumerate(grids):
        if levels[i % len(levels)] is not None:
            AreaRiskLevel.objects.create(
                area=grid, level=levels[i % len(levels)], reason="t", set_at=now
            )
    AreaRiskLevel.objects.create(area=tree["street"], level="control", reason="t", set_at=now)
    AreaRiskLevel.objects.create(
        area=other_tree["grid_a"], level="lockdown", reason="t", set_at=now
    )
    together = effective_levels(grids)
    assert {pk: e.level for pk, e in together.items()} == {
        grid.pk: effective_level(grid).level for grid in grids
    }
    assert together[grids[0].pk].level == RiskLevel.CONTROL  # from the street
    # Areas of two districts: no common ancestor below the roots.
    both = effective_levels([*grids, other_tree["grid_a"], other_tree["grid_b"]])
    assert both[other_tree["grid_a"].pk].level == RiskLevel.LOCKDOWN
    assert both[other_tree["grid_b"].pk].level == RiskLevel.NORMAL
