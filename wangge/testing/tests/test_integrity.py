"""The registration tables carry no foreign-key constraints in the database: every path
that deletes a parent refuses or cascades, and `check_integrity` finds what would not."""

# ruff: noqa: F401, F811 - pytest fixtures are imported by name

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import ProtectedError

from tests.factories import UserFactory
from wangge.accounts.models import DeviceToken
from wangge.areas.models import Area
from wangge.core.integrity import orphans, unchecked_foreign_keys
from wangge.core.sql import table
from wangge.lib.uuid7 import uuid7
from wangge.residents.models import Resident
from wangge.testing.actions.rounds import close_round, purge_round_records
from wangge.testing.demo import build_demo_rounds, remove_demo_rounds
from wangge.testing.models import Registration, Round, RoundSample, Tube, WalkIn
from wangge.testing.tests.station_factories import (
    item,
    people,
    round_,
    sampler,
    station,
    statuses,
    upload,
)
from wangge.testing.tests.test_demo_rounds import district


def assert_no_orphans():
    assert [ref for ref in orphans() if ref.count] == []
    call_command("check_integrity")


@pytest.fixture
def sampled(station, people, round_):
    """Six residents and a walk-in registered through the station's batch."""
    a, _ = people
    walk_in = {"client_id": str(uuid7()), "name": "访客", "id_type": "none"}
    results = upload(
        station, [item(round_, "T1", p) for p in a] + [item(round_, "T2", {"walk_in": walk_in})]
    )
    assert statuses(results) == ["accepted"] * 7
    return round_


def test_the_hot_tables_references_are_the_unchecked_ones():
    names = {f"{f.model._meta.label}.{f.name}" for f in unchecked_foreign_keys()}
    assert names == {
        "testing.Registration.round",
        "testing.Registration.tube",
        "testing.Registration.resident",
        "testing.Registration.walk_in",
        "testing.Registration.device",
        "testing.Registration.registered_by",
        "testing.RoundSample.round",
        "testing.RoundSample.resident",
        "testing.RoundSample.grid",
    }


def test_check_integrity_reports_an_orphan_and_fails(sampled):
    assert_no_orphans()
    tube = Tube.objects.get(barcode="T1")
    with connection.cursor() as cursor:  # behind the application's back
        sql = f"UPDATE {table(Registration)} SET tube_id = %s"  # noqa: S608
        cursor.execute(sql, [tube.pk + 1000])
    with pytest.raises(CommandError) as caught:
        call_command("check_integrity")
    assert caught.value.returncode == 1
    broken = {ref.label: ref.count for ref in orphans() if ref.count}
    assert broken == {"testing.Registration.tube": 7}


def test_a_sampled_resident_cannot_be_deleted(sampled, people):
    with pytest.raises(ProtectedError):
        people[0][0].delete()
    assert_no_orphans()


def test_an_unsampled_resident_is_deleted_alone(sampled, people):
    people[1][0].delete()
    assert_no_orphans()


def test_a_resident_with_only_a_first_sample_takes_it_along(sampled, people):
    resident = people[0][0]
    Registration.objects.filter(resident=resident).delete()
    resident.delete()
    assert not RoundSample.objects.filter(resident_id=resident.pk).exists()
    assert_no_orphans()


def test_a_registered_walk_in_cannot_be_deleted(sampled):
    with pytest.raises(ProtectedError):
        WalkIn.objects.get().delete()
    assert_no_orphans()


def test_a_filled_tube_cannot_be_deleted(sampled):
    with pytest.raises(ProtectedError):
        Tube.objects.get(barcode="T1").delete()
    assert_no_orphans()


def test_a_round_with_registrations_cannot_be_deleted(sampled):
    with pytest.raises(ProtectedError):
        Round.objects.get(pk=sampled.pk).delete()
    assert_no_orphans()


def test_a_grid_with_first_samples_cannot_be_deleted(sampled, tree):
    with pytest.raises(ProtectedError):
        Area.objects.get(pk=tree["grid_a"].pk).delete()
    assert_no_orphans()


def test_a_deleted_device_leaves_its_registrations_without_one(sampled, station):
    DeviceToken.objects.filter(pk=station.device.pk).delete()
    assert Registration.objects.filter(device__isnull=True).count() == 7
    assert_no_orphans()


def test_a_user_who_registered_cannot_be_deleted(sampled, sampler):
    with pytest.raises(ProtectedError):
        sampler.delete()
    assert_no_orphans()


def test_purging_a_round_removes_its_records_without_orphans(sampled):
    admin = UserFactory(username="purger", is_superuser=True)
    close_round(sampled, acting_user=admin)
    summary = purge_round_records(sampled, acting_user=admin)
    assert (summary.registrations, summary.samples, summary.walk_ins) == (7, 6, 1)
    assert not Registration.objects.exists() and not RoundSample.objects.exists()
    assert_no_orphans()
    Round.objects.get(pk=sampled.pk).tubes.all().delete()
    Round.objects.get(pk=sampled.pk).delete()  # nothing holds it any more
    assert_no_orphans()


def test_the_demo_rounds_hold_every_reference_and_their_removal_too(district):
    admin = UserFactory(username="demo-admin", is_superuser=True)
    build_demo_rounds(district, seed=7, acting_user=admin)
    assert Registration.objects.count() > 100 and RoundSample.objects.exists()
    assert_no_orphans()
    remove_demo_rounds(district, acting_user=admin)
    assert not Registration.objects.exists() and not RoundSample.objects.exists()
    assert_no_orphans()
    Resident.objects.filter(grid__path__startswith=district.path).delete()  # demo reset
    assert_no_orphans()
