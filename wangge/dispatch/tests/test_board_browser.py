"""A team of 20 assigned in under a minute on a phone (390 px): the leader copies
yesterday's board, changes two tasks and saves. The test counts what the leader does —
a handful of taps and selections, one save request — rather than timing it."""

import datetime as dt
import os
import re
import tempfile
from pathlib import Path

import pytest
from django.utils import timezone

from tests.browser import PASSWORD, WAIT_MS
from wangge.dispatch.models import Task
from wangge.dispatch.tests.factories import make_crew, make_task

SCREENSHOT = Path(
    os.environ.get("BOARD_SCREENSHOT", Path(tempfile.gettempdir()) / "board-390x844.png")
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_team_of_twenty_is_assigned_with_a_handful_of_taps(browser, live_server, tree):
    crew = make_crew(tree["community"], size=20)
    today = timezone.localdate()
    for worker in crew.members:
        make_task(
            crew.team, worker, tree["grid_a"], day=today - dt.timedelta(days=1), kind="sampling"
        )
    first, second = crew.members[3], crew.members[11]

    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(WAIT_MS)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", crew.leader_user.username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"/$"))
    # From the workbench: the leader's card says the board is not set yet.
    page.click(f"[data-card='dispatch.board.{crew.team.pk}'] h2 a")
    page.wait_for_selector("#copy-board")

    posts: list[str] = []
    page.on(
        "request", lambda request: posts.append(request.url) if request.method == "POST" else None
    )
    actions = 0

    def act(step):
        nonlocal actions
        actions += 1
        step()

    act(lambda: page.click("#copy-board"))
    page.wait_for_selector(
        f"#line-{first.pk} select[name=kind] option[value=sampling][selected]", state="attached"
    )
    act(lambda: page.select_option(f"#line-{first.pk} select[name=kind]", "order"))
    act(lambda: page.select_option(f"#line-{second.pk} select[name=place]", str(tree["grid_b"].pk)))
    page.screenshot(path=str(SCREENSHOT), full_page=False)
    act(lambda: page.click("#save-board"))
    page.wait_for_selector(".messages")

    assert actions <= 5
    saves = [url for url in posts if url.endswith(f"/dispatch/teams/{crew.team.pk}/save/")]
    assert len(saves) == 1
    assert len(posts) == 2  # the copy and the save
    tasks = {task.worker_id: task for task in Task.objects.filter(board__day=today)}
    assert len(tasks) == 20
    assert tasks[first.pk].kind == "order"
    assert tasks[second.pk].place_id == tree["grid_b"].pk
    assert sum(task.kind == "sampling" for task in tasks.values()) == 19
    # The whole board fits the phone's width: nothing to scroll sideways.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert errors == []
    context.close()
