"""The tracing app's periodic job, run by the worker (`wangge worker`)."""

from django.utils import timezone
from django_tasks import task

from wangge.tracing.actions import overdue_incidents


@task()
def raise_overdue() -> int:
    """One incident per (list, area) with people past their deadline and no feedback."""
    return overdue_incidents(timezone.now())
