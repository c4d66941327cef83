"""System check: the docking deadline reads as a time of day (fail at start, not at 20:00)."""

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from wangge.docking.deadline import deadline_time


@register()
def check_docking_deadline(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        deadline_time()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="wangge.E131")]
    return []
