"""The daily bulletin (日报): an area's day as a PDF and an Excel workbook."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BulletinsConfig(AppConfig):
    name = "wangge.bulletins"
    verbose_name = _("Daily bulletins")
