"""Uploaded area sheets waiting for the user's "apply" (wangge.core.staging).

The upload is read and checked once; the person sees the report and then applies or
walks away. Only the rows are kept (no file), only for the user who uploaded them, for
at most a day.
"""

from dataclasses import dataclass

from wangge.areas.importing import TreeRow, rows_from_dicts, rows_to_dicts
from wangge.core.staging import Staging

STAGING = Staging(purpose="areas", folder="areas")


@dataclass(frozen=True)
class PendingImport:
    token: str
    user_id: int
    within_id: int | None
    source: str
    rows: list[TreeRow]


def save(user_id: int, within_id: int | None, source: str, rows: list[TreeRow]) -> str:
    payload = {"within": within_id, "source": source, "rows": rows_to_dicts(rows)}
    return STAGING.keep(payload, owner=user_id)


def load(token: str, user_id: int) -> PendingImport | None:
    """The pending import, if it exists, is fresh and was uploaded by this user."""
    payload = STAGING.fetch(token, owner=user_id)
    if payload is None:
        return None
    return PendingImport(
        token=token,
        user_id=user_id,
        within_id=payload.get("within"),
        source=str(payload.get("source", "")),
        rows=rows_from_dicts(payload["rows"]),
    )


def discard(token: str) -> None:
    STAGING.delete(token)


# Uploaded outline files (GeoJSON) waiting for "apply": the file's bytes as text, since
# reading it again gives exactly the features that were checked.
BOUNDARY_STAGING = Staging(purpose="boundaries", folder="boundaries")


@dataclass(frozen=True)
class PendingBoundaries:
    token: str
    source: str
    data: bytes


def save_boundaries(user_id: int, source: str, data: bytes) -> str:
    payload = {"source": source, "text": data.decode("utf-8-sig")}
    return BOUNDARY_STAGING.keep(payload, owner=user_id)


def load_boundaries(token: str, user_id: int) -> PendingBoundaries | None:
    """The pending file, if it exists, is fresh and was uploaded by this user."""
    payload = BOUNDARY_STAGING.fetch(token, owner=user_id)
    if payload is None:
        return None
    return PendingBoundaries(
        token=token, source=str(payload.get("source", "")), data=str(payload["text"]).encode()
    )


def discard_boundaries(token: str) -> None:
    BOUNDARY_STAGING.delete(token)
