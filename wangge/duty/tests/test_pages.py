"""The duty pages in the browser's place: lists, roster, check in on a phone, recording a
task done; scoped and at a fixed number of queries. The clock is at 16:00:30 local."""

import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from tests.factories import UserFactory
from wangge.duty.models import Post, ScheduledTask, Shift, TaskCompletion
from wangge.duty.tests.factories import make_post, make_scheduled, make_shift
from wangge.workforce.tests.factories import make_worker

pytestmark = pytest.mark.django_db


@pytest.fixture
def guard(tree):
    return make_worker(tree["community"], "王守门", user=UserFactory(username="guard"))


@pytest.fixture
def post(tree):
    return make_post(tree["grid_a"], "一号小区北门")


def test_the_posts_list_shows_each_posts_status_now(client, clock, alice, tree, guard, post):
    make_shift(post, guard, "16:00", 8, checked_in_at=clock.now)
    empty = make_post(tree["grid_b"], "二号小区南门")
    client.force_login(alice)
    page = client.get(reverse("duty:posts"), {"area": tree["community"].pk}).content.decode()
    assert "一号小区北门" in page and "二号小区南门" in page
    assert f'<tr data-status="manned"><td><a href="/duty/posts/{post.pk}/">' in page
    assert f'<tr data-status="unmanned"><td><a href="/duty/posts/{empty.pk}/">' in page


def test_the_roster_page_shows_gaps_and_the_form(client, clock, alice, guard, post):
    make_shift(post, guard, "08:00", 12)
    client.force_login(alice)
    page = client.get(reverse("duty:post", args=[post.pk])).content.decode()
    assert "00:00–08:00" in page and "20:00–24:00" in page
    assert 'id="add-shift"' in page
    assert 'value="00:00"' in page  # the start is set to the first gap


def test_a_viewer_sees_the_roster_without_the_form(client, clock, bob, post):
    client.force_login(bob)
    page = client.get(reverse("duty:post", args=[post.pk])).content.decode()
    assert 'id="add-shift"' not in page


def test_workers_are_found_by_name_not_listed(client, clock, alice, tree, post, other_tree):
    make_worker(tree["community"], "张三")
    make_worker(tree["grid_b"], "张四")
    make_worker(other_tree["community"], "张外")
    client.force_login(alice)
    url = reverse("duty:candidates", args=[post.pk])
    found = client.get(url, {"q": "张"}).content.decode()
    assert "张三" in found and "张四" in found and "张外" not in found


def test_adding_a_shift_from_the_form(client, clock, alice, guard, post):
    client.force_login(alice)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    response = client.post(
        reverse("duty:shift_add", args=[post.pk]),
        {"day": tomorrow.isoformat(), "worker": str(guard.pk), "start": "20:00", "hours": "12"},
    )
    assert response.status_code == 302
    shift = Shift.objects.get()
    assert timezone.localtime(shift.ends_at).hour == 8
    bad = client.post(
        reverse("duty:shift_add", args=[post.pk]),
        {"day": tomorrow.isoformat(), "worker": str(guard.pk), "start": "25:00", "hours": "8"},
        follow=True,
    )
    assert "HH:MM" in bad.content.decode() or "时" in bad.content.decode()
    assert Shift.objects.count() == 1


def test_copy_the_day_before_from_the_page(client, clock, alice, guard, post):
    make_shift(post, guard, "20:00", 8, day=timezone.localdate() - dt.timedelta(days=1))
    client.force_login(alice)
    client.post(reverse("duty:roster_copy", args=[post.pk]), {"day": timezone.localdate()})
    assert Shift.objects.count() == 2


def test_my_duty_today_checks_in_with_htmx(client, clock, guard, post):
    shift = make_shift(post, guard, "16:00", 8)
    client.force_login(guard.user)
    page = client.get(reverse("duty:mine")).content.decode()
    assert "一号小区北门" in page and "check-in" in page
    card = client.post(
        reverse("duty:shift_check_in", args=[shift.pk]), headers={"HX-Request": "true"}
    ).content.decode()
    assert f'id="shift-{shift.pk}"' in card and "check-out" in card
    shift.refresh_from_db()
    assert shift.checked_in_at == clock.now


def test_someone_elses_shift_is_404(client, clock, bob, guard, post):
    shift = make_shift(post, guard, "16:00", 8)
    client.force_login(bob)
    assert client.post(reverse("duty:shift_check_in", args=[shift.pk])).status_code == 404


def test_the_tasks_list_flags_the_overdue(client, clock, alice, tree, guard):
    make_scheduled(tree["grid_a"], "垃圾站", worker=guard)
    client.force_login(alice)
    page = client.get(reverse("duty:tasks"), {"area": tree["community"].pk}).content.decode()
    assert page.count('data-overdue="1"') == 2  # 08:00 and 14:00; 20:00 is still due
    assert page.count('data-overdue="0"') == 1


