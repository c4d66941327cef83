"""State changes of the daily docking (一天一对接): a unit answers on its day's figures; the
worker raises an incident for each unit that has not answered by the deadline.

**Answering again.** A unit answers on the current version of its day. Until the deadline
it may answer as often as it likes — confirm after all, correct another figure, take a
correction back — and each answer replaces the one before; after the deadline an answer
stands, unless the day was made again since (a new version): then the unit answers the
figures as they now stand, on time or late as its first answer was. A unit that has not
answered may still answer after the deadline; the answer is marked late. Nothing is lost:
the audit log holds every answer in full (its corrections with their reasons) and what it
replaced (`selectors.may_answer` is the rule; the page offers the form only when it holds).
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import require_in_scope
from wangge.docking.deadline import deadline_of, is_past
from wangge.docking.errors import DockingError
from wangge.docking.models import UNIT_KINDS, Answer, Correction, Docking
from wangge.docking.selectors import may_answer
from wangge.incidents.actions import raise_incident
from wangge.incidents.choices import IncidentKind, IncidentSeverity, IncidentSource
from wangge.incidents.models import Incident
from wangge.snapshots.figures import FIGURE_BY_KEY
from wangge.snapshots.models import DaySnapshot

Acting = User | Actor

REASON_MAX = Correction._meta.get_field("reason").max_length or 200
COMMENT_MAX = 1000
# The largest corrected figure accepted (a figure is a count of people, households, …).
FIGURE_MAX = 100_000_000
# The late check looks back this many days before today (a worker stopped over a weekend
# catches up); older days are history, never raised.
LATE_LOOKBACK_DAYS = 2
# Units raised per transaction (each chunk one audit entry naming its units).
LATE_CHUNK = 200

SYSTEM = Actor(user=None, source="worker", label="worker")

LATE_TEXT = gettext_lazy(
    "%(unit)s has not confirmed its figures of %(day)s: the deadline was %(deadline)s."
)


@dataclass(frozen=True)
class CorrectionItem:
    """One figure the unit says is wrong: the figure's key, the right value, and why."""

    figure: str
    corrected: int
    reason: str


def _clean_corrections(
    items: Sequence[CorrectionItem], figures: dict[str, Any]
) -> list[Correction]:
    """The corrections as rows (not saved), or a DockingError naming every bad one."""
    problems: dict[str, str] = {}
    rows: list[Correction] = []
    seen: set[str] = set()
    for item in items:
        key = item.figure
        figure = FIGURE_BY_KEY.get(key)
        if figure is None or not figure.correctable or key not in figures:
            problems[key] = _("This figure cannot be corrected.")
            continue
        if key in seen:
            problems[key] = _("Correct each figure once.")
            continue
        seen.add(key)
        value = item.corrected
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= FIGURE_MAX:
            problems[key] = _("Enter a whole number, 0 or more.")
            continue
        reported = int(figures[key])
        if value == reported:
            problems[key] = _("The corrected figure is the one reported: leave it out.")
            continue
        reason = " ".join(str(item.reason).split())
        if not reason:
            problems[key] = _("Say why the figure is wrong.")
            continue
        if len(reason) > REASON_MAX:
            problems[key] = _("The reason is too long (%(max)d characters at most).") % {
                "max": REASON_MAX
            }
            continue
        rows.append(Correction(figure=key, reported=reported, corrected=value, reason=reason))
    if problems:
        raise DockingError("", fields=problems)
    return rows


def _summary(docking: Docking, corrections: Sequence[Correction]) -> dict[str, Any]:
    """What an answer said, as the audit log keeps it."""
    return {
        "version": docking.snapshot.version if docking.snapshot_id else None,
        "answer": docking.answer,
        "comment": docking.comment,
        "late": docking.late,
        "answered_at": docking.answered_at.isoformat(),
        "answered_by": docking.answered_by_id,
        "corrections": [
            {
                "figure": row.figure,
                "reported": row.reported,
                "corrected": row.corrected,
                "reason": row.reason,
            }
            for row in corrections
        ],
    }


