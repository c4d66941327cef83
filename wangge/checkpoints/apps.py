from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "wangge.checkpoints"
    verbose_name = _("Checkpoints")
