"""The station API's request and response shapes (docs/api.md), as pydantic models.

Plain pydantic models rather than ninja's `Schema`: the registration batch is the hot path
and is validated straight from the request bytes by pydantic-core (see `parse_batch`),
without ninja's per-object wrapper. Every field a station sends is bounded here (with the
API's shared types, wangge/core/api_input.py), so a malformed item is refused by its own
answer, not by the batch.
"""

import datetime as dt
from collections.abc import Iterator
from typing import Annotated, Any, TypeVar

import msgspec
import pydantic_core
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, Field, StringConstraints, TypeAdapter, ValidationError

from wangge.core.api_input import EARLIEST, LATEST, MAX_DEPTH, BodyError, describe
from wangge.core.batch import ItemAnswerOut
from wangge.lib.jsonsplit import SplitError, split_list
from wangge.testing.station_items import (
    FastRegistration,
    FastRegistrationBatch,
    HomeVisitIn,
    IdTypeName,
    InvalidItem,
    RegistrationIn,
    StationIn,
    as_fast,
    person_kind,
)

MAX_BATCH = 500
M = TypeVar("M", bound=BaseModel)

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
    risk_level: str = Field(
        default="normal",
        description="The effective risk level of the device's area (normal, prevention, "
        "control, lockdown): its own setting, else the strictest of the areas above it.",
    )
    door_to_door: bool = Field(
        default=False,
        description="Whether the level's policy has the area's homes sampled door to door.",
    )


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
    pool_size: int = Field(
        description="The tube capacity to use here: the pool size of the risk level of the "
        "device's area (single tubes in lockdown …), else the round's own."
    )
    round_pool_size: int = Field(default=10, description="The round's own pool size.")
    starts_at: dt.datetime
    ends_at: dt.datetime
    sampling_points: list[SamplingPointOut]
    door_teams: list[DoorTeamOut]
    default_sampling_point_id: int | None = Field(
        description="The point of the device's own area, else of the nearest area above it: "
        "the station starts there unless its operator chooses another."
    )
    default_team_id: int | None = Field(description="The same for door-to-door teams.")


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


class RegistrationBatchIn(StationIn):
    items: list[RegistrationIn] = Field(max_length=MAX_BATCH)


class BatchResultOut(ItemAnswerOut):
    client_id: str | None


class RegistrationResultOut(BatchResultOut):
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


class HomeVisitBatchIn(StationIn):
    items: list[HomeVisitIn] = Field(max_length=MAX_BATCH)


class HomeVisitBatchOut(BaseModel):
    results: list[BatchResultOut]


# --- lookup ------------------------------------------------------------------------------


class LookupIn(StationIn):
    id_type: IdTypeName
    id_number: Annotated[str, StringConstraints(max_length=40)]


class LookupOut(BaseModel):
    found: bool
    resident: RosterItem | None


class ErrorOut(BaseModel):
    detail: str = Field(description="What is wrong, in the request's language.")
    field: str = Field(
        default="", description="On a 422: the parameter or body field that is wrong."
    )


# The error answers every route may give besides its own: a token that is missing, unknown,
# expired or revoked (401), a parameter out of bounds (422), and the last resort (500,
# logged) that the schemathesis test keeps unused; a route that reads a body may also find
# it too large (413) or not JSON (400).
ERRORS: dict[int, type[ErrorOut]] = {401: ErrorOut, 422: ErrorOut, 500: ErrorOut}
BODY_ERRORS: dict[int, type[ErrorOut]] = {400: ErrorOut, 413: ErrorOut, **ERRORS}


# --- parsing a batch ---------------------------------------------------------------------


