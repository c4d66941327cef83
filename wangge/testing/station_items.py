"""What a station sends of one registration or one home visit: the items the station
actions take, validated at the edge (the station API's batches are lists of these,
wangge/testing/schemas.py). Every field is bounded (wangge/core/api_input.py), so a
malformed item is refused by its own answer, not by the batch.
"""

import datetime
from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from msgspec import UNSET, UnsetType
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


# --- the batch's fast path (msgspec) -----------------------------------------------------
#
# The same items decoded by msgspec straight from the request's bytes (0.5 ms a batch of
# 500 against pydantic's 2.3 ms, docs/benchmarks.md). The pydantic models above stay the
# definition: they are what the OpenAPI document describes and what answers an invalid
# item field by field. These structs are never more permissive than they: no text with
# whitespace to strip at either end, no number given as text, no item whose person is not
# clearly one of the three kinds. Whatever they refuse goes to the pydantic path
# (`schemas.parse_registrations`), which accepts or answers it exactly as before; what
# they accept, the pydantic models accept with the same values.

_TRIMMED = r"[^\s\x00-\x1f\x7f]"
# One or more characters, none a control character, no whitespace at either end.
_NON_EMPTY = rf"^{_TRIMMED}(?:[^\x00-\x1f\x7f]*{_TRIMMED})?$"
_MAYBE_EMPTY = rf"^(?:{_TRIMMED}(?:[^\x00-\x1f\x7f]*{_TRIMMED})?)?$"


def _text(max_length: int, *, required: bool = False) -> Any:
    return Annotated[
        str,
        msgspec.Meta(
            min_length=1 if required else 0,
            max_length=max_length,
            pattern=_NON_EMPTY if required else _MAYBE_EMPTY,
        ),
    ]


_FastId = Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]
_FastTime = Annotated[datetime.datetime, msgspec.Meta(tz=True)]


class FastWalkIn(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    client_id: UUID
    name: _text(60, required=True)  # type: ignore[valid-type]
    id_type: IdTypeName = "resident_card"
    id_number: _text(40) = ""  # type: ignore[valid-type]
    phone: _text(30) = ""  # type: ignore[valid-type]
    address: _text(200) = ""  # type: ignore[valid-type]


class FastPerson(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One of the three kinds of person, by which fields are present (`kind`)."""

    resident_code: _text(20, required=True) | UnsetType = UNSET  # type: ignore[valid-type]
    id_type: IdTypeName | None | UnsetType = UNSET
    id_number: _text(40) | UnsetType = UNSET  # type: ignore[valid-type]
    walk_in: FastWalkIn | UnsetType = UNSET


class FastRegistration(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """A registration item as the write path reads it (`RegistrationIn`'s fields)."""

    client_id: UUID
    round_id: _FastId
    tube_barcode: Annotated[str, msgspec.Meta(pattern=BARCODE_PATTERN)]
    tube_capacity: Literal[1, 5, 10, 20]
    sampled_at: _FastTime
    person: FastPerson
    mode: Literal["point", "door"] = "point"
    sampling_point_id: _FastId | None = None
    team_id: _FastId | None = None


class FastRegistrationBatch(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    items: list[FastRegistration]


CODE, NUMBER, WALK_IN = "code", "number", "walk_in"


def person_kind(person: FastPerson) -> str:
    """Which of the three kinds this person is, as the pydantic union would choose; "" when
    none (only the pydantic path may then answer for the item)."""
    if person.walk_in is not UNSET:
        if person.resident_code is UNSET and person.id_type is UNSET and person.id_number is UNSET:
            return WALK_IN
        return ""
    if person.resident_code is not UNSET:
        return CODE
    if person.id_type is not UNSET and person.id_type is not None:
        return NUMBER if person.id_number is not UNSET else ""
    return ""


def as_fast(item: RegistrationIn) -> FastRegistration:
    """A registration validated by the pydantic model, as the write path reads it."""
    return msgspec.convert(item.model_dump(), FastRegistration)
