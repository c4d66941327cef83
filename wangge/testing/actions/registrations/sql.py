"""The tube rows a batch reads and writes as plain SQL (`wangge.core.bulk`)."""

import datetime as dt
from dataclasses import dataclass
from typing import Any

from wangge.core.bulk import BatchSql
from wangge.testing.models import Tube


@dataclass(slots=True)
class TubeRow:
    """A tube's row as the batch reads and writes it (a model instance costs more)."""

    pk: int | None
    barcode: str
    round_id: int
    capacity: int
    filled: int
    status: str
    # A time read from the row is in the database's form (text on SQLite).
    sealed_at: dt.datetime | str | None
    opened_at: dt.datetime | str | None = None
    area_id: int | None = None
    sampling_point_id: int | None = None
    door_team_id: int | None = None


TUBE_COLUMNS = (
    "id",
    "barcode",
    "round_id",
    "capacity",
    "filled",
    "status",
    "sealed_at",
    "opened_at",
    "area_id",
)


# The fields a registration and a person's first sample are inserted with (the demo's
# rounds write the same rows).
REGISTRATION_FIELDS = (
    "client_id",
    "round",
    "tube",
    "resident",
    "walk_in",
    "mode",
    "device",
    "registered_by",
    "sampled_at",
    "received_at",
)
SAMPLE_FIELDS = ("round", "resident", "grid", "counted", "home_visit", "first_sampled_at")


def update_tubes(sql: BatchSql, tubes: list[TubeRow]) -> None:
    """The filled tubes' new counts and states (their rows are locked by this batch)."""
    rows = [(tube.filled, tube.status, db_time(sql, tube.sealed_at), tube.pk) for tube in tubes]
    sql.update(Tube, ["filled", "status", "sealed_at"], rows)


def db_time(sql: BatchSql, value: dt.datetime | str | None) -> Any:
    """A tube's time in the database's form: as read, or a new one converted."""
    return value if isinstance(value, str) else sql.time(value)
