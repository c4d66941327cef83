"""The dispatch pages: the leader's board, "my task today", the board at any level."""

import datetime as dt
import uuid

import pytest

from tests.factories import UserFactory
from wangge.dispatch.choices import TaskStatus
from wangge.dispatch.models import Task
from wangge.dispatch.tests.factories import make_crew, make_task

TODAY = dt.date(2026, 3, 1)
YESTERDAY = TODAY - dt.timedelta(days=1)


@pytest.fixture
def crew(tree, clock):
    return make_crew(tree["community"], size=3)


def test_the_leader_sees_an_editable_board_with_every_member(client, crew, tree):
    client.force_login(crew.leader_user)
    page = client.get(f"/dispatch/teams/{crew.team.pk}/").content.decode()
    for worker in crew.members:
        assert f'id="line-{worker.pk}"' in page
    assert 'id="save-board"' in page and 'id="copy-board"' in page
    assert tree["grid_a"].name in page


def test_saving_the_board_in_one_post(client, crew, tree):
    client.force_login(crew.leader_user)
    workers = [str(w.pk) for w in crew.members]
    ids = [str(uuid.uuid4()) for _ in workers]
    data = {
        "day": TODAY.isoformat(),
        "worker": workers,
        "task": ids,
        "kind": ["sampling", "order", ""],
        "place": [str(tree["grid_a"].pk), str(tree["grid_b"].pk), str(tree["grid_a"].pk)],
        "note": ["1号采样点", "", ""],
    }
    response = client.post(f"/dispatch/teams/{crew.team.pk}/save/", data)
    assert response.status_code == 302
    tasks = {str(t.worker_id): t for t in Task.objects.all()}
    assert set(tasks) == set(workers[:2])
    assert str(tasks[workers[0]].pk) == ids[0] and tasks[workers[0]].note == "1号采样点"
    # The same form again (a retry) creates nothing more.
    client.post(f"/dispatch/teams/{crew.team.pk}/save/", data)
    assert Task.objects.count() == 2


def test_a_bad_line_is_named_on_the_page(client, crew, other_tree):
    client.force_login(crew.leader_user)
    data = {
        "worker": [str(crew.members[0].pk)],
        "task": [str(uuid.uuid4())],
        "kind": ["patrol"],
        "place": [str(other_tree["grid_a"].pk)],
        "note": [""],
    }
    page = client.post(f"/dispatch/teams/{crew.team.pk}/save/", data, follow=True)
    assert crew.members[0].name in page.content.decode()
    assert not Task.objects.exists()


def test_copy_yesterday_then_the_board_shows_the_tasks(client, crew, tree):
    for worker in crew.members:
        make_task(crew.team, worker, tree["grid_b"], day=YESTERDAY, kind="disinfection")
    client.force_login(crew.leader_user)
    client.post(f"/dispatch/teams/{crew.team.pk}/copy/", {"day": TODAY.isoformat()})
    assert Task.objects.filter(board__day=TODAY, kind="disinfection").count() == 3
    page = client.get(f"/dispatch/teams/{crew.team.pk}/").content.decode()
    assert page.count('<option value="disinfection" selected>') == 3


def test_a_viewer_sees_the_board_read_only_and_an_outsider_gets_404(
    client, tree, clock, bob, charlie
):
    crew = make_crew(tree["grid_a"], size=2)
    client.force_login(bob)
    page = client.get(f"/dispatch/teams/{crew.team.pk}/").content.decode()
    assert 'id="save-board"' not in page
    assert crew.members[0].name in page
    client.force_login(charlie)
    assert client.get(f"/dispatch/teams/{crew.team.pk}/").status_code == 404
    client.force_login(crew.member_user)
    assert client.get(f"/dispatch/teams/{crew.team.pk}/").status_code == 404


