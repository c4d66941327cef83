"""Reads of the door-to-door service: which households may ask, who sees and acts on a
request, the lists, the figures of the cards and the supplies' totals."""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import RoleAssignment, User
from wangge.areas.models import Area
from wangge.core.permissions import Perm, Role
from wangge.core.scoping import ancestor_paths, in_scope, subtree_q
from wangge.keypersons.choices import KeyPersonStatus, Measure
from wangge.keypersons.models import KeyPerson
from wangge.residents.models import Household
from wangge.risk.choices import RiskLevel
from wangge.risk.selectors import effective_level
from wangge.services.choices import OPEN_STATUSES, SupplyItem
from wangge.services.models import ServiceRequest, SupplyHandout, UrgencyPolicy
from wangge.workforce.models import TeamMembership

# The measures served at home: a household with someone under one cannot go shopping.
HOME_MEASURES = frozenset({Measure.HOME_QUARANTINE, Measure.HOME_MONITORING})
# The levels whose households stay in (封控区 and 管控区).
CLOSED_LEVELS = frozenset({RiskLevel.LOCKDOWN, RiskLevel.CONTROL})


@dataclass(frozen=True)
class Eligibility:
    """Whether a household may ask for door-to-door service, and why (or why not)."""

    eligible: bool
    reason: "str | Promise"
    level: str
    key_persons: list[KeyPerson] = field(default_factory=list)


def eligibility(household: Household) -> Eligibility:
    """A household may ask when its grid is (or lies in) a lockdown or control area, or
    when someone of it is under a home measure (居家隔离, 居家健康监测). Two queries."""
    level = effective_level(household.grid)
    people = list(
        KeyPerson.objects.filter(
            household=household,
            status=KeyPersonStatus.UNDER_MEASURE,
            measure__in=sorted(HOME_MEASURES),
        ).order_by("started_on", "pk")
    )
    if level.level in CLOSED_LEVELS:
        return Eligibility(True, RiskLevel(level.level).label, level.level, people)
    if people:
        return Eligibility(True, Measure(people[0].measure).label, level.level, people)
    return Eligibility(
        False,
        _(
            "This household is in no lockdown or control area and nobody in it is under a "
            "home measure."
        ),
        level.level,
        people,
    )


def time_limits() -> dict[str, int]:
    """Minutes each urgency may take (the policies), by urgency."""
    return dict(UrgencyPolicy.objects.values_list("urgency", "minutes"))


def leads_grid(user: User, area: Area) -> bool:
    """Whether the user is a grid leader of `area` (the role held on it or above it)."""
    return RoleAssignment.objects.filter(
        user=user, role=Role.GRID_LEADER, area__path__in=ancestor_paths(area.path)
    ).exists()


def assignee_q(user: User, prefix: str = "") -> Q:
    """The requests assigned to `user`: to their worker, or to a team they lead or are a
    member of."""
    member_of = TeamMembership.objects.filter(
        team=OuterRef(f"{prefix}assigned_team"), worker__user=user, worker__active=True
    )
    return (
        Q(**{f"{prefix}assigned_worker__user": user, f"{prefix}assigned_worker__active": True})
        | Q(**{f"{prefix}assigned_team__leader__user": user})
        | Q(Exists(member_of))
    )


def visibility_q(user: User) -> Q:
    """Who sees a request: VIEW_CONTROL on its grid, or its assignee."""
    paths = user.scope_paths(Perm.VIEW_CONTROL)
    # Everywhere: a condition that holds (an empty Q() would vanish in the OR).
    seen = Q(pk__isnull=False) if paths is None else subtree_q(paths, "area__path")
    return seen | assignee_q(user)


def visible_requests(user: User) -> "QuerySet[ServiceRequest]":
    if not user.is_active:
        return ServiceRequest.objects.none()
    return ServiceRequest.objects.filter(visibility_q(user))


def is_assignee(user: User, request: ServiceRequest) -> bool:
    """Whether the request is assigned to the user (their worker, or their team)."""
    if not user.is_active:
        return False
    return ServiceRequest.objects.filter(assignee_q(user), pk=request.pk).exists()


