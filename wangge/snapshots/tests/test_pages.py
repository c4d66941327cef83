"""The pages: make on demand, every version of a day with what changed."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.factories import UserFactory, grant, make_resident
from wangge.core.permissions import Role
from wangge.snapshots.models import DaySnapshot, SnapshotRun
from wangge.snapshots.tests.helpers import make, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def street_user(tree):
    return grant(UserFactory(username="street"), Role.STREET_STAFF, tree["street"])


def test_a_leader_makes_a_day_and_is_sent_back(client, tree, street_user):
    client.force_login(street_user)
    response = client.post(
        reverse("snapshots:make"),
        {"area": tree["community"].pk, "day": today().isoformat(), "next": "/dashboard/?x=1"},
    )
    assert response.status_code == 302
    assert response["Location"] == "/dashboard/?x=1"
    assert SnapshotRun.objects.get().made_by == street_user


def test_an_outside_next_is_not_followed(client, tree, street_user):
    client.force_login(street_user)
    response = client.post(
        reverse("snapshots:make"),
        {"area": tree["community"].pk, "next": "https://example.com/"},
    )
    assert response["Location"] == reverse(
        "snapshots:versions", kwargs={"area": tree["community"].pk, "day": today()}
    )


def test_a_day_to_come_is_refused_with_a_message(client, tree, street_user):
    client.force_login(street_user)
    tomorrow = (today() + dt.timedelta(days=1)).isoformat()
    response = client.post(
        reverse("snapshots:make"), {"area": tree["community"].pk, "day": tomorrow}, follow=True
    )
    assert response.status_code == 200
    assert not SnapshotRun.objects.exists()
    assert list(response.context["messages"])


def test_an_unreadable_day_is_400(client, tree, street_user):
    client.force_login(street_user)
    response = client.post(reverse("snapshots:make"), {"area": tree["community"].pk, "day": "x"})
    assert response.status_code == 400


def test_versions_show_who_made_each_and_what_changed(client, tree, street_user):
    make(tree["city"])
    make_resident(tree["grid_a"], "甲")
    make(tree["community"], acting_user=street_user)
    client.force_login(street_user)
    response = client.get(
        reverse("snapshots:versions", kwargs={"area": tree["community"].pk, "day": today()})
    )
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [row.snapshot.version for row in rows] == [2, 1]
    changed = {change.figure.key: (change.before, change.after) for change in rows[0].changes}
    assert changed["population.residents"] == (0, 1)
    assert rows[0].made_by == street_user
    assert "street" in response.content.decode()


def test_versions_out_of_scope_and_bad_days_are_404(client, tree, other_tree, street_user):
    client.force_login(street_user)
    url = reverse("snapshots:versions", kwargs={"area": other_tree["community"].pk, "day": today()})
    assert client.get(url).status_code == 404
    assert client.get(f"/snapshots/{tree['community'].pk}/2026-02-30/").status_code == 404


def test_a_day_never_made_says_so(client, tree, street_user):
    client.force_login(street_user)
    response = client.get(
        reverse("snapshots:versions", kwargs={"area": tree["grid_a"].pk, "day": today()})
    )
    assert response.status_code == 200
    assert response.context["rows"] == []
    assert not DaySnapshot.objects.exists()