def test_my_task_today_with_htmx_buttons(client, crew, tree):
    task = make_task(crew.team, crew.members[0], tree["grid_a"], kind="sampling")
    client.force_login(crew.member_user)
    page = client.get("/dispatch/mine/").content.decode()
    assert f'id="task-{task.pk}"' in page and "check-in" in page
    answer = client.post(
        f"/dispatch/tasks/{task.pk}/check-in/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert 'data-status="checked_in"' in answer and "check-out" in answer
    answer = client.post(
        f"/dispatch/tasks/{task.pk}/close/",
        {"outcome": "not_done", "reason": ""},
        HTTP_HX_REQUEST="true",
    ).content.decode()
    assert 'role="alert"' in answer
    client.post(
        f"/dispatch/tasks/{task.pk}/close/",
        {"outcome": "not_done", "reason": "居民不在家"},
        HTTP_HX_REQUEST="true",
    )
    task.refresh_from_db()
    assert (task.status, task.reason) == (TaskStatus.NOT_DONE, "居民不在家")


def test_someone_elses_task_is_404(client, crew, tree):
    task = make_task(crew.team, crew.members[1], tree["grid_a"])
    client.force_login(crew.member_user)
    assert client.post(f"/dispatch/tasks/{task.pk}/check-in/").status_code == 404
    assert client.post(f"/dispatch/tasks/{uuid.uuid4()}/check-in/").status_code == 404
    task.refresh_from_db()
    assert task.status == TaskStatus.ASSIGNED


def _fill(crew, tree, day):
    statuses = [TaskStatus.DONE, TaskStatus.NOT_DONE, TaskStatus.ASSIGNED]
    for worker, status in zip(crew.members, statuses, strict=False):
        make_task(
            crew.team,
            worker,
            tree["grid_a"],
            day=day,
            status=status,
            reason="人手不足" if status == TaskStatus.NOT_DONE else "",
        )


def test_the_board_at_a_level_shows_deployment_and_what_was_left_undone(client, crew, tree, alice):
    _fill(crew, tree, TODAY)
    _fill(crew, tree, YESTERDAY)
    client.force_login(alice)
    page = client.get("/dispatch/").content.decode()
    assert 'data-figure="deployed">3<' in page
    # Not done and never closed, today and yesterday: two a day.
    assert page.count('class="undone-task"') == 4
    assert "人手不足" in page
    grid = client.get(f"/dispatch/?area={tree['grid_b'].pk}").content.decode()
    assert 'data-figure="deployed">0<' in grid


def test_the_board_at_a_level_costs_a_fixed_number_of_queries(
    client, tree, alice, clock, django_assert_num_queries
):
    client.force_login(alice)
    crew = make_crew(tree["community"], size=2)
    _fill(crew, tree, TODAY)
    client.get("/dispatch/")
    with django_assert_num_queries(QUERIES) as counted:
        client.get("/dispatch/")
    bigger = make_crew(tree["grid_b"], size=6, name="巾帼志愿者服务队", prefix="w")
    _fill(bigger, tree, TODAY)
    _fill(bigger, tree, YESTERDAY)
    with django_assert_num_queries(len(counted.captured_queries)):
        client.get("/dispatch/")


QUERIES = 14


def test_the_board_at_a_level_out_of_scope_is_404_and_nobody_gets_403(
    client, alice, other_tree, crew
):
    client.force_login(alice)
    assert client.get(f"/dispatch/?area={other_tree['community'].pk}").status_code == 404
    client.force_login(UserFactory(username="nobody"))
    assert client.get("/dispatch/").status_code == 403


def test_a_leader_without_a_role_gets_their_teams_on_the_dispatch_page(client, crew, tree):
    client.force_login(crew.leader_user)
    page = client.get("/dispatch/").content.decode()
    assert 'id="my-teams"' in page and crew.team.name in page
    assert 'id="deployment"' not in page
    home = client.get("/").content.decode()
    assert 'href="/dispatch/"' in home


def test_an_area_page_links_to_its_dispatch_board(client, alice, bob, tree):
    client.force_login(alice)
    page = client.get(f"/areas/{tree['grid_a'].pk}/").content.decode()
    assert f"/dispatch/?area={tree['grid_a'].pk}" in page


def test_the_leader_checks_in_a_member_without_a_phone_from_the_board(client, crew, tree):
    task = make_task(crew.team, crew.members[2], tree["grid_a"])
    client.force_login(crew.leader_user)
    page = client.get(f"/dispatch/teams/{crew.team.pk}/").content.decode()
    assert f'id="task-{task.pk}"' in page
    answer = client.post(
        f"/dispatch/tasks/{task.pk}/check-in/", HTTP_HX_REQUEST="true"
    ).content.decode()
    assert crew.members[2].name in answer and 'data-status="checked_in"' in answer


def test_the_board_costs_the_same_queries_for_a_team_of_three_or_twenty(
    client, tree, clock, django_assert_num_queries
):
    small = make_crew(tree["community"], size=3)
    big = make_crew(tree["grid_b"], size=20, name="党员先锋队", prefix="p")
    for crew, place in ((small, tree["grid_a"]), (big, tree["grid_b"])):
        for worker in crew.members[:-1]:
            make_task(crew.team, worker, place)
    client.force_login(small.leader_user)
    with django_assert_num_queries(BOARD_QUERIES):
        client.get(f"/dispatch/teams/{small.team.pk}/")
    client.force_login(big.leader_user)
    with django_assert_num_queries(BOARD_QUERIES):
        client.get(f"/dispatch/teams/{big.team.pk}/")


# Session, user, roles, team, tasks, members, places, inbox count, the leader link.
BOARD_QUERIES = 9
