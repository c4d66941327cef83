"""The answer to each item of a station's upload: statuses, refusal reasons, retries."""

import functools
from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import get_language, gettext
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.audit.log import Actor
from wangge.core.api_input import BEFORE_ROUND, CLOCK_AHEAD, field_reason
from wangge.core.batch import ItemStatus, item_answer
from wangge.testing.station_items import InvalidItem

Acting = User | Actor

ACCEPTED, DUPLICATE, REJECTED = ItemStatus.ACCEPTED, ItemStatus.DUPLICATE, ItemStatus.REJECTED

# What a station shows next to a refused item. Codes are stable (the station may act on
# them); the readable reasons are translated for the desk.
REASONS: dict[str, Promise] = {
    "invalid": _("The record does not have the expected form."),
    "unknown_round": _("There is no such round for this device."),
    "round_not_open": _("The round is not open for registration."),
    "unknown_person": _(
        "No resident has this code or ID number; register the person as a walk-in."
    ),
    "invalid_person": _("The person's details are not valid."),
    "id_number_mismatch": _(
        "The ID number does not belong to the person chosen: check who was sampled and "
        "register them again."
    ),
    "no_sampling_point": _("Choose the station's sampling point: every tube names its point."),
    "no_door_team": _("Choose the station's door-to-door team: every tube names its team."),
    "unknown_sampling_point": _("This sampling point does not belong to the round."),
    "unknown_tube": _("There is no such tube for this device."),
    "tube_other_round": _("This tube barcode is already used in another round."),
    "capacity_mismatch": _("The tube's capacity is not the one given."),
    "tube_full": _("The tube is full."),
    "tube_sealed": _("The tube is sealed."),
    "already_in_tube": _("This person is already in this tube."),
    "unknown_household": _("There is no such household for this device."),
    "unknown_team": _("This door-to-door team does not belong to the round."),
    "clock_ahead": CLOCK_AHEAD,
    "before_round": BEFORE_ROUND,
}


@functools.lru_cache(maxsize=256)
def _reason(code: str, language: str | None) -> str:
    """A reason in the request's language (cached: a batch of refusals is common)."""
    return str(REASONS[code])


# Writers that collide (two batches opening the same new tube, or the same client id in
# two batches at once) lose with an IntegrityError or, on PostgreSQL, a deadlock; the
# batch is then simply run again and finds the other's rows.
ATTEMPTS = 4


@dataclass(slots=True)
class ItemResult:
    """The answer to one item of a batch, in the batch's order."""

    client_id: str | None
    status: str
    reason_code: str = ""
    reason: str = ""
    already_sampled: bool | None = None
    tube_filled: int | None = None
    tube_sealed: bool | None = None
    field: str = ""

    @classmethod
    def rejected(
        cls, client_id: str | None, code: str, detail: str = "", *, field: str = ""
    ) -> "ItemResult":
        reason = _reason(code, get_language())
        if detail:
            # Two sentences of one language: Chinese puts no space between them.
            reason = gettext("%(reason)s %(detail)s") % {"reason": reason, "detail": detail}
        return cls(client_id, REJECTED, code, reason, field=field)

    @classmethod
    def invalid(cls, item: InvalidItem) -> "ItemResult":
        """The answer to an item that does not have the documented form."""
        detail = field_reason(item.field, item.problem)
        return cls.rejected(item.client_id, "invalid", detail, field=item.field)

    def as_dict(self) -> dict[str, Any]:
        """A registration's answer (schemas.RegistrationResultOut): `as_batch_dict`'s keys
        in its order, then the tube's; one literal, since a batch answers 500 of them."""
        return {
            "status": self.status,
            "reason_code": self.reason_code,
            "reason": self.reason,
            "field": self.field,
            "client_id": self.client_id,
            "already_sampled": self.already_sampled,
            "tube_filled": self.tube_filled,
            "tube_sealed": self.tube_sealed,
        }

    def as_batch_dict(self) -> dict[str, Any]:
        """A home visit's answer (schemas.BatchResultOut)."""
        return item_answer(
            self.status, self.reason_code, self.reason, self.field, client_id=self.client_id
        )
