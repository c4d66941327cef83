from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "wangge.checkpoints"
    verbose_name = _("Checkpoints")

    def ready(self) -> None:
        from wangge.checkpoints import actions
        from wangge.core import schedule

        # Alerts a crash left between a batch's commit and their raising (rare; one read
        # of a partial index per turn).
        schedule.register_drain("checkpoints.alerts", actions.raise_pending_alerts)
