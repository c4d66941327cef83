"""The checkpoint API's request and response shapes (docs/api.md, "Checkpoints").

The batch is validated straight from the request bytes, item by item, by the station's
`parse_batch` (a malformed entry is answered by itself, never by the batch); the entries
themselves are `checkpoint_items.EntryIn`.
"""

import datetime as dt

from pydantic import BaseModel, Field

from wangge.checkpoints.checkpoint_items import CheckpointIn, EntryIn
from wangge.testing.schemas import MAX_BATCH, BatchResultOut


class DeviceOut(BaseModel):
    label: str
    area: str = Field(description="The name of the device's area.")


class CheckpointOut(BaseModel):
    id: int
    name: str
    kind: str


class CheckpointMeOut(BaseModel):
    device: DeviceOut
    server_time: dt.datetime
    fever_threshold: float = Field(
        description="°C: a person at or above it is an alert (WANGGE_FEVER_THRESHOLD)."
    )
    checkpoints: list[CheckpointOut] = Field(
        description="The active checkpoints of the device's area and below: all it downloads."
    )
    max_batch: int
    max_people: int


class EntryBatchIn(CheckpointIn):
    items: list[EntryIn] = Field(max_length=MAX_BATCH)


class EntryResultOut(BatchResultOut):
    alerts: int | None = Field(
        description="Accepted or duplicate: the entry's people who raised an alert (a fever "
        "or a red or yellow code). Null when rejected."
    )


class EntryBatchOut(BaseModel):
    results: list[EntryResultOut]
