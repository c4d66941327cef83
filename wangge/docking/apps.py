"""The daily docking (一天一对接): units confirm or correct their day's figures by a deadline."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DockingConfig(AppConfig):
    name = "wangge.docking"
    verbose_name = _("Daily docking")
