"""Door-to-door service (上门服务) for households that cannot leave: requests, their time limits and delivery."""

import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# How often the worker looks for requests past their limit (the shortest limit is 30 minutes).
OVERDUE_CHECK = dt.timedelta(minutes=1)


class ServicesConfig(AppConfig):
    name = "wangge.services"
    verbose_name = _("Door-to-door service")

    def ready(self) -> None:
        from wangge.core import cards, defaults, nav, schedule
        from wangge.services import cards as service_cards
        from wangge.services import navigation, tasks
        from wangge.services.defaults import install_default_limits
        from wangge.services.models import UrgencyPolicy

        defaults.register("services.limits", lambda: install_default_limits(UrgencyPolicy))
        schedule.register_periodic("services.overdue", OVERDUE_CHECK, tasks.check_overdue_requests)
        nav.register(navigation.service_links)
        cards.register(service_cards.service_cards)
