import pytest

from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.scoping import OutOfScope
from wangge.workforce.actions import teams as actions
from wangge.workforce.actions import workers as worker_actions
from wangge.workforce.actions.teams import TeamData
from wangge.workforce.choices import TeamKind
from wangge.workforce.errors import WorkforceError
from wangge.workforce.models import Team, TeamMembership
from wangge.workforce.tests.factories import make_team, make_worker


def _data(area, name="党员先锋队", kind=TeamKind.PARTY_VANGUARD):
    return TeamData.clean(name=name, kind=kind, area=area)


def test_alice_sets_up_a_team_and_chooses_its_members_and_leader(tree, alice):
    team = actions.create_team(_data(tree["community"]), acting_user=alice)
    first = make_worker(tree["grid_a"], "甲")
    second = make_worker(tree["grid_b"], "乙")
    assert actions.add_member(team, first, acting_user=alice)
    assert not actions.add_member(team, first, acting_user=alice)  # already in it
    actions.set_leader(team, second, acting_user=alice)  # a leader joins the team
    team.refresh_from_db()
    assert team.leader == second
    assert set(team.members.all()) == {first, second}
    assert actions.remove_member(team, second, acting_user=alice)
    team.refresh_from_db()
    assert team.leader is None
    actions_logged = list(
        AuditEntry.objects.filter(action__startswith="team.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions_logged == [
        AuditEvent.TEAM_CREATE,
        AuditEvent.TEAM_UPDATE,
        AuditEvent.TEAM_UPDATE,
        AuditEvent.TEAM_UPDATE,
    ]


def test_a_team_name_is_unique_in_its_area(tree, alice):
    actions.create_team(_data(tree["community"]), acting_user=alice)
    with pytest.raises(WorkforceError) as caught:
        actions.create_team(_data(tree["community"]), acting_user=alice)
    assert caught.value.field == "name"
    other = actions.create_team(_data(tree["grid_a"]), acting_user=alice)
    with pytest.raises(WorkforceError):
        actions.update_team(other, _data(tree["community"]), acting_user=alice)


def test_bob_cannot_set_up_or_change_teams(tree, bob):
    with pytest.raises(OutOfScope):
        actions.create_team(_data(tree["grid_a"]), acting_user=bob)
    team = make_team(tree["grid_a"])
    worker = make_worker(tree["grid_a"])
    with pytest.raises(OutOfScope):
        actions.add_member(team, worker, acting_user=bob)
    with pytest.raises(OutOfScope):
        actions.set_leader(team, worker, acting_user=bob)
    assert not TeamMembership.objects.exists()


def test_charlie_cannot_add_his_workers_to_alices_team_nor_alice_his(
    tree, other_tree, alice, charlie
):
    team = make_team(tree["community"])
    theirs = make_worker(other_tree["grid_a"])
    with pytest.raises(OutOfScope):
        actions.add_member(team, theirs, acting_user=alice)
    with pytest.raises(OutOfScope):
        actions.add_member(team, make_worker(tree["grid_a"]), acting_user=charlie)
    with pytest.raises(OutOfScope):
        actions.update_team(team, _data(other_tree["community"]), acting_user=charlie)
    assert Team.objects.get(pk=team.pk).area == tree["community"]


def test_a_retired_worker_cannot_join_or_lead(tree, alice):
    team = make_team(tree["community"])
    worker = make_worker(tree["grid_a"])
    worker_actions.set_worker_active(worker, False, acting_user=alice)
    with pytest.raises(WorkforceError):
        actions.add_member(team, worker, acting_user=alice)
    with pytest.raises(WorkforceError):
        actions.set_leader(team, worker, acting_user=alice)
