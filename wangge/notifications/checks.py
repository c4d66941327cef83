"""System check: the outbound channel is configured, so a bad setting stops the worker's start
instead of failing every message hours later."""

from typing import Any

from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from wangge.notifications.channels import configured_channel


@register()
def check_outbound_channel(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    try:
        configured_channel()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="wangge.E101")]
    return []
