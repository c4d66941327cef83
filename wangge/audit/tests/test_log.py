import datetime as dt
import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from tests.factories import UserFactory, grant, make_resident
from wangge.audit import log
from wangge.audit.log import Actor, canonical_time, verify_chain
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Role


@pytest.fixture
def auditor(tree):
    return grant(UserFactory(username="audrey"), Role.ADMINISTRATOR, tree["district"])


def _fill(n, area_path=""):
    return [
        log.record(Actor(user=None, label="test"), f"test.act{i}", area_path=area_path)
        for i in range(n)
    ]


def test_chain_verifies_after_a_round_trip(db):
    _fill(5)
    assert list(verify_chain()) == []


def test_timestamps_hash_the_same_after_reading_back(db):
    entry = _fill(1)[0]
    stored = AuditEntry.objects.get(pk=entry.pk)
    assert canonical_time(stored.at) == canonical_time(entry.at)
    assert stored.at.microsecond == entry.at.microsecond


def test_canonical_time_ignores_the_time_zone_and_keeps_microseconds():
    utc = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    shanghai = utc.astimezone(dt.timezone(dt.timedelta(hours=8)))
    assert canonical_time(utc) == canonical_time(shanghai) == "2026-01-02T03:04:05.000000+00:00"


def test_details_hash_as_they_are_stored(db):
    entry = log.record(
        None, "test.details", details={"b": 1, "a": [1, 2], "when": dt.date(2026, 1, 2)}
    )
    assert AuditEntry.objects.get(pk=entry.pk).details == {
        "a": [1, 2],
        "b": 1,
        "when": "2026-01-02",
    }
    assert list(verify_chain()) == []


TABLE = AuditEntry._meta.db_table


def _raw(sql, params):
    """Tamper with the table behind the application's back, as an attacker would."""
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("TABLE", TABLE), params)


def test_verify_audit_passes_on_an_intact_log(db, capsys):
    _fill(3)
    call_command("verify_audit")
    assert "intact: 3 entries" in capsys.readouterr().out


def test_verify_audit_names_an_edited_entry(db):
    entries = _fill(4)
    _raw("UPDATE TABLE SET actor_name = %s WHERE id = %s", ["mallory", entries[1].pk])
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert caught.value.returncode == 1
    assert f"first break at entry {entries[1].pk}" in str(caught.value)
    assert "edited" in str(caught.value)


def test_verify_audit_names_the_entry_after_a_deleted_one(db):
    entries = _fill(4)
    _raw("DELETE FROM TABLE WHERE id = %s", [entries[1].pk])
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert f"first break at entry {entries[2].pk}" in str(caught.value)


def test_verify_audit_notices_the_last_entry_removed(db):
    entries = _fill(3)
    _raw("DELETE FROM TABLE WHERE id = %s", [entries[-1].pk])
    with pytest.raises(CommandError, match="last entries were removed"):
        call_command("verify_audit")


def test_verify_audit_notices_a_rewritten_entry_with_a_fresh_hash(db):
    """Editing an entry and recomputing its own hash still breaks the next link."""
    entries = _fill(3)
    target = AuditEntry.objects.get(pk=entries[0].pk)
    target.action = "test.innocent"
    new_hash = log._digest(target)
    _raw(
        "UPDATE TABLE SET action = %s, entry_hash = %s WHERE id = %s",
        ["test.innocent", new_hash, target.pk],
    )
    with pytest.raises(CommandError) as caught:
        call_command("verify_audit")
    assert f"first break at entry {entries[1].pk}" in str(caught.value)


def test_verify_audit_checks_an_expected_head(db):
    _fill(2)
    head = log.chain_head()
    _fill(1)
    call_command("verify_audit", expect_head=head)
    with pytest.raises(CommandError):
        call_command("verify_audit", expect_head="f" * 64)


def test_entries_cannot_be_changed_through_the_orm(db):
    entry = _fill(1)[0]
    with pytest.raises(ValueError):
        entry.save()
    with pytest.raises(ValueError):
        entry.delete()


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_chain():
    """Several connections appending at once (PostgreSQL locks the head row; SQLite
    serialises writers): every entry links to the one before it."""
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        # An in-memory SQLite database cannot be shared between threads' connections;
        # the file-based run of the suite and PostgreSQL exercise this.
        threads_count = 1
    else:
        threads_count = 4
    errors = []

    def append(worker):
        try:
            for i in range(10):
                log.record(Actor(user=None, label=f"w{worker}"), f"test.concurrent{i}")
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEntry.objects.count() == 10 * threads_count
    assert list(verify_chain()) == []


# The audit page


def test_audit_page_is_scoped_to_the_viewers_areas(client, tree, other_tree, auditor):
    _fill(1, area_path=tree["grid_a"].path)
    log.record(None, "test.elsewhere", area_path=other_tree["grid_a"].path)
    log.record(None, "test.nowhere")
    client.force_login(auditor)
    body = client.get("/accounts/audit/").content.decode()
    assert "test.act0" in body
    assert "test.elsewhere" not in body and "test.nowhere" not in body


