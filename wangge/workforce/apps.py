from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkforceConfig(AppConfig):
    name = "wangge.workforce"
    verbose_name = _("Workforce")

    def ready(self) -> None:
        from wangge.areas.extensions import area_actions, area_sections
        from wangge.core import cards, defaults, nav
        from wangge.notifications.addresses import register_phone_lookup
        from wangge.workforce import cards as workforce_cards
        from wangge.workforce import navigation, phones
        from wangge.workforce.defaults import install_default_duties
        from wangge.workforce.models import Duty
        from wangge.workforce.views import chains, summary

        defaults.register("workforce.duties", lambda: install_default_duties(Duty))
        register_phone_lookup("workforce.worker", phones.phone_of_user)
        nav.register(navigation.workforce_links)
        nav.register(chains.chain_links)
        area_actions.register(navigation.area_buttons)
        area_actions.register(summary.area_summary_action)
        area_sections.register(chains.area_chain_section)
        cards.register(workforce_cards.chain_cards)
        cards.register(workforce_cards.workforce_card)