def parse_batch(
    body: bytes, batch_model: type[BaseModel], item_model: type[M]
) -> list[M | InvalidItem]:
    """The items of a batch, validated one by one; an invalid item is answered by itself.

    The common case (every item valid) is one pydantic-core pass over the raw bytes.
    Only when something is wrong is the body parsed again to find which items are, by
    pydantic-core's parser too: it stops at MAX_DEPTH levels where Python's `json` would
    recurse until the interpreter gives up; a body that deep is split into its items, and
    only an item that deep is refused. A body that is no batch at all raises BodyError
    (400: not JSON; 422: not an object with at most MAX_BATCH "items").
    """
    try:
        batch = batch_model.model_validate_json(body)
    except ValidationError:
        pass  # some item is invalid: find which, item by item, below
    else:
        items: list[M | InvalidItem] = list(batch.items)  # type: ignore[attr-defined]
        return items
    try:
        raw = pydantic_core.from_json(body)
    except ValueError as exc:
        if "recursion limit" not in str(exc):
            raise BodyError(400, str(_("The body is not valid JSON (UTF-8)."))) from exc
        raw = {"items": _items_one_by_one(body)}
    if not isinstance(raw, dict) or not isinstance(raw.get("items"), list):
        raise BodyError(422, str(_("The body must be an object with a list “items”.")))
    if len(raw["items"]) > MAX_BATCH:
        message = str(_("A batch holds at most %(count)s items.")) % {"count": MAX_BATCH}
        raise BodyError(422, message)
    adapter = _adapter(item_model)
    return list(_validate_each(raw["items"], adapter))


_REGISTRATIONS = msgspec.json.Decoder(FastRegistrationBatch)


def parse_registrations(body: bytes) -> list[FastRegistration | InvalidItem]:
    """A batch of registrations: decoded by msgspec when every item is plainly valid (the
    common case, one pass in C), else by `parse_batch`, which answers each invalid item by
    itself; either way the valid items come back as the write path reads them."""
    try:
        batch = _REGISTRATIONS.decode(body)
    except msgspec.MsgspecError:
        batch = None
    if (
        batch is not None
        and len(batch.items) <= MAX_BATCH
        and all(
            person_kind(item.person) and EARLIEST <= item.sampled_at < LATEST
            for item in batch.items
        )
    ):
        return list(batch.items)
    return [
        item if isinstance(item, InvalidItem) else as_fast(item)
        for item in parse_batch(body, RegistrationBatchIn, RegistrationIn)
    ]


class _TooDeep:
    """An item nested deeper than the parser goes: refused by itself."""


def _items_one_by_one(body: bytes) -> list[Any]:
    """The items of a body too deep to parse whole, each parsed alone (a too-deep one
    becomes a _TooDeep), so that one such item does not cost the others."""
    try:
        elements = split_list(body.decode(), "items")
    except (UnicodeDecodeError, SplitError) as exc:
        raise BodyError(400, str(_("The body is not valid JSON (UTF-8)."))) from exc
    items: list[Any] = []
    for element in elements:
        try:
            items.append(pydantic_core.from_json(element))
        except ValueError as exc:
            if "recursion limit" not in str(exc):
                raise BodyError(400, str(_("The body is not valid JSON (UTF-8)."))) from exc
            items.append(_TooDeep())
    return items


_ADAPTERS: dict[type[BaseModel], TypeAdapter[Any]] = {}


def _adapter(model: type[BaseModel]) -> TypeAdapter[Any]:
    if model not in _ADAPTERS:
        _ADAPTERS[model] = TypeAdapter(model)
    return _ADAPTERS[model]


def _validate_each(raw_items: list[Any], adapter: TypeAdapter[Any]) -> Iterator[M | InvalidItem]:
    for raw in raw_items:
        if isinstance(raw, _TooDeep):
            problem = _("This item nests more than %(depth)s levels deep.") % {"depth": MAX_DEPTH}
            yield InvalidItem(None, "", str(problem))
            continue
        try:
            yield adapter.validate_python(raw)
        except ValidationError as exc:
            client_id = raw.get("client_id") if isinstance(raw, dict) else None
            field, problem = describe(exc.errors(include_url=False))
            yield InvalidItem(
                str(client_id)[:64] if client_id is not None else None, field, problem
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
