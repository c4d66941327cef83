import datetime as dt

from django.apps import AppConfig
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class IncidentsConfig(AppConfig):
    name = "wangge.incidents"
    verbose_name = _("Incidents")

    def ready(self) -> None:
        from wangge.core import cards, defaults, nav, schedule
        from wangge.incidents import cards as incident_cards
        from wangge.incidents import escalation, sources, tasks
        from wangge.incidents.defaults import install_default_policies
        from wangge.incidents.models import ClockPolicy
        from wangge.incidents.views import navigation

        defaults.register("incidents.policies", lambda: install_default_policies(ClockPolicy))
        sources.register()
        schedule.register_drain("incidents.escalate", escalation.escalate_due)
        schedule.register_periodic(
            "incidents.stalled_coverage",
            dt.timedelta(minutes=settings.WANGGE_INCIDENT_STALL_CHECK_MINUTES),
            tasks.check_stalled_coverage,
        )
        nav.register(navigation.incident_links)
        cards.register(incident_cards.incident_cards)
