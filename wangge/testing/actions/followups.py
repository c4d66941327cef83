"""Following up the untested (催检): each attempt to reach a person, kept as history."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import require_in_scope
from wangge.residents.models import Resident
from wangge.testing.choices import FollowUpOutcome, RoundStatus
from wangge.testing.errors import RoundError
from wangge.testing.expectation import ExpectationRules
from wangge.testing.models import FollowUp, Round


@transaction.atomic
def record_followup(
    round_: Round,
    resident: Resident,
    *,
    outcome: str,
    come_at: dt.datetime | None = None,
    note: str = "",
    acting_user: User | Actor,
) -> FollowUp:
    """Record how an attempt to reach a resident of the round went; earlier attempts stay.

    Only for someone who contacts residents of the person's grid, and only for a person
    the round covers. "Will come" needs the time they said; the note is free text and is
    kept out of the audit log (people type numbers into notes).
    """
    require_in_scope(log.scope_holder(acting_user), Perm.CONTACT_RESIDENTS, [resident.grid])
    if not ExpectationRules.for_round(round_).in_scope(resident.grid.path):
        raise RoundError(_("this person is not in the round's areas"))
    if round_.status == RoundStatus.CLOSED:
        raise RoundError(_("a closed round's follow-ups can no longer change"))
    if outcome not in FollowUpOutcome.values:
        raise RoundError(_("unknown follow-up outcome"))
    if outcome == FollowUpOutcome.WILL_COME and come_at is None:
        raise RoundError(_("say when they will come"))
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    if user is None:
        raise RoundError(_("a follow-up needs the person who records it"))
    followup = FollowUp.objects.create(
        round=round_,
        resident=resident,
        outcome=outcome,
        come_at=come_at if outcome == FollowUpOutcome.WILL_COME else None,
        note=note.strip()[:200],
        recorded_by=user,
        recorded_at=timezone.now(),
    )
    details: dict[str, object] = {"round": round_.pk, "resident": resident.pk, "outcome": outcome}
    if followup.come_at is not None:
        details["come_at"] = followup.come_at
    log.record(
        acting_user,
        AuditEvent.FOLLOWUP_RECORD,
        obj=followup,
        area_path=resident.grid.path,
        details=details,
    )
    return followup
