"""The dispatch cards on the workbench: a worker's task of the day, and for a team leader
their team's board of the day (or that it is not set yet). One query each, whatever the
number of teams and tasks."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.core.cards import Card, Figure, Severity
from wangge.core.nav import NavItem
from wangge.dispatch.selectors import my_tasks, teams_led

# Teams shown as their own card: a leader leads one team, rarely a few.
MAX_TEAMS = 3


def my_task_cards(request: HttpRequest) -> list[Card]:
    """The card "my task today": kind, place, and where to check in or out."""
    user = request.user
    if not isinstance(user, User):
        return []
    tasks = list(my_tasks(user, timezone.localdate()))
    cards = []
    for position, task in enumerate(tasks[:MAX_TEAMS]):
        cards.append(
            Card(
                key=f"dispatch.task.{task.pk}",
                title=_("My task today"),
                url=reverse("dispatch:mine"),
                figures=(
                    Figure(task.get_kind_display(), task.place.name),
                    Figure(task.get_status_display(), _("status")),
                ),
                severity=Severity.WAITING if task.is_open else Severity.INFO,
                order=150 + position,
                note=task.note,
                links=(NavItem(reverse("dispatch:mine"), _("Check in / out")),),
            )
        )
    return cards


def board_cards(request: HttpRequest) -> list[Card]:
    """For a team leader: "today's board: N of M assigned, K done", or that it is not set
    yet (work waiting, until it is)."""
    user = request.user
    if not isinstance(user, User):
        return []
    teams = list(teams_led(user, timezone.localdate())[: MAX_TEAMS + 1])
    request._dispatch_leads = bool(teams)  # type: ignore[attr-defined]
    cards = []
    for position, team in enumerate(teams[:MAX_TEAMS]):
        url = reverse("dispatch:board", args=[team.pk])
        # The figures annotated by teams_led.
        assigned, members, done = (
            int(getattr(team, name)) for name in ("assigned_count", "member_count", "done_count")
        )
        if assigned:
            cards.append(
                Card(
                    key=f"dispatch.board.{team.pk}",
                    title=_("Today's board: %(team)s") % {"team": team.name},
                    url=url,
                    figures=(
                        Figure(assigned, _("assigned")),
                        Figure(members, _("members")),
                        Figure(done, _("done")),
                    ),
                    order=160 + position,
                )
            )
        else:
            cards.append(
                Card(
                    key=f"dispatch.board.{team.pk}",
                    title=_("Today's board: %(team)s") % {"team": team.name},
                    url=url,
                    figures=(Figure(members, _("members")),),
                    severity=Severity.WAITING,
                    order=60 + position,
                    note=_("Board not set yet"),
                )
            )
    return cards