def may_assign(user: User, request: ServiceRequest) -> bool:
    """MANAGE_CONTROL on the request's grid, or the grid's leader."""
    if in_scope(user.scope_paths(Perm.MANAGE_CONTROL), request.area.path):
        return True
    return user.is_active and leads_grid(user, request.area)


def my_requests(user: User) -> "QuerySet[ServiceRequest]":
    """The open requests assigned to the user, the first limit first."""
    return (
        ServiceRequest.objects.filter(assignee_q(user), status__in=sorted(OPEN_STATUSES))
        .select_related("household", "area", "assigned_worker", "assigned_team")
        .order_by("due_at")
    )


@dataclass(frozen=True)
class OpenFigures:
    open: int
    late: int
    unassigned: int


def open_figures(requests: "QuerySet[ServiceRequest]", now: dt.datetime) -> OpenFigures:
    """Open, late and unassigned requests among these: one query."""
    figures = requests.filter(status__in=sorted(OPEN_STATUSES)).aggregate(
        open=Count("pk"),
        late=Count("pk", filter=Q(due_at__lt=now)),
        unassigned=Count("pk", filter=Q(assigned_worker__isnull=True, assigned_team__isnull=True)),
    )
    return OpenFigures(figures["open"], figures["late"], figures["unassigned"])


@dataclass(frozen=True)
class SupplyTotal:
    """What a grid received on a day: quantity per item and unit, households served."""

    area_id: int
    area_name: str
    day: dt.date
    item: str
    unit: str
    quantity: Decimal
    households: int

    @property
    def item_label(self) -> str:
        return str(SupplyItem(self.item).label)


def supply_totals(handouts: "QuerySet[SupplyHandout]") -> list[SupplyTotal]:
    """Totals of the handouts per grid, day, item and unit (one grouped query), newest day
    first, grids in tree order."""
    rows = (
        handouts.annotate(day=TruncDate("handed_at"))
        .values("area_id", "area__name", "area__path", "day", "item", "unit")
        .annotate(quantity=Sum("quantity"), households=Count("household", distinct=True))
        .order_by("-day", "area__path", "item", "unit")
    )
    return [
        SupplyTotal(
            row["area_id"],
            row["area__name"],
            row["day"],
            row["item"],
            row["unit"],
            row["quantity"],
            row["households"],
        )
        for row in rows
    ]


# --- for the daily analysis (wangge.snapshots) -------------------------------------------------


def _open_at(as_of: dt.datetime) -> Q:
    """Asked before `as_of` and neither delivered nor closed (cancelled) by then."""
    return Q(requested_at__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))


def day_figures_by_area(
    area: Area, start: dt.datetime, end: dt.datetime, as_of: dt.datetime
) -> dict[str, dict[str, int]]:
    """Per area path under `area`: requests received and delivered between `start` and
    `end`, and those open and late (open past their limit) at `as_of`. One grouped query."""
    received = Q(requested_at__gte=start, requested_at__lt=end)
    delivered = Q(delivered_at__gte=start, delivered_at__lt=end)
    still_open = _open_at(as_of)
    rows = (
        ServiceRequest.objects.filter(area__path__startswith=area.path)
        .filter(received | delivered | still_open)
        .order_by()
        .values_list("area__path")
        .annotate(
            opened=Count("pk", filter=received),
            done=Count("pk", filter=delivered),
            open=Count("pk", filter=still_open),
            late=Count("pk", filter=still_open & Q(due_at__lt=as_of)),
        )
        .values_list("area__path", "opened", "done", "open", "late")
    )
    return {
        path: {"opened": opened, "done": done, "open": open_, "late": late}
        for path, opened, done, open_, late in rows
    }


def late_at(area: Area, as_of: dt.datetime, limit: int) -> "QuerySet[ServiceRequest]":
    """The requests under `area` open past their limit at `as_of`, longest late first (at
    most `limit`)."""
    return (
        ServiceRequest.objects.filter(area__path__startswith=area.path)
        .filter(_open_at(as_of), due_at__lt=as_of)
        .select_related("area")
        .only("pk", "kind", "detail", "due_at", "area__id", "area__path", "area__name")
        .order_by("due_at", "pk")[:limit]
    )
