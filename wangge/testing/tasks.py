"""The testing app's background jobs, run by the worker (`wangge worker`).

Each calls the same action as its management command; the periodic ones are registered
in TestingConfig.ready() with their intervals.
"""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from wangge.audit.log import Actor
from wangge.testing.actions.recalls import report_overdue_recalls
from wangge.testing.actions.rounds import purge_round_records, recount_round, refresh_stale_grids
from wangge.testing.choices import RoundStatus
from wangge.testing.models import Round
from wangge.testing.selectors import rounds_due_for_purge

WORKER = Actor(user=None, source="worker", label="worker")


@task()
def recount_round_task(round_id: int) -> int:
    """Recount one round's expected figures (`recount_round --in-background`)."""
    return recount_round(Round.objects.get(pk=round_id), acting_user=WORKER)


@task()
def refresh_open_rounds() -> int:
    """Recount the grids of open rounds whose registry changed, so that the coverage pages
    find them counted; how many grids."""
    return sum(
        refresh_stale_grids(round_) for round_ in Round.objects.filter(status=RoundStatus.OPEN)
    )


@task()
def purge_old_rounds() -> int:
    """Retention: purge the personal records of rounds closed more than
    WANGGE_RETENTION_DAYS ago (`purge_testing_records --for-real`); how many rounds."""
    cutoff = timezone.now() - dt.timedelta(days=settings.WANGGE_RETENTION_DAYS)
    due = rounds_due_for_purge(cutoff)
    for round_ in due:
        purge_round_records(round_, acting_user=WORKER)
    return len(due)


@task()
def report_overdue_recalls_task() -> int:
    """Tell grid leaders of recalls open too long (once each)."""
    return report_overdue_recalls(now=timezone.now())
