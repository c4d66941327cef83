"""The station API's request and response shapes (docs/api.md), as pydantic models.

Plain pydantic models rather than ninja's `Schema`: the registration batch is the hot path
and is validated straight from the request bytes by pydantic-core (see `parse_batch`),
without ninja's per-object wrapper. Every field a station sends is bounded here, so a
malformed item is refused by its own answer, not by the batch.
"""

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any, Literal, TypeVar
from uuid import UUID

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

MAX_BATCH = 500
M = TypeVar("M", bound=BaseModel)

IdTypeName = Literal["resident_card", "hk_macau_permit", "taiwan_permit", "passport", "none"]
# Barcodes are pre-printed: printable ASCII without spaces (what a scanner sends).
Barcode = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[!-~]{1,40}$")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


# --- device and rounds -------------------------------------------------------------------


class AreaOut(BaseModel):
    id: int
    name: str
    kind: str
    path_names: list[str] = Field(description="Names from the root down to this area.")


class UserOut(BaseModel):
    username: str
    display_name: str


class StationMeOut(BaseModel):
    device_id: int
    label: str
    area: AreaOut
    user: UserOut
    limited: bool = Field(
        description="A volunteer's own device: a short life, no masked phones in its "
        "roster, and an hourly allowance of ID-number lookups."
    )
    expires_at: dt.datetime
    server_time: dt.datetime


class SamplingPointOut(BaseModel):
    id: int
    number: int
    name: str


class DoorTeamOut(BaseModel):
    id: int
    name: str


class RoundOut(BaseModel):
    id: int
    name: str
    status: str
    pool_size: int
    starts_at: dt.datetime
    ends_at: dt.datetime
    sampling_points: list[SamplingPointOut]
    door_teams: list[DoorTeamOut]


# --- roster ------------------------------------------------------------------------------


class RosterItem(BaseModel):
    """What a desk needs to confirm a person, and nothing more."""

    code: str
    name: str
    id_type: str
    id_masked: str
    phone_masked: str = Field(description="Empty on a volunteer's own device.")
    household_id: int
    household_label: str
    grid_id: int
    grid_name: str
    status: str
    home_visit: bool
    sex: str = Field(description="M, F or U (unknown).")
    birth_year: int | None


class RosterPage(BaseModel):
    items: list[RosterItem]
    removed: list[str] = Field(
        description="Codes of residents who moved out of the device's area since the cursor."
    )
    next_cursor: str
    complete: bool = Field(description="True on the last page: keep next_cursor for later.")
    reset: bool = Field(
        description="True when the station must drop the roster it holds and replace it "
        "with this download (first page of a full download after an unusable cursor)."
    )


class SampledPage(BaseModel):
    codes: list[str]
    next_cursor: str
    complete: bool
    reset: bool


# --- registrations -----------------------------------------------------------------------


class ByResidentCode(_In):
    resident_code: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] = Field(
        max_length=20
    )
    # The ID number scanned when the operator chose this person offline from a list: the
    # server checks that it is theirs (and the station forgets it once answered).
    id_type: IdTypeName | None = None
    id_number: Annotated[str, StringConstraints(max_length=40)] = ""


class ByIdNumber(_In):
    id_type: IdTypeName
    id_number: Annotated[str, StringConstraints(max_length=40)]


class WalkInIn(_In):
    client_id: UUID
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=60)]
    id_type: IdTypeName = "resident_card"
    id_number: Annotated[str, StringConstraints(max_length=40)] = ""
    phone: Annotated[str, StringConstraints(max_length=30)] = ""
    address: ShortText = ""


class AsWalkIn(_In):
    walk_in: WalkInIn


Person = ByResidentCode | ByIdNumber | AsWalkIn


class RegistrationIn(_In):
    """One person put into one tube, as the station recorded it."""

    client_id: UUID = Field(description="The station's UUIDv7 for this record.")
    round_id: int
    tube_barcode: Barcode
    tube_capacity: Literal[1, 5, 10, 20]
    sampled_at: AwareDatetime
    mode: Literal["point", "door"] = "point"
    sampling_point_id: int | None = None
    person: Person


class RegistrationBatchIn(_In):
    items: list[RegistrationIn] = Field(max_length=MAX_BATCH)


ItemStatus = Literal["accepted", "duplicate", "rejected"]


