"""Alarms for laboratory results that reach no tube.

A positive or invalid result for a barcode nobody in the uploader's areas knows (a typing
slip at the laboratory, a tube of another district, a label that fell off) would
otherwise end as one "skipped" row among thousands, while somewhere a pool of ten people
should be recalled or a case is walking about. Both ways in — the lab file on the web and
the laboratory API — store results through `record_results_with_alarms`, which keeps
each such result as an `UnknownResult` in the same transaction as the batch.
"""

from collections import Counter
from collections.abc import Sequence

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.testing.actions.results import (
    RECALL_RESULTS,
    ResultItem,
    ResultsReport,
    record_results,
)
from wangge.testing.errors import RoundError
from wangge.testing.models import Tube, UnknownResult

Acting = User | Actor | None
NOTE_MAX = 200


def _user(acting: Acting) -> User | None:
    return acting.user if isinstance(acting, Actor) else acting


def unknown_alarming(items: Sequence[ResultItem], report: ResultsReport) -> list[ResultItem]:
    """The items that are alarms: a positive or invalid result for an unknown barcode."""
    return [
        item
        for item, outcome in zip(items, report.outcomes, strict=True)
        if outcome.reason_code == "unknown_barcode" and item.result in RECALL_RESULTS
    ]


@transaction.atomic
def record_results_with_alarms(
    items: Sequence[ResultItem],
    *,
    tubes: "QuerySet[Tube]",
    source: str,
    area: Area | None,
    acting_user: Acting,
) -> tuple[ResultsReport, list[UnknownResult]]:
    """Store a batch of results (see `record_results`) and raise an alarm for each positive
    or invalid result whose barcode no tube in `tubes` has; `area` is where the upload was
    made (who sees the alarm). An alarm still open is not raised twice."""
    report = record_results(items, tubes=tubes, source=source, acting_user=acting_user)
    alarming = unknown_alarming(items, report)
    if not alarming:
        return report, []
    now = timezone.now()
    alarms: list[UnknownResult] = []
    raised: Counter[str] = Counter()
    for item in alarming:
        alarm, created = UnknownResult.objects.get_or_create(
            barcode=item.barcode,
            result=item.result,
            area=area,
            resolved_at=None,
            defaults={"source": source, "reported_at": now, "reported_by": _user(acting_user)},
        )
        if alarm not in alarms:
            alarms.append(alarm)
        if created:
            raised[item.result] += 1
    if raised:
        log.record(
            acting_user,
            AuditEvent.TESTING_UNKNOWN_RESULTS,
            object_type="testing.unknownresult",
            area_path=area.path if area is not None else "",
            details={
                "source": source,
                **raised,
                "barcodes": sorted({alarm.barcode for alarm in alarms})[:50],
            },
        )
    return report, alarms


@transaction.atomic
def resolve_unknown_result(alarm: UnknownResult, *, note: str, acting_user: Acting) -> None:
    """Close an alarm, saying what was found (the right tube, a typing slip, another
    district told); the note is required so that the record says why it was closed."""
    note = " ".join(note.split())[:NOTE_MAX]
    if not note:
        raise RoundError(_("Say what was found before closing the alarm."))
    locked = UnknownResult.objects.select_for_update().get(pk=alarm.pk)
    if locked.resolved_at is not None:
        raise RoundError(_("This alarm is already closed."))
    locked.resolved_at = timezone.now()
    locked.resolved_by = _user(acting_user)
    locked.note = note
    locked.save(update_fields=["resolved_at", "resolved_by", "note"])
    log.record(
        acting_user,
        AuditEvent.UNKNOWN_RESULT_RESOLVE,
        obj=locked,
        area_path=locked.area.path if locked.area is not None else "",
        details={"barcode": locked.barcode, "result": locked.result},
    )
