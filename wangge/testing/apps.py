from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TestingConfig(AppConfig):
    name = "wangge.testing"
    verbose_name = _("Mass testing")

    def ready(self) -> None:
        from wangge.areas.extensions import area_actions
        from wangge.core import nav
        from wangge.testing import station_views
        from wangge.testing.views import navigation

        nav.register(navigation.testing_links)
        nav.register(station_views.station_links)
        nav.register_alerts(navigation.unknown_result_alerts)
        area_actions.register(navigation.area_testing_actions)
