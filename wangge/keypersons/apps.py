from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeyPersonsConfig(AppConfig):
    name = "wangge.keypersons"
    verbose_name = _("Key persons")

    def ready(self) -> None:
        from wangge.core import cards, defaults, nav
        from wangge.keypersons import cards as key_person_cards
        from wangge.keypersons import sources
        from wangge.keypersons.defaults import install_default_policies
        from wangge.keypersons.models import MeasurePolicy

        defaults.register("keypersons.policies", lambda: install_default_policies(MeasurePolicy))
        sources.register()
        cards.register(key_person_cards.key_person_cards)
        nav.register(key_person_cards.key_person_links)
