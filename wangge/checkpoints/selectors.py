"""Reads of checkpoints: who sees which, the day's entries, volumes per hour and per day.

Checkpoints are seen by those who follow closed-loop control (VIEW_CONTROL) and by those
who register at them (REGISTER_CHECKPOINT, the officer). Volumes read the entries table
alone (people and alerts are kept on each entry), grouped in SQL over the (checkpoint, at)
index: a fixed number of queries whatever the number of checkpoints or vehicles.
"""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.db.models.functions import ExtractHour, TruncDate
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.checkpoints.choices import HealthCode
from wangge.checkpoints.models import Checkpoint, CheckpointEntry, CheckpointPassenger
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q

READ_PERMISSIONS = (Perm.VIEW_CONTROL, Perm.REGISTER_CHECKPOINT)
DAYS = 14


def visible_checkpoints(user: User) -> "QuerySet[Checkpoint]":
    """The checkpoints `user` may look at: under an area where they hold either reading
    permission."""
    scopes = [user.scope_paths(permission) for permission in READ_PERMISSIONS]
    if any(paths is None for paths in scopes):
        return Checkpoint.objects.all()
    paths = sorted({path for each in scopes for path in each or []})
    if not paths:
        return Checkpoint.objects.none()
    return Checkpoint.objects.filter(subtree_q(paths, "area__path"))


def can_read(user: User) -> bool:
    return any(user.has_any_area_permission(permission) for permission in READ_PERMISSIONS)


def day_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """A local day as an aware [start, end) range."""
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(day, dt.time(), tzinfo=zone)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=zone)
    return start, end


@dataclass
class Volume:
    vehicles: int = 0
    people: int = 0
    alerts: int = 0

    def add(self, other: "Volume") -> None:
        self.vehicles += other.vehicles
        self.people += other.people
        self.alerts += other.alerts


@dataclass
class VolumeRow:
    """One checkpoint's volumes: per slot (hour or day) and in all."""

    checkpoint: Checkpoint | None
    slots: list[Volume]
    total: Volume = field(default_factory=Volume)


def _rows(
    checkpoints: Sequence[Checkpoint], found: dict[tuple[int, int], Volume], width: int
) -> list[VolumeRow]:
    rows = []
    totals = VolumeRow(None, [Volume() for _ in range(width)])
    for checkpoint in checkpoints:
        slots = [found.get((checkpoint.pk, slot), Volume()) for slot in range(width)]
        row = VolumeRow(checkpoint, slots)
        for index, volume in enumerate(slots):
            row.total.add(volume)
            totals.slots[index].add(volume)
        totals.total.add(row.total)
        rows.append(row)
    if len(rows) > 1:
        rows.append(totals)
    return rows


def _grouped(queryset: "QuerySet[CheckpointEntry]", slot: Any) -> list[dict[str, Any]]:
    return list(
        queryset.annotate(slot=slot)  # type: ignore[arg-type]
        .values("checkpoint_id", "slot")
        .annotate(vehicles=Count("pk"), people=Sum("people"), alerts=Sum("alerts"))
        .order_by()
    )


def hourly_volumes(checkpoints: Sequence[Checkpoint], day: dt.date) -> list[VolumeRow]:
    """Vehicles, people and alerts of each checkpoint in each hour of a local day (one
    grouped query), with a row of totals when there are several checkpoints."""
    start, end = day_bounds(day)
    found: dict[tuple[int, int], Volume] = {}
    if checkpoints:
        for row in _grouped(
            CheckpointEntry.objects.filter(
                checkpoint__in=[c.pk for c in checkpoints], at__gte=start, at__lt=end
            ),
            ExtractHour("at", tzinfo=timezone.get_current_timezone()),
        ):
            found[(row["checkpoint_id"], row["slot"])] = Volume(
                row["vehicles"], row["people"] or 0, row["alerts"] or 0
            )
    return _rows(checkpoints, found, 24)


