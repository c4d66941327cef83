"""The risk pages: list, area level with history and forms, policies; the area page's
section and badge, the tree's badges."""

import pytest
from django.urls import reverse
from django.utils import timezone

from tests.factories import UserFactory, grant
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role
from wangge.risk.choices import RiskLevel
from wangge.risk.models import AreaRiskLevel, RiskPolicy
from wangge.risk.tests.factories import set_level


@pytest.fixture
def leader(tree):
    return grant(UserFactory(username="leader"), Role.STREET_STAFF, tree["street"])


@pytest.fixture
def member(tree):
    return grant(UserFactory(username="member"), Role.GRID_MEMBER, tree["grid_a"])


def test_a_leader_sets_a_level_from_the_area_page(client, tree, leader):
    client.force_login(leader)
    grid = tree["grid_a"]
    page = client.get(reverse("risk:area", args=[grid.pk]))
    assert page.status_code == 200
    assert "set_form" in page.context
    answer = client.post(
        reverse("risk:set", args=[grid.pk]),
        {
            "level": "lockdown",
            "reason": "3号楼两例阳性",
            "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert answer.status_code == 302
    setting = AreaRiskLevel.objects.get(area=grid)
    assert (setting.level, setting.reason, setting.set_by) == ("lockdown", "3号楼两例阳性", leader)
    page = client.get(reverse("risk:area", args=[grid.pk]))
    assert "3号楼两例阳性" in page.content.decode()


def test_a_form_without_a_reason_is_answered_with_its_error(client, tree, leader):
    client.force_login(leader)
    answer = client.post(
        reverse("risk:set", args=[tree["grid_a"].pk]),
        {"level": "lockdown", "reason": "", "at": "2026-01-01T08:00"},
    )
    assert answer.status_code == 400
    assert answer.context["set_form"].errors
    assert not AreaRiskLevel.objects.exists()


def test_a_time_in_the_future_is_a_form_error_not_a_500(client, tree, leader):
    client.force_login(leader)
    answer = client.post(
        reverse("risk:set", args=[tree["grid_a"].pk]),
        {"level": "lockdown", "reason": "x", "at": "2099-01-01T08:00"},
    )
    assert answer.status_code == 400
    assert answer.context["set_form"].non_field_errors()


def test_the_history_says_from_which_level_to_which(client, tree, leader):
    set_level(tree["grid_a"], RiskLevel.CONTROL, days_ago=2, acting_user=leader)
    set_level(tree["grid_a"], RiskLevel.LOCKDOWN, days_ago=1, acting_user=leader)
    client.force_login(leader)
    page = client.get(reverse("risk:area", args=[tree["grid_a"].pk]))
    rows = [(before, setting.level) for setting, before in page.context["history"]]
    assert [str(before) for before, _level in rows] == ["管控区", "随上级"]
    assert [level for _before, level in rows] == ["lockdown", "control"]


def test_inherit_again_from_the_page(client, tree, leader):
    set_level(tree["grid_a"], RiskLevel.CONTROL, days_ago=1, acting_user=leader)
    client.force_login(leader)
    answer = client.post(
        reverse("risk:inherit", args=[tree["grid_a"].pk]),
        {"reason": "解除管控", "at": timezone.localtime().strftime("%Y-%m-%dT%H:%M")},
    )
    assert answer.status_code == 302
    assert not AreaRiskLevel.objects.filter(ended_at__isnull=True).exists()


def test_a_grid_member_sees_the_level_but_no_form(client, tree, leader, member):
    set_level(tree["community"], RiskLevel.CONTROL, reason="社区管控", acting_user=leader)
    client.force_login(member)
    page = client.get(reverse("risk:area", args=[tree["grid_a"].pk]))
    assert page.status_code == 200
    assert "set_form" not in page.context
    text = page.content.decode()
    assert "社区管控" in text
    answer = client.post(
        reverse("risk:set", args=[tree["grid_a"].pk]),
        {"level": "normal", "reason": "x", "at": "2026-01-01T08:00"},
    )
    assert answer.status_code == 404


def test_the_list_shows_areas_not_at_normal_filtered_by_level(client, tree, leader):
    set_level(tree["grid_a"], RiskLevel.LOCKDOWN, reason="封控原因", acting_user=leader)
    # Grid B's own "normal" is set before the community above it is stricter.
    set_level(tree["grid_b"], RiskLevel.NORMAL, reason="常态原因", acting_user=leader)
    set_level(tree["community"], RiskLevel.CONTROL, reason="管控原因", acting_user=leader)
    client.force_login(leader)
    text = client.get(reverse("risk:list")).content.decode()
    assert "封控原因" in text and "管控原因" in text and "常态原因" not in text
    text = client.get(reverse("risk:list"), {"level": "lockdown"}).content.decode()
    assert "封控原因" in text and "管控原因" not in text


def test_the_list_is_scoped(client, tree, other_tree, leader):
    set_level(other_tree["grid_a"], RiskLevel.LOCKDOWN, reason="外区封控", acting_user=None)
    client.force_login(leader)
    assert "外区封控" not in client.get(reverse("risk:list")).content.decode()


def test_the_area_page_shows_the_level_section_and_the_tree_its_badges(client, tree, leader):
    set_level(tree["community"], RiskLevel.CONTROL, reason="社区管控", acting_user=leader)
    set_level(tree["grid_a"], RiskLevel.LOCKDOWN, reason="小区封控", acting_user=leader)
    client.force_login(leader)
    page = client.get(reverse("areas:detail", args=[tree["grid_b"].pk])).content.decode()
    assert "管控区" in page and "社区管控" in page  # inherited, and from where
    page = client.get(reverse("areas:detail", args=[tree["community"].pk])).content.decode()
    assert page.count("tone-alarm") >= 1  # grid A's badge in the list below
    branch = client.get(reverse("areas:branch", args=[tree["community"].pk])).content.decode()
    assert "tone-alarm" in branch and "tone-warn outline" in branch


def test_policies_are_edited_by_those_who_set_levels_and_audited(client, tree, leader, member):
    client.force_login(member)
    # Read by those who enforce the levels, changed only by those who set them.
    page = client.get(reverse("risk:policies"))
    assert page.status_code == 200
    assert reverse("risk:policy") not in page.content.decode()
    assert "disabled" in page.content.decode()
    assert client.post(reverse("risk:policy"), {"level": "control"}).status_code == 403
    client.force_login(leader)
    page = client.get(reverse("risk:policies"))
    assert page.status_code == 200
    assert reverse("risk:policy") in page.content.decode()
    answer = client.post(
        reverse("risk:policy"),
        {
            "level": "control",
            "control-pool_size": "5",
            "control-door_to_door": "on",
            "control-downgrade_after_days": "5",
            "control-downgrade_after_rounds": "2",
        },
    )
    assert answer.status_code == 302
    policy = RiskPolicy.objects.get(level="control")
    assert (policy.pool_size, policy.door_to_door, policy.downgrade_after_days) == (5, True, 5)
    entry = AuditEntry.objects.get(action=AuditEvent.RISK_POLICY_UPDATE)
    assert entry.details["before"]["pool_size"] == 10
    assert entry.details["after"]["pool_size"] == 5


def test_a_bad_policy_is_a_form_error(client, tree, leader):
    client.force_login(leader)
    answer = client.post(
        reverse("risk:policy"),
        {"level": "control", "control-pool_size": "7", "control-downgrade_after_rounds": "-1"},
    )
    assert answer.status_code == 400
    assert RiskPolicy.objects.get(level="control").pool_size == 10


def test_the_default_policies_follow_the_guidance(db):
    policies = {p.level: p for p in RiskPolicy.objects.all()}
    assert policies["lockdown"].pool_size == 1 and policies["lockdown"].door_to_door
    assert policies["control"].pool_size == 10
    assert policies["prevention"].pool_size == 20
    assert policies["normal"].pool_size is None


def _home_cards(client, user):
    client.force_login(user)
    return {card.key: card for card in client.get("/").context["cards"]}


def test_the_workbench_counts_areas_by_level_in_my_areas(client, tree, leader, member):
    set_level(tree["grid_a"], RiskLevel.LOCKDOWN, acting_user=leader)
    set_level(tree["grid_b"], RiskLevel.NORMAL, acting_user=leader)
    set_level(tree["community"], RiskLevel.CONTROL, acting_user=leader)
    card = _home_cards(client, member)["risk.levels"]
    # The member's grid and the community above it; grid B is not theirs.
    assert [(f.value, str(f.label)) for f in card.figures] == [
        (1, "封控区"),
        (1, "管控区"),
        (0, "防范区"),
    ]
    assert "risk.downgrades" not in _home_cards(client, leader)


def test_the_workbench_of_those_who_set_levels_suggests_downgrades(
    client, tree, leader, member, alice
):
    # Control: 3 days without a positive and one closed round since (the default policy).
    set_level(tree["community"], RiskLevel.CONTROL, days_ago=5, acting_user=leader)
    from wangge.risk.tests.test_consequences import _closed_round

    _closed_round(tree["community"], 2)
    card = _home_cards(client, leader)["risk.downgrades"]
    assert [f.value for f in card.figures] == [1]
    assert "防范区" in str(card.links[0].label)
    assert "risk.downgrades" not in _home_cards(client, member)
    client.force_login(alice)  # community staff: see the level, do not set it
    page = client.get(reverse("areas:detail", args=[tree["community"].pk]))
    assert page.status_code == 200
    assert "risk-suggestion" not in page.content.decode()  # a member does not decide
    client.force_login(leader)
    page = client.get(reverse("areas:detail", args=[tree["community"].pk])).content.decode()
    assert "risk-suggestion" in page