def test_recording_a_task_done_with_a_photo(client, clock, tree, guard, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    task = make_scheduled(tree["grid_a"], "垃圾站", worker=guard)
    client.force_login(guard.user)
    mine = client.get(reverse("duty:mine")).content.decode()
    assert "垃圾站" in mine
    picture = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(picture, "PNG")
    picture.name = "p.png"
    picture.seek(0)
    due = timezone.localtime(clock.now).replace(hour=14, minute=0, second=0, microsecond=0)
    client.post(
        reverse("duty:task_complete", args=[task.pk]),
        {"due_at": due.isoformat(), "note": "已完成", "photo": picture},
    )
    done = TaskCompletion.objects.get()
    assert done.note == "已完成" and done.photo
    photo = client.get(reverse("duty:completion_photo", args=[done.pk]))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    log = client.get(reverse("duty:task", args=[task.pk])).content.decode()
    assert "已完成" in log


def test_a_bad_photo_is_refused_with_a_message(client, clock, tree, guard):
    task = make_scheduled(tree["grid_a"], "垃圾站", worker=guard)
    client.force_login(guard.user)
    fake = io.BytesIO(b"not an image")
    fake.name = "p.jpg"
    due = timezone.localtime(clock.now).replace(hour=14, minute=0, second=0, microsecond=0)
    response = client.post(
        reverse("duty:task_complete", args=[task.pk]),
        {"due_at": due.isoformat(), "photo": fake},
        follow=True,
    )
    assert response.status_code == 200
    assert not TaskCompletion.objects.exists()


def test_setting_up_a_post_and_a_task_from_the_lists(client, clock, alice, tree):
    client.force_login(alice)
    client.post(
        reverse("duty:post_create", args=[tree["grid_a"].pk]),
        {"name": "东门", "kind": "gate", "min_on_duty": "2"},
    )
    assert Post.objects.get().min_on_duty == 2
    client.post(
        reverse("duty:task_create", args=[tree["grid_a"].pk]),
        {"place": "楼道", "kind": "patrol", "times": "08:00，20:00", "grace_minutes": "30"},
    )
    assert ScheduledTask.objects.get().times == ["08:00", "20:00"]
    response = client.post(
        reverse("duty:task_create", args=[tree["grid_a"].pk]),
        {"place": "楼道", "kind": "patrol", "times": "8点", "grace_minutes": "30"},
        follow=True,
    )
    assert response.status_code == 200 and ScheduledTask.objects.count() == 1


def _lots(tree, guard, n):
    for i in range(n):
        post = make_post(tree["grid_a" if i % 2 else "grid_b"], f"岗{i}")
        worker = make_worker(tree["community"], f"守{i}")
        make_shift(post, worker, "16:00", 8)
        make_scheduled(tree["grid_a"], f"点{i}", worker=guard)


@pytest.mark.parametrize("name", ["duty:posts", "duty:tasks"])
def test_the_lists_cost_a_fixed_number_of_queries(
    client, clock, alice, tree, guard, name, django_assert_num_queries
):
    client.force_login(alice)
    query = {"area": tree["community"].pk}
    _lots(tree, guard, 2)
    with CaptureQueriesContext(connection) as counted:
        client.get(reverse(name), query)
    _lots_more(tree, guard)
    with django_assert_num_queries(len(counted.captured_queries)):
        client.get(reverse(name), query)


def _lots_more(tree, guard):
    for i in range(5):
        post = make_post(tree["grid_a"], f"又一岗{i}")
        make_shift(post, make_worker(tree["community"], f"又守{i}"), "08:00", 12)
        task = make_scheduled(tree["grid_b"], f"又一点{i}", worker=guard)
        TaskCompletion.objects.create(
            task=task,
            due_at=timezone.localtime(timezone.now()).replace(
                hour=8, minute=0, second=0, microsecond=0
            ),
            done_at=timezone.now(),
        )


def test_the_workbench_cards(client, clock, alice, tree, guard, post):
    make_shift(post, guard, "16:00", 8)
    make_scheduled(tree["grid_a"], "垃圾站", worker=guard)
    client.force_login(guard.user)
    home = client.get("/").content.decode()
    assert reverse("duty:mine") in home
    client.force_login(alice)
    home = client.get("/").content.decode()
    assert reverse("duty:posts") in home


def test_an_area_page_links_to_its_posts_and_tasks(client, alice, tree):
    client.force_login(alice)
    page = client.get(reverse("areas:detail", args=[tree["grid_a"].pk])).content.decode()
    assert f"{reverse('duty:posts')}?area={tree['grid_a'].pk}" in page
    assert f"{reverse('duty:tasks')}?area={tree['grid_a'].pk}" in page
