"""Incidents the system raises itself, from the events of testing and from a periodic check.

Each goes through `actions.raise_incident` with a source key, so one event (or one grid of
one round) raises one incident however often it is delivered or checked:

- a positive pooled tube (`testing.pool_positive`): one incident per grid of its members,
  who must be found and retested alone (high);
- a positive individual result (`testing.case_positive`): one per case (critical);
- a recall left open too long (`testing.recall_overdue`): one per recall (medium);
- a grid whose coverage stalls late in a round (`stalled_coverage`, below): one per round
  and grid (medium).

**Stalled coverage**: a grid of an open round stalls when the round is past
WANGGE_INCIDENT_STALL_AFTER_PERCENT of its window (default 75 %), the grid expects people,
its coverage is below WANGGE_INCIDENT_STALL_BELOW_PERCENT (default 90 %) and the number of
people it has sampled has not grown since the previous check (the job runs every
WANGGE_INCIDENT_STALL_CHECK_MINUTES, default 30; `CoverageCheck` keeps the figure of the
last check). The first check of a grid only writes its figure down.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.events.models import Event
from wangge.events.subscribers import subscribe
from wangge.incidents.actions import raise_incident
from wangge.incidents.choices import IncidentKind, IncidentSeverity, IncidentSource
from wangge.incidents.models import CoverageCheck, Incident
from wangge.testing.choices import RecallStatus, RoundStatus
from wangge.testing.models import PositiveCase, Recall, Round, Tube
from wangge.testing.notify import CASE_POSITIVE, POOL_POSITIVE, RECALL_OVERDUE
from wangge.testing.selectors import grid_figures

SYSTEM = Actor(user=None, source="worker", label="worker")


POOL_TEXT = _("A pooled tube came back positive: its members here must be retested alone.")
CASE_TEXT = _("An individual retest came back positive: a case for closed-loop control.")
RECALL_TEXT = _("A person recalled for an individual retest has not been retested in time.")
STALL_TEXT = _(
    "Late in the round, this grid's coverage is low and has not grown since the last check."
)


def _in_site_language(text: Promise) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


def pool_positive(event: Event, now: dt.datetime) -> None:
    tube = Tube.objects.select_related("round").filter(pk=event.payload["tube"]).first()
    if tube is None:
        return
    grids = Area.objects.filter(
        pk__in=Recall.objects.filter(source_tube=tube).values("area_id")
    ).order_by("path")
    for grid in grids:
        raise_incident(
            IncidentKind.POSITIVE,
            IncidentSeverity.HIGH,
            grid,
            place=f"{tube.round.name} · {tube.barcode}",
            description=_in_site_language(POOL_TEXT),
            source=IncidentSource.POOL_POSITIVE,
            source_key=f"{POOL_POSITIVE}:{tube.pk}:{grid.pk}",
            at=now,
            acting_user=SYSTEM,
        )


def case_positive(event: Event, now: dt.datetime) -> None:
    case = (
        PositiveCase.objects.select_related("round", "area", "tube")
        .filter(pk=event.payload["case"])
        .first()
    )
    if case is None:
        return
    raise_incident(
        IncidentKind.POSITIVE,
        IncidentSeverity.CRITICAL,
        case.area,
        place=f"{case.round.name} · {case.tube.barcode}",
        description=_in_site_language(CASE_TEXT),
        source=IncidentSource.CASE_POSITIVE,
        source_key=f"{CASE_POSITIVE}:{case.pk}",
        at=now,
        acting_user=SYSTEM,
    )


def recall_overdue(event: Event, now: dt.datetime) -> None:
    recall = (
        Recall.objects.select_related("round", "area", "source_tube")
        .filter(pk=event.payload["recall"], status=RecallStatus.OPEN)
        .first()
    )
    if recall is None:
        return  # retested since it was reported overdue
    raise_incident(
        IncidentKind.OTHER,
        IncidentSeverity.MEDIUM,
        recall.area,
        place=f"{recall.round.name} · {recall.source_tube.barcode}",
        description=_in_site_language(RECALL_TEXT),
        source=IncidentSource.RECALL_OVERDUE,
        source_key=f"{RECALL_OVERDUE}:{recall.pk}",
        at=now,
        acting_user=SYSTEM,
    )


def round_is_late(round_: Round, now: dt.datetime) -> bool:
    """Whether `now` is past the stall share of the round's window (and before its end)."""
    window = round_.ends_at - round_.starts_at
    share = settings.WANGGE_INCIDENT_STALL_AFTER_PERCENT / 100
    return round_.starts_at + window * share <= now < round_.ends_at


def stalled_coverage(now: dt.datetime) -> int:
    """Raise an incident for each grid of an open round whose coverage stalls (module
    docstring); how many were raised."""
    below = settings.WANGGE_INCIDENT_STALL_BELOW_PERCENT / 100
    raised = 0
    for round_ in Round.objects.filter(status=RoundStatus.OPEN).prefetch_related("scope__area"):
        if not round_is_late(round_, now):
            continue
        figures = {}
        for scope in round_.scope.all():
            figures.update(grid_figures(round_, scope.area))
        before = dict(CoverageCheck.objects.filter(round=round_).values_list("grid_id", "sampled"))
        stalled = [
            grid_id
            for grid_id, grid in figures.items()
            if grid.expected
            and grid.coverage < below
            and grid_id in before
            and grid.sampled <= before[grid_id]
        ]
        with transaction.atomic():
            CoverageCheck.objects.filter(round=round_).delete()
            CoverageCheck.objects.bulk_create(
                CoverageCheck(round=round_, grid_id=grid_id, sampled=grid.sampled, checked_at=now)
                for grid_id, grid in figures.items()
                if grid.expected
            )
            for grid in Area.objects.filter(pk__in=stalled).order_by("path"):
                percent = figures[grid.pk].coverage_percent
                key = f"{IncidentSource.COVERAGE_STALL}:{round_.pk}:{grid.pk}"
                if Incident.objects.filter(source_key=key).exists():
                    continue
                raise_incident(
                    IncidentKind.OTHER,
                    IncidentSeverity.MEDIUM,
                    grid,
                    place=f"{round_.name} · {percent}%",
                    description=_in_site_language(STALL_TEXT),
                    source=IncidentSource.COVERAGE_STALL,
                    source_key=key,
                    at=now,
                    acting_user=SYSTEM,
                )
                raised += 1
    return raised


def register() -> None:
    subscribe(POOL_POSITIVE, "incidents.pool_positive", pool_positive)
    subscribe(CASE_POSITIVE, "incidents.case_positive", case_positive)
    subscribe(RECALL_OVERDUE, "incidents.recall_overdue", recall_overdue)
