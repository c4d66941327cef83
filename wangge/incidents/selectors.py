"""Reads of incidents: who may see which, the lists, and the figures at any level."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, F, OuterRef, Q, Sum
from django.db.models.functions import Substr
from django.http import Http404

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.incidents.choices import ACTIVE_STATUSES, Step
from wangge.incidents.models import Incident, IncidentQuerySet, IncidentStep
from wangge.workforce.models import Worker


def visibility_q(user: User) -> Q:
    """The incidents `user` may see: VIEW_INCIDENTS on their area, or assigned to them
    (through their worker record), or reported by them."""
    own = Q(assignee__user_id=user.pk) | Q(reporter_id=user.pk)
    paths = user.scope_paths(Perm.VIEW_INCIDENTS)
    if paths is None:
        return Q()
    return subtree_q(paths, "area__path") | own


def visible_incidents(user: User) -> IncidentQuerySet:
    if not user.is_authenticated:
        return Incident.objects.none()
    found: IncidentQuerySet = Incident.objects.filter(visibility_q(user))
    return found


def get_incident_or_404(user: User, pk: object) -> Incident:
    """An incident the user may see; 404 whether missing or not theirs."""
    try:
        incident: Incident = (
            visible_incidents(user).select_related("area", "assignee", "reporter").get(pk=pk)
        )
    except (Incident.DoesNotExist, ValueError) as exc:
        raise Http404 from exc
    return incident


def timeline(incident: Incident) -> list[IncidentStep]:
    return list(incident.steps.select_related("user", "worker").order_by("at", "pk"))


def assigned_to(user: User) -> IncidentQuerySet:
    """The running incidents assigned to the user, the first limit to run out first."""
    mine: IncidentQuerySet = (
        Incident.objects.filter(assignee__user_id=user.pk, status__in=ACTIVE_STATUSES)
        .select_related("area", "assignee")
        .order_by("due_at", "-reported_at")
    )
    return mine


@dataclass
class FigureRow:
    """Incident figures of an area or a worker."""

    label: str
    area: Area | None = None
    total: int = 0
    open: int = 0
    missed: int = 0
    acknowledge_seconds: float | None = None
    arrive_seconds: float | None = None

    @property
    def acknowledge_minutes(self) -> float | None:
        return None if self.acknowledge_seconds is None else round(self.acknowledge_seconds / 60, 1)

    @property
    def arrive_minutes(self) -> float | None:
        return None if self.arrive_seconds is None else round(self.arrive_seconds / 60, 1)


@dataclass
class Figures:
    area: Area
    total: FigureRow
    children: list[FigureRow]
    cadres: list[FigureRow] = field(default_factory=list)


def _aggregates() -> dict[str, object]:
    return {
        "n": Count("pk"),
        "open_n": Count("pk", filter=Q(status__in=ACTIVE_STATUSES)),
        "missed_n": Sum("missed"),
        "ack": Avg("acknowledge_seconds"),
        "arr": Avg("arrive_seconds"),
    }


def _fill(row: FigureRow, values: dict[str, object]) -> FigureRow:
    row.total = int(values["n"] or 0)  # type: ignore[call-overload]
    row.open = int(values["open_n"] or 0)  # type: ignore[call-overload]
    row.missed = int(values["missed_n"] or 0)  # type: ignore[call-overload]
    row.acknowledge_seconds = values["ack"]  # type: ignore[assignment]
    row.arrive_seconds = values["arr"]  # type: ignore[assignment]
    return row


def figures(area: Area, since: dt.datetime) -> Figures:
    """Incidents reported since `since` in `area`: the total, each area directly below it
    (a district's streets, a community's grids) and each cadre who acknowledged or arrived:
    time to acknowledge and to arrive (mean), limits missed, incidents still open.
    Five grouped queries, whatever the number of incidents."""
    base = Incident.objects.filter(area__path__startswith=area.path, reported_at__gte=since)
    total = _fill(FigureRow(area.name, area), base.aggregate(**_aggregates()))  # type: ignore[arg-type]
    children = list(Area.objects.get_children(area).order_by("name")) if not area.is_grid else []
    rows = {child.path: FigureRow(child.name, child) for child in children}
    if children:
        length = len(children[0].path)
        for values in (
            base.order_by()
            .annotate(branch=Substr("area__path", 1, length))
            .values("branch")
            .annotate(**_aggregates())  # type: ignore[arg-type]
        ):
            row = rows.get(values["branch"])
            if row is not None:
                _fill(row, values)
    cadres: dict[object, FigureRow] = {}
    names = {}
    for field_name, target in (("acknowledged_by", "ack"), ("arrived_by", "arr")):
        seconds = "acknowledge_seconds" if target == "ack" else "arrive_seconds"
        for worker_id, name, mean, count in (
            base.filter(**{f"{field_name}__isnull": False})
            .order_by()
            .values(field_name, f"{field_name}__name")
            .annotate(mean=Avg(seconds), n=Count("pk"))
            .values_list(field_name, f"{field_name}__name", "mean", "n")
        ):
            names[worker_id] = name
            row = cadres.setdefault(worker_id, FigureRow(name))
            row.total = max(row.total, count)
            setattr(row, "acknowledge_seconds" if target == "ack" else "arrive_seconds", mean)
    for worker_id, name, count in (
        IncidentStep.objects.filter(
            step=Step.MISSED,
            incident__area__path__startswith=area.path,
            incident__reported_at__gte=since,
            worker__isnull=False,
        )
        .order_by()
        .values("worker_id", "worker__name")
        .annotate(n=Count("pk"))
        .values_list("worker_id", "worker__name", "n")
    ):
        cadres.setdefault(worker_id, FigureRow(name)).missed = count
    return Figures(
        area=area,
        total=total,
        children=list(rows.values()),
        cadres=sorted(cadres.values(), key=lambda row: (-row.missed, row.label)),
    )


def reassign_choices(incident: Incident, user: User) -> list[Worker]:
    """Whom a handler may hand the incident to: active workers with a login based in the
    incident's area or above it, within the handler's scope (a few dozen at most)."""
    ancestors = [a.pk for a in incident.area.ancestors_and_self()]
    below = subtree_q([incident.area.path], "area__path")
    return list(
        Worker.objects.visible_to(user, Perm.VIEW_WORKFORCE)
        .filter(Q(area_id__in=ancestors) | below, active=True, user__isnull=False)
        .select_related("area")
        .order_by("-area__depth", "name")[:100]
    )


# --- for the daily analysis (wangge.snapshots) -------------------------------------------------


def _open_at(as_of: dt.datetime) -> Q:
    return Q(reported_at__lt=as_of) & (Q(closed_at__isnull=True) | Q(closed_at__gte=as_of))


def _missed_by(as_of: dt.datetime) -> Exists:
    return Exists(
        IncidentStep.objects.filter(incident=OuterRef("pk"), step=Step.MISSED, at__lt=as_of)
    )


def day_figures_by_area(
    area: Area, start: dt.datetime, end: dt.datetime, as_of: dt.datetime
) -> dict[str, dict[str, int]]:
    """Per area path under `area`: incidents reported between `start` and `end`, those
    reached on site then (and the seconds it took, in all), and at `as_of` those open and
    those open that had missed a time limit by then. One grouped query."""
    raised = Q(reported_at__gte=start, reported_at__lt=end)
    arrived = Q(arrived_at__gte=start, arrived_at__lt=end)
    still_open = _open_at(as_of)
    rows = (
        Incident.objects.filter(area__path__startswith=area.path)
        .filter(raised | arrived | still_open)
        .annotate(late=_missed_by(as_of))
        .order_by()
        .values_list("area__path")
        .annotate(
            raised=Count("pk", filter=raised),
            open=Count("pk", filter=still_open),
            missed=Count("pk", filter=still_open & Q(late=True)),
            arrived=Count("pk", filter=arrived),
            seconds=Sum("arrive_seconds", filter=arrived),
        )
        .values_list("area__path", "raised", "open", "missed", "arrived", "seconds")
    )
    return {
        path: {
            "raised": raised_n,
            "open": open_n,
            "missed": missed_n,
            "arrived": arrived_n,
            "seconds": seconds or 0,
        }
        for path, raised_n, open_n, missed_n, arrived_n, seconds in rows
    }


def missed_at(area: Area, as_of: dt.datetime, limit: int) -> "IncidentQuerySet":
    """The incidents under `area` open at `as_of` that had missed a time limit by then,
    the longest overdue first (at most `limit`)."""
    found: IncidentQuerySet = (
        Incident.objects.filter(area__path__startswith=area.path)
        .filter(_open_at(as_of), _missed_by(as_of))
        .select_related("area")
        .only(
            "pk", "kind", "place", "due_at", "reported_at", "area__id", "area__path", "area__name"
        )
        .order_by(F("due_at").asc(nulls_last=True), "reported_at", "pk")[:limit]
    )
    return found
