from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "wangge.testing"
    verbose_name = _("Mass testing")
