"""The registry's background job, run by the worker (`wangge worker`)."""

import datetime as dt

from django_tasks import task

from wangge.residents import actions

# A register upload nobody applied or discarded within this long is discarded.
STALE_AFTER = dt.timedelta(hours=24)


@task()
def purge_stale_imports() -> int:
    """Retention of uploads: `purge_imports --for-real`, hourly; how many were discarded."""
    return actions.purge_stale_imports(older_than=STALE_AFTER, for_real=True).discarded


@task()
def check_import(batch_id: int) -> str:
    """Check an uploaded register in the background (`actions.begin_import`); its status."""
    return str(actions.check_import(batch_id).status)