@transaction.atomic
def answer_day(
    unit: Area,
    day: dt.date,
    *,
    corrections: Sequence[CorrectionItem],
    comment: str,
    acting_user: Acting,
    at: dt.datetime | None = None,
) -> Docking:
    """The unit's answer on its figures of `day`, against their current version: confirmed
    when there is no correction, else corrected (each correction a correctable figure of
    the catalogue, a whole number ≥ 0 other than the one reported, with its reason). Late
    when given after the deadline. Answering again follows the module's rule."""
    require_in_scope(log.scope_holder(acting_user), Perm.DOCK_FIGURES, [unit])
    user = log.as_actor(acting_user).user
    if user is None:
        raise DockingError(_("An answer is given by a person signed in."))
    if unit.kind not in UNIT_KINDS:
        raise DockingError(
            _("Only streets, towns, townships, communities and villages confirm figures.")
        )
    now = at or timezone.now()
    snapshot = (
        DaySnapshot.objects.select_for_update()
        .filter(area=unit, day=day, current=True)
        .select_related("run")
        .first()
    )
    if snapshot is None:
        raise DockingError(
            _("The figures of %(day)s are not made yet: there is nothing to confirm.")
            % {"day": day.isoformat()}
        )
    comment = str(comment).strip()
    if len(comment) > COMMENT_MAX:
        raise DockingError(
            _("The comment is too long (%(max)d characters at most).") % {"max": COMMENT_MAX},
            "comment",
        )
    rows = _clean_corrections(corrections, snapshot.figures)
    previous = (
        Docking.objects.select_for_update()
        .filter(area=unit, day=day)
        .select_related("snapshot")
        .first()
    )
    if not may_answer(previous, snapshot, now):
        raise DockingError(
            _(
                "The deadline has passed and the unit has answered on these figures: "
                "its answer stands."
            )
        )
    replaced = _summary(previous, list(previous.corrections.all())) if previous else None
    docking = previous or Docking(area=unit, day=day)
    docking.snapshot = snapshot
    docking.answer = Answer.CORRECTED if rows else Answer.CONFIRMED
    docking.comment = comment
    docking.answered_at = now
    docking.answered_by = user
    # Lateness is the day's: a unit that answered in time and answers a new version
    # after the deadline was not late.
    docking.late = previous.late if previous is not None else is_past(day, now)
    if previous is None:
        try:
            with transaction.atomic():
                docking.save(force_insert=True)
        except IntegrityError as exc:
            # Someone else answered for the unit at the same moment.
            raise DockingError(
                _("Someone answered for this unit at the same time: look at the page again.")
            ) from exc
    else:
        docking.save()
        docking.corrections.all().delete()
    for row in rows:
        row.docking = docking
    Correction.objects.bulk_create(rows)
    details: dict[str, Any] = {"unit": unit.name, "day": day.isoformat(), **_summary(docking, rows)}
    if replaced is not None:
        details["replaces"] = replaced
    log.record(
        acting_user,
        AuditEvent.DOCKING_CORRECT if rows else AuditEvent.DOCKING_CONFIRM,
        obj=docking,
        area_path=unit.path,
        details=details,
    )
    return docking


# --- late units -------------------------------------------------------------------------------


def _late_units(day: dt.date) -> list[Area]:
    """The units whose figures of `day` were made and that have not answered, and for which
    no incident was raised yet, in tree order."""
    made = (
        Area.objects.filter(
            kind__in=UNIT_KINDS,
            pk__in=DaySnapshot.objects.filter(day=day, current=True).values("area_id"),
        )
        .exclude(pk__in=Docking.objects.filter(day=day).values("area_id"))
        .order_by("path")
    )
    units = list(made)
    keys = {late_key(unit, day): unit for unit in units}
    raised = set(
        Incident.objects.filter(source_key__in=list(keys)).values_list("source_key", flat=True)
    )
    return [unit for key, unit in keys.items() if key not in raised]


def late_key(unit: Area, day: dt.date) -> str:
    """The incident's source key: one unit's day raises once."""
    return f"docking.late:{unit.pk}:{day.isoformat()}"


def raise_late_units(now: dt.datetime) -> int:
    """After each day's deadline, raise one DOCKING_LATE incident per unit that has not
    answered a day that was made (today's and the LATE_LOOKBACK_DAYS before), routed to
    the unit's chain of responsibility; each chunk of units audited once (DOCKING_LATE,
    naming them). Idempotent: a unit's day raises once, however often this runs. How many
    were raised."""
    today = timezone.localdate(now)
    raised = 0
    for back in range(LATE_LOOKBACK_DAYS, -1, -1):
        day = today - dt.timedelta(days=back)
        if not is_past(day, now):
            continue
        units = _late_units(day)
        deadline = timezone.localtime(deadline_of(day)).strftime("%Y-%m-%d %H:%M")
        for start in range(0, len(units), LATE_CHUNK):
            chunk = units[start : start + LATE_CHUNK]
            with transaction.atomic():
                for unit in chunk:
                    with translation.override(settings.LANGUAGE_CODE):
                        text = str(LATE_TEXT) % {
                            "unit": unit.name,
                            "day": day.isoformat(),
                            "deadline": deadline,
                        }
                    raise_incident(
                        IncidentKind.DOCKING_LATE,
                        IncidentSeverity.MEDIUM,
                        unit,
                        place=unit.name,
                        description=text,
                        source=IncidentSource.DOCKING_LATE,
                        source_key=late_key(unit, day),
                        at=now,
                        acting_user=SYSTEM,
                    )
                log.record(
                    SYSTEM,
                    AuditEvent.DOCKING_LATE,
                    object_type="docking.docking",
                    details={
                        "day": day.isoformat(),
                        "deadline": deadline,
                        "units": [{"id": unit.pk, "name": unit.name} for unit in chunk],
                    },
                )
            raised += len(chunk)
    return raised
