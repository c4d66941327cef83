from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class KeyPersonsConfig(AppConfig):
    name = "wangge.keypersons"
    verbose_name = _("Key persons")

    def ready(self) -> None:
        from wangge.core import defaults
        from wangge.keypersons import sources
        from wangge.keypersons.defaults import install_default_policies
        from wangge.keypersons.models import MeasurePolicy

        defaults.register("keypersons.policies", lambda: install_default_policies(MeasurePolicy))
        sources.register()
