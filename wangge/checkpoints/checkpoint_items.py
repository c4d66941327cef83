"""What a checkpoint sends of one vehicle and its people: the items `register_entries`
takes, validated at the edge (the API's batch is a list of these, checkpoints/schemas.py;
the entry page builds the same items from its form). Every field is bounded
(wangge/core/api_input.py), so a malformed item is refused by its own answer, not by the
batch; what needs more than a type (a plate's format, an ID number's check digit, a
phone) is checked by the action, which names the field.
"""

from decimal import Decimal
from typing import Annotated, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from wangge.core.api_input import DbId, Timestamp, plain

# The most people one entry holds (a coach full of passengers).
MAX_PEOPLE = 60
TEMPERATURE_MIN = Decimal("34.0")
TEMPERATURE_MAX = Decimal("43.0")

IdTypeName = Literal["resident_card", "hk_macau_permit", "taiwan_permit", "passport", "none"]
DirectionName = Literal["in", "out"]
VehicleKindName = Literal["car", "truck", "bus", "van", "motorcycle", "other", "on_foot"]
HealthCodeName = Literal["green", "yellow", "red", "none"]
ActionName = Literal["passed", "tested", "quarantine", "turned_back"]
Temperature = Annotated[
    Decimal,
    Field(
        ge=TEMPERATURE_MIN,
        le=TEMPERATURE_MAX,
        max_digits=3,
        decimal_places=1,
        description="°C, one decimal, from 34.0 to 43.0: anything else is a misreading.",
    ),
]


class CheckpointIn(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PersonIn(CheckpointIn):
    """One person of a vehicle: by resident code (scanned), or by document."""

    name: Annotated[str, plain(60, min_length=1)]
    resident_code: Annotated[str, plain(20)] = Field(
        default="", description="The registry's resident code, when the person shows it."
    )
    id_type: IdTypeName = "resident_card"
    id_number: Annotated[str, plain(40)] = Field(
        default="", description="Required unless resident_code is given or id_type is none."
    )
    phone: Annotated[str, plain(30)] = ""
    temperature: Temperature
    health_code: HealthCodeName
    travel_history: Annotated[str, plain(200)] = ""
    action: ActionName


class EntryIn(CheckpointIn):
    """One vehicle (or a group on foot) as the checkpoint registered it."""

    client_id: UUID = Field(description="The device's UUIDv7 for this entry.")
    checkpoint_id: DbId
    at: Timestamp
    direction: DirectionName
    plate: Annotated[str, plain(20)] = Field(
        default="", description="Empty on foot; else a plate in use (normalised)."
    )
    vehicle_kind: VehicleKindName
    origin: Annotated[str, plain(100)] = ""
    destination: Annotated[str, plain(100)] = ""
    people: list[PersonIn] = Field(
        min_length=1, max_length=MAX_PEOPLE, description="The driver first."
    )
