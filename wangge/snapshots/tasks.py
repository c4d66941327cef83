"""The daily analysis's periodic job, run by the worker (`wangge worker`)."""

from django.utils import timezone
from django_tasks import task

from wangge.snapshots.actions import make_scheduled


@task()
def make_todays_figures() -> int:
    """Make today's figures once, after the set time (`actions.make_scheduled`)."""
    return make_scheduled(timezone.now())