class RegistrationResultOut(BaseModel):
    client_id: str | None
    status: ItemStatus
    reason_code: str = Field(description="Empty unless rejected.")
    reason: str = Field(description="A readable, translated reason; empty unless rejected.")
    already_sampled: bool | None = Field(
        description="Accepted: the person had a registration in this round before. "
        "Null for duplicates and rejections."
    )
    tube_filled: int | None
    tube_sealed: bool | None


class RegistrationBatchOut(BaseModel):
    results: list[RegistrationResultOut]


class SealOut(BaseModel):
    barcode: str
    status: str
    filled: int
    capacity: int


# --- home visits -------------------------------------------------------------------------


class HomeVisitResidentOut(BaseModel):
    code: str
    name: str
    id_masked: str
    home_visit: bool
    sampled: bool


class HomeVisitHouseholdOut(BaseModel):
    household_id: int
    label: str
    address: str
    grid_name: str
    residents: list[HomeVisitResidentOut]
    outcome: str | None = Field(description="The latest visit's outcome in this round, if any.")
    visited_at: dt.datetime | None


class HomeVisitIn(_In):
    client_id: UUID
    round_id: int
    household_id: int
    outcome: Literal["sampled", "nobody_home", "refused"]
    note: ShortText = ""
    visited_at: AwareDatetime
    team_id: int | None = None


class HomeVisitBatchIn(_In):
    items: list[HomeVisitIn] = Field(max_length=MAX_BATCH)


class BatchResultOut(BaseModel):
    client_id: str | None
    status: ItemStatus
    reason_code: str
    reason: str


class HomeVisitBatchOut(BaseModel):
    results: list[BatchResultOut]


# --- lookup ------------------------------------------------------------------------------


class LookupIn(_In):
    id_type: IdTypeName
    id_number: Annotated[str, StringConstraints(max_length=40)]


class LookupOut(BaseModel):
    found: bool
    resident: RosterItem | None


class ErrorOut(BaseModel):
    detail: str


# --- parsing a batch ---------------------------------------------------------------------


class BatchError(ValueError):
    """The request as a whole is not a batch (not JSON, no item list, too many items)."""


@dataclass(frozen=True)
class InvalidItem:
    """An item that does not have the documented shape: answered `rejected`, `invalid`."""

    client_id: str | None
    problem: str


def _describe(error: ValidationError) -> str:
    first = error.errors(include_url=False)[0]
    where = ".".join(str(part) for part in first["loc"])
    return f"{where}: {first['msg']}" if where else first["msg"]


def parse_batch(
    body: bytes, batch_model: type[BaseModel], item_model: type[M]
) -> list[M | InvalidItem]:
    """The items of a batch, validated one by one; an invalid item is answered by itself.

    The common case (every item valid) is one pydantic-core pass over the raw bytes.
    Only when something is wrong is the body parsed again to find which items are.
    """
    try:
        batch = batch_model.model_validate_json(body)
    except ValidationError:
        pass  # some item is invalid: find which, item by item, below
    else:
        items: list[M | InvalidItem] = list(batch.items)  # type: ignore[attr-defined]
        return items
    try:
        raw = json.loads(body)
    except ValueError as exc:
        raise BatchError("the body is not JSON") from exc
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list):
        raise BatchError('the body must be an object with a list "items"')
    if len(raw["items"]) > MAX_BATCH:
        raise BatchError(f"a batch holds at most {MAX_BATCH} items")
    adapter = _adapter(item_model)
    return list(_validate_each(raw["items"], adapter))


_ADAPTERS: dict[type[BaseModel], TypeAdapter[Any]] = {}


def _adapter(model: type[BaseModel]) -> TypeAdapter[Any]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def _validate_each(raw_items: list[Any], adapter: TypeAdapter[Any]) -> Iterator[M | InvalidItem]:
    for raw in raw_items:
        try:
            yield adapter.validate_python(raw)
        except ValidationError as exc:
            client_id = raw.get("client_id") if isinstance(raw, dict) else None
            yield InvalidItem(
                str(client_id)[:64] if client_id is not None else None, _describe(exc)
            )


def inline_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema with its definitions inlined (for an operation's openapi_extra,
    which cannot add component schemas)."""
    schema = model.model_json_schema(mode="validation")
    definitions = schema.pop("$defs", {})

    def resolve(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                return resolve(definitions[ref.rsplit("/", 1)[1]])
            return {key: resolve(value) for key, value in node.items()}
        if isinstance(node, list):
            return [resolve(value) for value in node]
        return node

    resolved: dict[str, Any] = resolve(schema)
    return resolved
