"""The roster a station holds: its area only, paged, then only what changed since its cursor."""

# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import base64
import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.factories import make_resident
from wangge.accounts.devices import issue_device_token
from wangge.residents import actions as registry
from wangge.residents.models import Resident
from wangge.testing import roster
from wangge.testing.models import Registration
from wangge.testing.tests.station_factories import (
    far_station,
    item,
    people,
    round_,
    sampler,
    station,
    upload,
)

HOUR_AGO = dt.timedelta(hours=1)


def age_everything():
    """Everything saved so far happened an hour ago (older than the cursor's margin)."""
    past = timezone.now() - HOUR_AGO
    Resident.objects.update(updated_at=past)
    Registration.objects.update(received_at=past)


def full_download(device, limit=None):
    codes, cursor, pages = [], None, 0
    while True:
        page = roster.roster_page(device, cursor, limit)
        codes += [row["code"] for row in page.items]
        cursor, pages = page.next_cursor, pages + 1
        if page.complete:
            return codes, cursor, pages


@pytest.fixture
def grid_station(tree, sampler):
    token, device = issue_device_token(sampler, tree["grid_a"], "grid desk", acting_user=sampler)
    return SimpleNamespace(token=token, device=device)


def test_a_first_download_pages_through_the_area_once(station, far_station, people, tree):
    a, b = people
    codes, _cursor, pages = full_download(station.device, limit=4)
    assert pages == 3
    assert sorted(codes) == sorted(r.code for r in a + b)
    assert full_download(far_station.device)[0] == []


def test_a_grid_device_holds_its_grid_only(grid_station, people):
    a, _ = people
    assert sorted(full_download(grid_station.device)[0]) == sorted(r.code for r in a)


def test_a_change_download_returns_only_what_changed(
    station, people, alice, django_assert_max_num_queries
):
    a, _ = people
    age_everything()
    _codes, cursor, _ = full_download(station.device)
    registry.update_resident(
        a[2],
        registry.ResidentData.clean(name="改名", id_number=a[2].reveal_id_number()),
        acting_user=alice,
    )
    with django_assert_max_num_queries(8):
        page = roster.roster_page(station.device, cursor, None)
    assert [row["code"] for row in page.items] == [a[2].code]
    assert page.items[0]["name"] == "改名"
    assert page.complete and not page.reset and page.removed == []
    age_everything()
    later = roster.roster_page(station.device, page.next_cursor, None)
    assert later.items == [] and later.complete


def test_a_change_committed_late_is_not_missed(station, people):
    a, _ = people
    age_everything()
    _codes, cursor, _ = full_download(station.device)
    started = timezone.now()
    # Saved (stamped) just before the download started, committed after it: within the margin.
    Resident.objects.filter(pk=a[0].pk).update(updated_at=started - dt.timedelta(minutes=5))
    Resident.objects.filter(pk=a[1].pk).update(updated_at=started - dt.timedelta(minutes=30))
    page = roster.roster_page(station.device, cursor, None)
    assert [row["code"] for row in page.items] == [a[0].code]


def test_a_change_download_pages_by_time_and_id(station, tree):
    for i in range(7):
        make_resident(tree["grid_a"], f"人{i}", room=str(300 + i), phone="")
    age_everything()
    _codes, cursor, _ = full_download(station.device)
    same_moment = timezone.now() - dt.timedelta(minutes=1)
    Resident.objects.update(updated_at=same_moment)  # many rows with one timestamp
    seen = []
    while True:
        page = roster.roster_page(station.device, cursor, 3)
        seen += [row["code"] for row in page.items]
        cursor = page.next_cursor
        if page.complete:
            break
    assert sorted(seen) == sorted(Resident.objects.values_list("code", flat=True))
    assert len(seen) == len(set(seen))


def test_residents_who_moved_away_are_removed(
    station, grid_station, people, tree, other_tree, alice
):
    a, b = people
    age_everything()
    _, community_cursor, _ = full_download(station.device)
    _, grid_cursor, _ = full_download(grid_station.device)
    elsewhere = registry.get_or_create_household(other_tree["grid_a"], building="9", room="901")
    registry.move_resident(a[0], elsewhere, acting_user=None)  # beyond alice's registers
    next_door = registry.get_or_create_household(tree["grid_b"], building="2", room="202")
    registry.move_resident(a[1], next_door, acting_user=alice)
    community = roster.roster_page(station.device, community_cursor, None)
    assert community.removed == [a[0].code]
    assert [row["code"] for row in community.items] == [a[1].code]  # still in the community
    grid = roster.roster_page(grid_station.device, grid_cursor, None)
    assert sorted(grid.removed) == sorted([a[0].code, a[1].code])
    assert grid.items == []


def test_an_unusable_cursor_starts_a_full_download_again(station, grid_station, people):
    a, b = people
    garbage = roster.roster_page(station.device, "not-a-cursor", None)
    assert garbage.reset and garbage.complete and len(garbage.items) == len(a + b)
    _, grid_cursor, _ = full_download(grid_station.device)
    borrowed = roster.roster_page(station.device, grid_cursor, None)  # another area's cursor
    assert borrowed.reset and len(borrowed.items) == len(a + b)
    tampered = json.loads(base64.urlsafe_b64decode(grid_cursor + "=" * (-len(grid_cursor) % 4)))
    tampered["k"] = "old"  # the index key was rotated since
    text = base64.urlsafe_b64encode(json.dumps(tampered).encode()).decode()
    assert roster.roster_page(grid_station.device, text, None).reset


def test_a_page_costs_the_same_queries_whatever_its_size(
    station, tree, django_assert_max_num_queries
):
    for i in range(30):
        make_resident(tree["grid_a"], f"人{i}", room=str(400 + i), phone="")
    roster.roster_page(station.device, None, 5)  # the device's roles are cached
    with django_assert_max_num_queries(3):
        small = roster.roster_page(station.device, None, 5)
    with django_assert_max_num_queries(3):
        large = roster.roster_page(station.device, None, 30)
    assert (len(small.items), len(large.items)) == (5, 30)


def test_sampled_codes_then_only_the_newly_sampled(station, far_station, people, round_):
    a, b = people
    upload(station, [item(round_, "T1", a[0]), item(round_, "T1", b[0])])
    first = roster.sampled_page(station.device, round_, None, None)
    assert sorted(first.codes) == sorted([a[0].code, b[0].code]) and first.complete
    age_everything()
    upload(station, [item(round_, "T2", a[1]), item(round_, "S1", a[0], capacity=1)])
    later = roster.sampled_page(station.device, round_, first.next_cursor, None)
    assert sorted(later.codes) == sorted([a[0].code, a[1].code])
    assert roster.sampled_page(far_station.device, round_, None, None).codes == []
    other_round = roster.sampled_page(station.device, round_, "garbage", None)
    assert other_round.reset and len(other_round.codes) == 3