def test_audit_page_filters(client, tree, auditor, alice):
    make_resident(tree["grid_a"], "甲")
    log.record(alice, "resident.reveal", area_path=tree["grid_b"].path)
    log.record(None, "test.old", area_path=tree["grid_b"].path)
    AuditEntry.objects.filter(action="test.old").update(at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    client.force_login(auditor)

    def actions(**query):
        body = client.get("/accounts/audit/", query).content.decode()
        return {a for a in ("resident.create", "resident.reveal", "test.old") if a in body}

    assert actions(action="resident.") == {"resident.create", "resident.reveal"}
    assert actions(username="alice") == {"resident.reveal"}
    assert actions(area=tree["grid_a"].pk) == {"resident.create"}
    assert actions(until="2021-01-01") == {"test.old"}
    assert actions(since="2021-01-01") == {"resident.create", "resident.reveal"}


def test_audit_page_needs_the_permission(client, alice, charlie):
    client.force_login(alice)
    assert client.get("/accounts/audit/").status_code == 403


def test_audit_page_is_paginated_in_few_queries(
    client, tree, auditor, django_assert_max_num_queries
):
    _fill(120, area_path=tree["grid_a"].path)
    client.force_login(auditor)
    with django_assert_max_num_queries(8):
        response = client.get("/accounts/audit/", {"action": "test.", "page": 2})
    assert response.status_code == 200
    body = response.content.decode()
    assert body.count("<code>test.act") == 50
    assert "page=3" in body and "action=test." in body


# Sign-ins in the log


def test_logins_and_failures_are_audited(client, tree, alice):
    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    client.post("/accounts/login/", {"username": "alice", "password": "correct horse battery"})
    failed = AuditEntry.objects.get(action="auth.login_failed")
    assert failed.details == {"username": "alice"}
    assert failed.object_id == str(alice.pk)
    assert failed.area_path == tree["community"].path
    assert "wrong" not in str(failed.details)
    login = AuditEntry.objects.get(action="auth.login")
    assert login.actor == alice and login.source == "127.0.0.1"


# Streams: a device's chain beside the main one


def _fill_stream(n, stream="device:7"):
    return [
        log.record(Actor(user=None, label="desk"), f"test.batch{i}", stream=stream)
        for i in range(n)
    ]


def test_a_streams_entries_chain_among_themselves_and_the_log_verifies(db):
    _fill(2)
    batches = _fill_stream(3)
    _fill(1)
    assert [e.previous_hash for e in batches[1:]] == [e.entry_hash for e in batches[:-1]]
    announced = AuditEntry.objects.get(action=log.STREAM_OPENED)
    assert announced.stream == "" and announced.details == {"stream": "device:7"}
    assert list(verify_chain()) == []
    call_command("verify_audit")


def test_an_edited_entry_of_a_stream_is_found(db):
    batches = _fill_stream(3)
    _raw("UPDATE TABLE SET action = %s WHERE id = %s", ["test.other", batches[1].pk])
    assert [b.entry_id for b in verify_chain()] == [batches[1].pk]


def test_the_last_entry_of_a_stream_removed_is_found(db):
    batches = _fill_stream(3)
    _fill(1)
    _raw("DELETE FROM TABLE WHERE id = %s", [batches[-1].pk])
    with pytest.raises(CommandError, match="stream device:7 points past"):
        call_command("verify_audit")


def test_a_whole_stream_removed_with_its_head_is_found(db):
    _fill_stream(2)
    _raw("DELETE FROM TABLE WHERE stream = %s", ["device:7"])
    with connection.cursor() as cursor:
        heads = log.AuditChainHead._meta.db_table
        cursor.execute(f"DELETE FROM {heads} WHERE stream = %s", ["device:7"])  # noqa: S608
    with pytest.raises(CommandError, match="head of stream device:7 is missing"):
        call_command("verify_audit")


def test_a_stream_moved_into_the_main_chain_breaks_both(db):
    _fill(1)
    batches = _fill_stream(2)
    _raw("UPDATE TABLE SET stream = '' WHERE id = %s", [batches[0].pk])
    assert batches[0].pk in {b.entry_id for b in verify_chain()}


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_to_streams_and_the_main_chain_keep_every_chain():
    if connection.vendor == "sqlite" and connection.settings_dict["NAME"].startswith(
        ("file:memorydb", ":memory:")
    ):
        pytest.skip("an in-memory SQLite database cannot be shared between threads")
    errors = []

    def append(worker):
        try:
            for i in range(10):
                stream = f"device:{worker % 2}" if worker else ""
                log.record(Actor(user=None, label=f"w{worker}"), f"test.c{i}", stream=stream)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=append, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert AuditEntry.objects.exclude(action=log.STREAM_OPENED).count() == 40
    assert list(verify_chain()) == []
