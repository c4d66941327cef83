import datetime as dt

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    name = "wangge.residents"
    verbose_name = _("Resident registry")

    def ready(self) -> None:
        from wangge.areas.extensions import area_actions, area_sections
        from wangge.core import schedule
        from wangge.residents import tasks, views
        from wangge.residents.navigation import area_buttons

        area_actions.register(area_buttons)
        area_sections.register(views.grid_residents)
        schedule.register_periodic(
            "residents.purge_stale_imports", dt.timedelta(hours=1), tasks.purge_stale_imports
        )
