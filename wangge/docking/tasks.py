"""The docking's periodic job, run by the worker (`wangge worker`)."""

from django.utils import timezone
from django_tasks import task

from wangge.docking.actions import raise_late_units


@task()
def check_late_units() -> int:
    """Raise an incident for each unit late to answer (`actions.raise_late_units`)."""
    return raise_late_units(timezone.now())
