from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "wangge.accounts"
    verbose_name = _("Accounts and audit")

    def ready(self) -> None:
        from wangge.accounts import navigation, signals  # noqa: F401 - connects the receivers
        from wangge.core import nav

        nav.register(navigation.account_links)
