from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    name = "wangge.services"
    verbose_name = _("Door-to-door service")
