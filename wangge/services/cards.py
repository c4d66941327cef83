"""The door-to-door service's cards on the workbench: the requests assigned to me, and the
open requests of my areas (late ones first). One query for both, whatever the number of
requests."""

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.accounts.models import User
from wangge.core.cards import Card, Figure, Severity
from wangge.core.nav import NavItem
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.services.choices import OPEN_STATUSES
from wangge.services.models import ServiceRequest
from wangge.services.selectors import assignee_q


def service_cards(request: HttpRequest) -> list[Card]:
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return []
    delivers = user.has_any_area_permission(Perm.DELIVER_SERVICES)
    paths = user.scope_paths(Perm.VIEW_CONTROL)
    sees = paths is None or bool(paths)
    if not delivers and not sees:
        return []
    now = timezone.now()
    mine = assignee_q(user) if delivers else Q(pk__in=[])
    area = (
        (Q(pk__isnull=False) if paths is None else subtree_q(paths, "area__path"))
        if sees
        else Q(pk__in=[])
    )
    late = Q(due_at__lt=now)
    unassigned = Q(assigned_worker__isnull=True, assigned_team__isnull=True)
    figures = (
        ServiceRequest.objects.filter(status__in=sorted(OPEN_STATUSES))
        .filter(mine | area)
        .aggregate(
            mine=Count("pk", filter=mine),
            mine_late=Count("pk", filter=mine & late),
            open=Count("pk", filter=area),
            late=Count("pk", filter=area & late),
            unassigned=Count("pk", filter=area & unassigned),
        )
    )
    cards = []
    if figures["mine"]:
        cards.append(
            Card(
                key="services.mine",
                title=_("My service requests"),
                url=reverse("services:mine"),
                figures=(
                    Figure(figures["mine"], _("to deliver")),
                    Figure(figures["mine_late"], pgettext_lazy("service request", "late")),
                ),
                severity=Severity.ALARM if figures["mine_late"] else Severity.WAITING,
                order=40,
            )
        )
    if figures["open"]:
        list_url = reverse("services:list")
        cards.append(
            Card(
                key="services.open",
                title=_("Door-to-door service"),
                url=list_url,
                figures=(
                    Figure(figures["open"], _("open requests")),
                    Figure(figures["late"], pgettext_lazy("service request", "late")),
                    Figure(figures["unassigned"], _("not assigned")),
                ),
                severity=(
                    Severity.ALARM
                    if figures["late"]
                    else Severity.WAITING
                    if figures["unassigned"]
                    else Severity.INFO
                ),
                order=45,
                links=(
                    (NavItem(f"{list_url}?late=1", _("Late requests")),) if figures["late"] else ()
                ),
            )
        )
    return cards
