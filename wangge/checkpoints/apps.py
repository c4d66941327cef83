from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CheckpointsConfig(AppConfig):
    name = "wangge.checkpoints"
    verbose_name = _("Checkpoints")

    def ready(self) -> None:
        from wangge.checkpoints import actions, cards, navigation
        from wangge.core import cards as workbench_cards
        from wangge.core import nav, schedule

        nav.register(navigation.checkpoint_links)
        workbench_cards.register(cards.checkpoint_cards)

        # Alerts a crash left between a batch's commit and their raising (rare; one read
        # of a partial index per turn).
        schedule.register_drain("checkpoints.alerts", actions.raise_pending_alerts)
