"""The checkpoints card of the workbench: today's vehicles, people and alerts at the
checkpoints I register at or look after. One query (an aggregate over the entries of the
day, by the (checkpoint, at) index)."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.checkpoints import selectors
from wangge.core.cards import Card, Figure, Severity


def checkpoint_cards(request: HttpRequest) -> list[Card]:
    user = request.user
    if not isinstance(user, User) or not selectors.can_read(user):
        return []
    figures = selectors.today_figures(selectors.visible_checkpoints(user).filter(active=True))
    if not figures["vehicles"]:
        return []
    return [
        Card(
            key="checkpoints.today",
            title=_("Checkpoints today"),
            url=reverse("checkpoints:list"),
            figures=(
                Figure(figures["vehicles"], _("vehicles")),
                Figure(figures["people"], _("people")),
                Figure(figures["alerts"], _("alerts")),
            ),
            severity=Severity.INFO,
            order=60,
            note=_("A fever or a red or yellow code makes a key person and an incident."),
        )
    ]
