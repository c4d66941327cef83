"""The incidents app's periodic job, run by the worker (`wangge worker`)."""

from django.utils import timezone
from django_tasks import task

from wangge.incidents.sources import stalled_coverage


@task()
def check_stalled_coverage() -> int:
    """Raise incidents for grids whose coverage stalls late in an open round."""
    return stalled_coverage(timezone.now())
