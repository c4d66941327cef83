"""The key persons' card of the workbench: the people followed in my areas whose check of
today is missing or whose test is past its day, and the flagged ones. One query."""

from django.db.models import Count, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.cards import Card, Figure, Severity
from wangge.core.nav import NavGroup, NavItem
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.keypersons.choices import KeyPersonStatus
from wangge.keypersons.models import KeyPerson
from wangge.keypersons.selectors import check_missing, tests_overdue


def key_person_cards(request: HttpRequest) -> list[Card]:
    user = request.user
    if not isinstance(user, User):
        return []
    paths = user.scope_paths(Perm.FOLLOW_UP)
    if paths == []:
        return []
    today = timezone.localdate()
    people = KeyPerson.objects.filter(status=KeyPersonStatus.UNDER_MEASURE)
    if paths is not None:
        people = people.filter(subtree_q(paths, "area__path"))
    counts = people.aggregate(
        followed=Count("pk"),
        tests=Count("pk", filter=Q(tests_overdue(today))),
        checks=Count("pk", filter=check_missing(today)),
        flagged=Count("pk", filter=Q(flagged_at__isnull=False)),
    )
    if not counts["followed"]:
        return []
    alarm = counts["tests"] or counts["flagged"]
    waiting = alarm or counts["checks"]
    return [
        Card(
            key="keypersons.due",
            title=_("Key persons to follow"),
            url=reverse("keypersons:list") + ("?overdue=1" if waiting else ""),
            figures=(
                Figure(counts["checks"], _("no health check today")),
                Figure(counts["tests"], _("tests overdue")),
                Figure(counts["flagged"], _("flagged")),
                Figure(counts["followed"], _("under a measure")),
            ),
            severity=Severity.ALARM if alarm else (Severity.WAITING if waiting else Severity.INFO),
            order=20,
            note=_("Check temperatures every day; test on the days the measure prescribes."),
        )
    ]


def key_person_links(request: HttpRequest) -> list[NavItem]:
    user = request.user
    if not isinstance(user, User) or not user.has_any_area_permission(Perm.VIEW_CONTROL):
        return []
    return [NavItem(reverse("keypersons:list"), _("Key persons"), group=NavGroup.CONTROL)]
