"""What a station sends of one registration or one home visit: the items the station
actions take, validated at the edge (the station API's batches are lists of these,
wangge/testing/schemas.py). Every field is bounded (wangge/core/api_input.py), so a
malformed item is refused by its own answer, not by the batch.
"""

from dataclasses import dataclass
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wangge.core.api_input import DbId, Timestamp, plain

IdTypeName = Literal["resident_card", "hk_macau_permit", "taiwan_permit", "passport", "none"]
# Barcodes are pre-printed: printable ASCII without spaces (what a scanner sends).
BARCODE_PATTERN = r"^[!-~]{1,40}$"
Barcode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=BARCODE_PATTERN)]
ShortText = Annotated[str, plain(200)]
Note = Annotated[str, plain(200, multi_line=True)]
DocumentNumber = Annotated[str, plain(40)]


class StationIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ByResidentCode(StationIn):
    resident_code: Annotated[str, plain(20, min_length=1)]
    # The ID number scanned when the operator chose this person offline from a list: the
    # server checks that it is theirs (and the station forgets it once answered).
    id_type: IdTypeName | None = None
    id_number: DocumentNumber = ""


class ByIdNumber(StationIn):
    id_type: IdTypeName
    id_number: DocumentNumber


class WalkInIn(StationIn):
    client_id: UUID
    name: Annotated[str, plain(60, min_length=1)]
    id_type: IdTypeName = "resident_card"
    id_number: DocumentNumber = ""
    phone: Annotated[str, plain(30)] = ""
    address: ShortText = ""


class AsWalkIn(StationIn):
    walk_in: WalkInIn


Person = ByResidentCode | ByIdNumber | AsWalkIn


class RegistrationIn(StationIn):
    """One person put into one tube, as the station recorded it."""

    client_id: UUID = Field(description="The station's UUIDv7 for this record.")
    round_id: DbId
    tube_barcode: Barcode
    tube_capacity: Literal[1, 5, 10, 20]
    sampled_at: Timestamp
    mode: Literal["point", "door"] = "point"
    sampling_point_id: DbId | None = Field(
        default=None, description="The round's sampling point; required when mode is point."
    )
    team_id: DbId | None = Field(
        default=None, description="The round's door-to-door team; required when mode is door."
    )
    person: Person


class HomeVisitIn(StationIn):
    client_id: UUID
    round_id: DbId
    household_id: DbId
    outcome: Literal["sampled", "nobody_home", "refused"]
    note: Note = ""
    visited_at: Timestamp
    team_id: DbId | None = None


@dataclass(frozen=True)
class InvalidItem:
    """An item that does not have the documented shape: answered `rejected`, `invalid`,
    with the field that is wrong and why (translated)."""

    client_id: str | None
    field: str
    problem: str
