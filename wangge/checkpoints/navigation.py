"""The checkpoints link of the top navigation, for those who look at or register at them."""

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.checkpoints import selectors
from wangge.core.nav import NavGroup, NavItem


def checkpoint_links(request: Any) -> list[NavItem]:
    user = request.user
    if not isinstance(user, User) or not selectors.can_read(user):
        return []
    return [NavItem(reverse("checkpoints:list"), _("Checkpoints"), group=NavGroup.CONTROL)]
