"""The workbench card of lists to trace: per list, my areas' people waiting for feedback
and how many are past their deadline. One grouped query whatever the number of lists."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.cards import Card, Figure, Severity
from wangge.core.nav import NavItem
from wangge.tracing.selectors import CARD_LISTS, pending_by_list


def tracing_cards(request: HttpRequest) -> list[Card]:
    user = request.user
    if not isinstance(user, User):
        return []
    counts = pending_by_list(user, timezone.now())
    if not counts:
        return []
    pending = sum(item.pending for item in counts)
    overdue = sum(item.overdue for item in counts)
    links = tuple(
        NavItem(
            reverse("tracing:detail", args=[item.list_id]),
            (
                gettext("%(title)s · %(pending)s waiting, %(overdue)s overdue")
                if item.overdue
                else gettext("%(title)s · %(pending)s waiting")
            )
            % {"title": item.title, "pending": item.pending, "overdue": item.overdue},
        )
        for item in counts[:CARD_LISTS]
    )
    return [
        Card(
            key="tracing.pending",
            title=_("People to trace"),
            url=reverse("tracing:mine"),
            figures=(
                Figure(pending, _("waiting for feedback")),
                Figure(overdue, _("past the deadline")),
                Figure(len(counts), _("lists")),
            ),
            severity=Severity.ALARM if overdue else Severity.WAITING,
            order=20,
            note=_("Find each person, place them under a measure or say why not."),
            links=links,
        )
    ]
