"""The duty app's periodic job, run by the worker (`wangge worker`)."""

from django.utils import timezone
from django_tasks import task

from wangge.duty.unmanned import raise_unmanned


@task()
def check_unmanned_posts() -> int:
    """Raise incidents for posts nobody mans now."""
    return raise_unmanned(timezone.now())
