from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RiskConfig(AppConfig):
    name = "wangge.risk"
    verbose_name = _("Risk levels")

    def ready(self) -> None:
        from wangge.areas.extensions import area_actions, area_badges, area_sections
        from wangge.core import cards, defaults, nav
        from wangge.risk import contributions
        from wangge.risk.defaults import install_default_policies
        from wangge.risk.models import RiskPolicy

        defaults.register("risk.policies", lambda: install_default_policies(RiskPolicy))
        area_badges.register(contributions.area_badges)
        area_sections.register(contributions.area_section)
        area_actions.register(contributions.area_action)
        nav.register(contributions.links)
        cards.register(contributions.cards)
