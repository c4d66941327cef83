"""Per-item answers to a batch: the one shape every batch API answers in.

A field device or a laboratory posts many items at once, over a network that fails; each
item is answered on its own, in the batch's order, so that a client knows which to keep,
which to drop and which to show a person: accepted, duplicate (stored before: a retry
changes nothing) or rejected, with a stable reason code a client may act on, a reason in
the request's language for the person, and the field that is wrong when one is. Each API
adds what names its items (a client id, a barcode) and what else it reports.
"""

from abc import ABC, abstractmethod
from collections.abc import Iterable
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field


class ItemStatus(StrEnum):
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    REJECTED = "rejected"


class Tally(ABC):
    """A batch's totals by status, for a page or a command to show: a subclass says where
    its items' statuses are."""

    @abstractmethod
    def statuses(self) -> Iterable[str]: ...

    def count(self, status: str) -> int:
        return sum(1 for each in self.statuses() if each == status)

    @property
    def accepted(self) -> int:
        return self.count(ItemStatus.ACCEPTED)

    @property
    def duplicates(self) -> int:
        return self.count(ItemStatus.DUPLICATE)

    @property
    def rejected(self) -> int:
        return self.count(ItemStatus.REJECTED)


class ItemAnswerOut(BaseModel):
    """What became of one item of a batch."""

    status: ItemStatus
    reason_code: str = Field(description="A stable code; empty unless rejected.")
    reason: str = Field(description="A readable, translated reason; empty unless rejected.")
    field: str = Field(
        description="The field that is wrong (e.g. sampled_at, person.walk_in.address) "
        "when the item was rejected for one; empty otherwise."
    )


def item_answer(
    status: str, reason_code: str = "", reason: str = "", field: str = "", **more: Any
) -> dict[str, Any]:
    """One item's answer as the API sends it (`ItemAnswerOut`'s fields, then `more`)."""
    return {
        "status": status,
        "reason_code": reason_code,
        "reason": reason,
        "field": field,
        **more,
    }
