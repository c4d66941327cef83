"""The daily analysis (一天一分析): each area's figures of a day, frozen in versions."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SnapshotsConfig(AppConfig):
    name = "wangge.snapshots"
    verbose_name = _("Daily figures")
