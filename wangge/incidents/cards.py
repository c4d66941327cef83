"""The incidents card of the workbench: the incidents assigned to me (an alarm when a
limit ran out or is about to) and the open incidents in my areas. One query for both."""

import datetime as dt

from django.conf import settings
from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.cards import Card, Figure, Severity
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.incidents.choices import ACTIVE_STATUSES
from wangge.incidents.models import Incident


def incident_cards(request: HttpRequest) -> list[Card]:
    user = request.user
    if not isinstance(user, User):
        return []
    now = timezone.now()
    soon = now + dt.timedelta(minutes=settings.WANGGE_INCIDENT_WARN_MINUTES)
    mine = Q(assignee__user_id=user.pk)
    paths = user.scope_paths(Perm.VIEW_INCIDENTS)
    running = Incident.objects.filter(status__in=ACTIVE_STATUSES)
    if paths is None:
        open_count = Count("pk")
    else:
        in_areas = subtree_q(paths, "area__path")
        running = running.filter(mine | in_areas)
        open_count = Count("pk", filter=in_areas)
    counts = running.aggregate(
        mine=Count("pk", filter=mine),
        overdue=Count("pk", filter=mine & Q(due_at__lte=now)),
        soon=Count("pk", filter=mine & Q(due_at__gt=now, due_at__lte=soon)),
        open=open_count,
    )
    cards = []
    if counts["mine"]:
        alarm = counts["overdue"] or counts["soon"]
        cards.append(
            Card(
                key="incidents.mine",
                title=_("Incidents assigned to me"),
                url=reverse("incidents:mine"),
                figures=(
                    Figure(counts["mine"], _("to handle")),
                    Figure(counts["overdue"], _("limit run out")),
                    Figure(counts["soon"], _("limit about to run out")),
                ),
                severity=Severity.ALARM if alarm else Severity.WAITING,
                order=10,
                note=_("Acknowledge, arrive on site, report up: each has its limit."),
            )
        )
    if paths != [] and counts["open"]:
        cards.append(
            Card(
                key="incidents.open",
                title=_("Open incidents in my areas"),
                url=reverse("incidents:list"),
                figures=(Figure(counts["open"], _("open incidents")),),
                severity=Severity.INFO,
                order=50,
            )
        )
    return cards
