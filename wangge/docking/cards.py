"""The docking's cards on the workbench: one's own unit's figures of today to confirm (work
waiting until the deadline, an alarm after it), and the units below that have not answered
(an alarm after the deadline). One query each, whatever the number of units."""

from django.db.models import Count, Exists, OuterRef, Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.accounts.models import User
from wangge.core.cards import Card, Figure, Severity
from wangge.core.nav import NavItem
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q, topmost
from wangge.docking.deadline import deadline_of
from wangge.docking.models import UNIT_KINDS, Answer, Docking
from wangge.snapshots.models import DaySnapshot

# A person answering for several units gets a link to each, up to this many.
LINKS_SHOWN = 5


def _url(area_id: int | None, day: str) -> str:
    query: dict[str, str | int] = {"day": day}
    if area_id is not None:
        query = {"area": area_id, "day": day}
    return f"{reverse('docking:day')}?{urlencode(query)}"


def unit_card(request: HttpRequest) -> list[Card]:
    """The units the user answers for (the areas their roles are held on) whose figures of
    today are made and not answered — or answered on a version made again since."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return []
    paths = user.scope_paths(Perm.DOCK_FIGURES)
    if not paths:
        return []
    now = timezone.now()
    today = timezone.localdate(now)
    answered = Docking.objects.filter(area=OuterRef("area"), day=today, snapshot=OuterRef("pk"))
    open_units = list(
        DaySnapshot.objects.filter(
            day=today, current=True, area__path__in=paths, area__kind__in=UNIT_KINDS
        )
        .exclude(Exists(answered))
        .order_by("area__path")
        .values_list("area_id", "area__name")
    )
    if not open_units:
        return []
    deadline = deadline_of(today)
    late = now > deadline
    when = timezone.localtime(deadline).strftime("%H:%M")
    day = today.isoformat()
    return [
        Card(
            key="docking.unit",
            title=_("Today's figures to confirm"),
            url=_url(open_units[0][0], day),
            figures=(Figure(len(open_units), _("units to answer")),),
            severity=Severity.ALARM if late else Severity.WAITING,
            order=20,
            note=(
                _("The deadline, %(time)s, has passed.") % {"time": when}
                if late
                else _("Confirm or correct by %(time)s.") % {"time": when}
            ),
            links=tuple(
                NavItem(_url(area_id, day), name) for area_id, name in open_units[:LINKS_SHOWN]
            )
            if len(open_units) > 1
            else (),
        )
    ]


def units_below_card(request: HttpRequest) -> list[Card]:
    """The units below the user's areas whose figures of today are made: how many have
    answered, corrected, and not yet (an alarm once the deadline has passed)."""
    user = request.user
    if not isinstance(user, User) or not user.is_active:
        return []
    paths = user.scope_paths(Perm.VIEW_ANALYSIS)
    if paths is not None and not paths:
        return []
    now = timezone.now()
    today = timezone.localdate(now)
    made = DaySnapshot.objects.filter(day=today, current=True, area__kind__in=UNIT_KINDS)
    if paths is not None:
        tops = topmost(paths)
        made = made.filter(subtree_q(tops, "area__path")).exclude(area__path__in=tops)
    answered = Docking.objects.filter(area=OuterRef("area"), day=today)
    figures = made.aggregate(
        units=Count("pk"),
        answered=Count("pk", filter=Q(Exists(answered))),
        corrected=Count("pk", filter=Q(Exists(answered.filter(answer=Answer.CORRECTED)))),
    )
    if not figures["units"]:
        return []
    missing = figures["units"] - figures["answered"]
    deadline = deadline_of(today)
    late = now > deadline
    when = timezone.localtime(deadline).strftime("%H:%M")
    return [
        Card(
            key="docking.below",
            title=_("Units' docking today"),
            url=_url(None, today.isoformat()),
            figures=(
                Figure(figures["answered"], _("answered")),
                Figure(
                    missing,
                    pgettext_lazy("docking", "late") if late else _("not yet answered"),
                ),
                Figure(figures["corrected"], _("with corrections")),
            ),
            severity=Severity.ALARM if late and missing else Severity.INFO,
            order=25,
            note=(
                _("The deadline, %(time)s, has passed.") % {"time": when}
                if late
                else _("Units answer by %(time)s.") % {"time": when}
            ),
        )
    ]
