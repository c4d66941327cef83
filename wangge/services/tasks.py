"""The door-to-door service's periodic job, run by the worker (`wangge worker`)."""

from django.utils import timezone
from django_tasks import task

from wangge.services.actions import escalate_overdue


@task()
def check_overdue_requests() -> int:
    """Raise incidents for requests past their limit (`actions.escalate_overdue`)."""
    return escalate_overdue(timezone.now())
