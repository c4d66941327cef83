"""The dispatch cards on the workbench: my task today, and a leader's board of the day."""

import datetime as dt

import pytest

from wangge.dispatch import actions
from wangge.dispatch.actions import TaskLine
from wangge.dispatch.tests.factories import make_crew, make_task


@pytest.fixture
def crew(tree, clock):
    return make_crew(tree["community"], size=3)


def _card(page, key):
    marker = f'data-card="{key}"'
    assert marker in page, f"no card {key}"
    start = page.index(marker)
    return page[start : page.index("</section>", start)]


def test_a_worker_sees_their_task_today(client, crew, tree):
    task = make_task(crew.team, crew.members[0], tree["grid_a"], kind="sampling")
    client.force_login(crew.member_user)
    card = _card(client.get("/").content.decode(), f"dispatch.task.{task.pk}")
    assert "采样" in card and tree["grid_a"].name in card and "/dispatch/mine/" in card


def test_a_leader_is_told_the_board_is_not_set_then_sees_its_figures(client, crew, tree):
    client.force_login(crew.leader_user)
    page = client.get("/").content.decode()
    card = _card(page, f"dispatch.board.{crew.team.pk}")
    assert 'class="card sev-waiting" ' + card[:40] in page
    assert "尚未" in card
    actions.assign_board(
        crew.team,
        dt.date(2026, 3, 1),  # the clock's local day
        [TaskLine(w.pk, "patrol", tree["grid_a"].pk) for w in crew.members[:2]],
        acting_user=crew.leader_user,
    )
    card = _card(client.get("/").content.decode(), f"dispatch.board.{crew.team.pk}")
    figures = [part.split("</span>")[0] for part in card.split('<span class="value">')[1:]]
    assert figures == ["2", "4", "0"]  # 2 assigned of 4 members (the leader too), 0 done


def test_no_dispatch_card_for_someone_without_a_task_or_a_team(client, alice, crew):
    client.force_login(alice)
    assert "dispatch." not in client.get("/").content.decode()
