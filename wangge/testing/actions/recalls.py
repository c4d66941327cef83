"""Recalls that stay open too long are reported to the grid leader, once each."""

import datetime as dt

from django.conf import settings
from django.db import transaction

from wangge.events import actions as events
from wangge.testing.choices import RecallStatus
from wangge.testing.models import Recall
from wangge.testing.notify import RECALL_OVERDUE


def report_overdue_recalls(*, now: dt.datetime) -> int:
    """Record a "recall overdue" event for every recall open longer than
    WANGGE_RECALL_OVERDUE_HOURS and not reported yet; how many were reported.

    Each is taken with a conditional update of `overdue_reported_at` in the transaction
    that records its event, so two workers checking at once report it once. The worker
    acts for nobody: the events carry the report, and no record of a person changes.
    """
    hours = settings.WANGGE_RECALL_OVERDUE_HOURS
    overdue = Recall.objects.filter(
        status=RecallStatus.OPEN,
        opened_at__lt=now - dt.timedelta(hours=hours),
        overdue_reported_at__isnull=True,
    ).values_list("pk", "area_id")
    reported = 0
    for pk, area_id in overdue.order_by("pk"):
        with transaction.atomic():
            taken = Recall.objects.filter(pk=pk, overdue_reported_at__isnull=True).update(
                overdue_reported_at=now
            )
            if taken == 1:
                events.record(
                    RECALL_OVERDUE,
                    {"recall": pk, "hours": hours},
                    area=area_id,
                    at=now,
                    key=f"{RECALL_OVERDUE}:{pk}",
                )
                reported += 1
    return reported