def daily_volumes(
    checkpoints: Sequence[Checkpoint], last_day: dt.date, days: int = DAYS
) -> tuple[list[dt.date], list[VolumeRow]]:
    """The same per local day, the `days` days up to `last_day` (one grouped query)."""
    first = last_day - dt.timedelta(days=days - 1)
    start, _ = day_bounds(first)
    _, end = day_bounds(last_day)
    dates = [first + dt.timedelta(days=n) for n in range(days)]
    position = {date: n for n, date in enumerate(dates)}
    found: dict[tuple[int, int], Volume] = {}
    if checkpoints:
        for row in _grouped(
            CheckpointEntry.objects.filter(
                checkpoint__in=[c.pk for c in checkpoints], at__gte=start, at__lt=end
            ),
            TruncDate("at", tzinfo=timezone.get_current_timezone()),
        ):
            slot = position.get(row["slot"])
            if slot is not None:
                found[(row["checkpoint_id"], slot)] = Volume(
                    row["vehicles"], row["people"] or 0, row["alerts"] or 0
                )
    return dates, _rows(checkpoints, found, days)


def today_figures(checkpoints: "QuerySet[Checkpoint]") -> dict[str, int]:
    """Vehicles, people and alerts today at these checkpoints: one query."""
    start, end = day_bounds(timezone.localdate())
    figures = CheckpointEntry.objects.filter(
        checkpoint__in=checkpoints, at__gte=start, at__lt=end
    ).aggregate(vehicles=Count("pk"), people=Sum("people"), alerts=Sum("alerts"))
    return {key: value or 0 for key, value in figures.items()}


def day_entries(checkpoint: Checkpoint, day: dt.date) -> "QuerySet[CheckpointEntry]":
    """A checkpoint's entries of a local day, latest first, with their people (masked
    forms only: the registry's for a resident, the sealed row's own otherwise)."""
    start, end = day_bounds(day)
    people = CheckpointPassenger.objects.select_related("resident").only(
        "entry_id",
        "order",
        "name",
        "id_type",
        "id_number_masked",
        "phone_masked",
        "temperature",
        "health_code",
        "travel_history",
        "action",
        "alert",
        "key_person_id",
        "incident_id",
        "resident__code",
        "resident__id_number_masked",
    )
    return (
        CheckpointEntry.objects.filter(checkpoint=checkpoint, at__gte=start, at__lt=end)
        .order_by("-at", "-pk")
        .prefetch_related(Prefetch("passengers", people.order_by("order")))
    )


def alerts_of_day(checkpoint: Checkpoint, day: dt.date) -> "QuerySet[CheckpointPassenger]":
    start, end = day_bounds(day)
    return CheckpointPassenger.objects.filter(
        Q(entry__checkpoint=checkpoint, entry__at__gte=start, entry__at__lt=end), alert=True
    )


# --- for the daily analysis (wangge.snapshots) -------------------------------------------------


def day_figures_by_area(area: Area, day: dt.date) -> dict[str, dict[str, int]]:
    """Per area path of the checkpoints under `area`, on a local day: vehicles and people
    checked, people with a fever (at or above the threshold) and people with a red or
    yellow code. Two grouped queries."""
    start, end = day_bounds(day)
    found: dict[str, dict[str, int]] = {}
    for path, vehicles, people in (
        CheckpointEntry.objects.filter(
            checkpoint__area__path__startswith=area.path, at__gte=start, at__lt=end
        )
        .order_by()
        .values_list("checkpoint__area__path")
        .annotate(vehicles=Count("pk"), people=Sum("people"))
        .values_list("checkpoint__area__path", "vehicles", "people")
    ):
        found.setdefault(path, {})
        found[path]["vehicles"], found[path]["people"] = vehicles, people or 0
    for path, fevers, codes in (
        CheckpointPassenger.objects.filter(
            entry__checkpoint__area__path__startswith=area.path,
            entry__at__gte=start,
            entry__at__lt=end,
        )
        .order_by()
        .values_list("entry__checkpoint__area__path")
        .annotate(
            fevers=Count("pk", filter=Q(temperature__gte=settings.WANGGE_FEVER_THRESHOLD)),
            codes=Count("pk", filter=Q(health_code__in=[HealthCode.RED, HealthCode.YELLOW])),
        )
        .values_list("entry__checkpoint__area__path", "fevers", "codes")
    ):
        found.setdefault(path, {})
        found[path]["fevers"], found[path]["codes"] = fevers, codes
    return found
