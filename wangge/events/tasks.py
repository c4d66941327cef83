"""The events app's periodic job: forget what the worker has finished with."""

import datetime as dt

from django.conf import settings
from django.utils import timezone
from django_tasks import task
from django_tasks_db.models import DBTaskResult

from wangge.events import actions


@task()
def prune_worker_records() -> int:
    """Delete dispatched events, scheduler slots and finished task results older than
    WANGGE_WORKER_KEEP_DAYS; how many rows went."""
    before = timezone.now() - dt.timedelta(days=settings.WANGGE_WORKER_KEEP_DAYS)
    tasks, _ = DBTaskResult.objects.finished().filter(finished_at__lt=before).delete()
    return actions.prune(before) + tasks
