"""A leaked backup gives away no ID number and no phone of a person checked at a checkpoint
(tests/test_personal_data_dump.py does the same for the registry): visitors' documents and
every phone given at the checkpoint are sealed, alerts' key persons too, the audit log
holds counts only. SQLite: the file and its WAL, built by a separate process; PostgreSQL:
`pg_dump`, when the suite runs on it."""

import datetime as dt
import random
from pathlib import Path

import pytest
from django.db import connection

from tests.dumps import pg_dump_bytes, sqlite_snapshot
from wangge.lib.idnumbers import make_resident_card_number


def _visitors() -> list[tuple[str, str, str]]:
    rng = random.Random(20221207)  # noqa: S311 - test data
    people = []
    for index in range(12):
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(0, 25000))
        number = make_resident_card_number("320102", birth, rng.randrange(1, 999), "MF"[index % 2])
        people.append((f"旅客{index}", number, f"1{rng.choice('3578')}{rng.randrange(10**9):09d}"))
    return people


VISITORS = _visitors()


def forbidden() -> list[str]:
    return [
        value
        for _n, number, phone in VISITORS
        for value in (number, number[-8:], phone, phone[-8:])
    ]


def leaks(blob: bytes) -> list[str]:
    return [value for value in forbidden() if value.encode() in blob]


def build_entries() -> str:
    """Entries through the action (one with a fever and one with a yellow code, so key
    persons and incidents are made), a reveal; returns a masked number (in the dump)."""
    from django.utils import timezone

    from tests.factories import UserFactory, grant, make_tree
    from wangge.checkpoints.actions import register_entries, reveal_passenger
    from wangge.checkpoints.checkpoint_items import EntryIn
    from wangge.checkpoints.models import Checkpoint, CheckpointPassenger
    from wangge.core.permissions import Role
    from wangge.lib.uuid7 import uuid7

    tree = make_tree()
    staff = grant(UserFactory(username="dump_staff"), Role.COMMUNITY_STAFF, tree["community"])
    checkpoint = Checkpoint.objects.create(area=tree["community"], name="备份卡口")
    items = []
    for start in range(0, len(VISITORS), 3):
        people = [
            {
                "name": name,
                "id_number": number,
                "phone": phone,
                "temperature": 38.0 if start == 0 and offset == 0 else 36.5,
                "health_code": "yellow" if start == 3 and offset == 0 else "green",
                "action": "passed",
            }
            for offset, (name, number, phone) in enumerate(VISITORS[start : start + 3])
        ]
        items.append(
            EntryIn.model_validate(
                {
                    "client_id": str(uuid7()),
                    "checkpoint_id": checkpoint.pk,
                    "at": timezone.now().isoformat(),
                    "direction": "in",
                    "plate": f"苏A1000{start}",
                    "vehicle_kind": "car",
                    "people": people,
                }
            )
        )
    batch = register_entries(items, checkpoint_scope=staff, acting_user=staff)
    assert [r.status for r in batch.results] == ["accepted"] * len(items)
    first = CheckpointPassenger.objects.order_by("pk").first()
    assert first is not None
    reveal_passenger(first, "id_number", acting_user=staff)
    reveal_passenger(first, "phone", acting_user=staff)
    return str(first.id_number_masked)


def test_sqlite_file_and_wal_hold_no_number(tmp_path: Path) -> None:
    database, snapshot, masked = sqlite_snapshot(
        tmp_path, "wangge.checkpoints.tests.test_dump:build_entries"
    )
    files = [snapshot / "open", snapshot / "open-wal", database]
    files += [Path(f"{database}{suffix}") for suffix in ("-wal", "-shm")]
    blobs = {str(path): path.read_bytes() for path in files if path.exists()}
    assert any(masked.encode() in blob for blob in blobs.values())
    assert any("旅客0".encode() in blob for blob in blobs.values())
    for name, blob in blobs.items():
        assert not leaks(blob), f"{name} contains {leaks(blob)[:5]}"


@pytest.mark.django_db(transaction=True)
def test_pg_dump_holds_no_number() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the pg_dump half runs when the suite runs on PostgreSQL (DATABASE_URL)")
    masked = build_entries()
    dump = pg_dump_bytes()
    assert masked.encode() in dump
    assert not leaks(dump), f"pg_dump contains {leaks(dump)[:5]}"


def test_the_leak_check_finds_a_number() -> None:
    _name, number, phone = VISITORS[2]
    assert leaks(f"x{number}y".encode()) == [number, number[-8:]]
    assert leaks(phone[-8:].encode()) == [phone[-8:]]
