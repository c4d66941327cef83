"""Making a day's figures (一天一分析): freeze every area of a branch for a day, in a new
version, and the areas above it so that one set of numbers holds at every level.

`make_day` is the one way figures are made — by the worker after the set time, on demand
by a leader, by the demo. Atomic and audited; it publishes `snapshots.made` in the same
transaction (the bulletins of the day are made on it).

**The areas above.** A street's figures are the sum of its communities'. Re-making one
community changes the street's, the district's and the city's sums: they get a new
version too, computed from their current version without the community's old figures and
with its new ones (a MAX figure and the lists from their children's current versions).
When an area above has no figures of that day yet, or one of its children has none, its
whole branch is made instead (`widened_to` in the audit entry).

**Versions.** Each area's snapshot gets the next version of its day and becomes the
current one; the old versions stay as they were. Makings of one tree wait for each other
(a row lock on the tree's root), so two never number the same version.
"""

import datetime as dt

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import ancestor_paths, require_in_scope, subtree_q
from wangge.events import actions as events
from wangge.snapshots.collect import collect
from wangge.snapshots.collect.base import Day, Made, Node, empty_figures, merge_items
from wangge.snapshots.collect.control import risk_levels
from wangge.snapshots.events import SNAPSHOTS_MADE
from wangge.snapshots.figures import FIGURES, LISTS, RISK_ORDER, Rollup
from wangge.snapshots.models import DaySnapshot, RunTrigger, SnapshotRun

Acting = User | Actor | None

# Snapshots written per INSERT.
BATCH = 500


class SnapshotError(ValueError):
    """A making refused for a reason the person can read (shown as a message)."""


def snapshot_time(value: str | None = None) -> dt.time:
    """WANGGE_SNAPSHOT_AT ("HH:MM", local time): when the worker makes the day."""
    text = (settings.WANGGE_SNAPSHOT_AT if value is None else value).strip()
    hours, sep, minutes = text.partition(":")
    if (
        sep != ":"
        or not (hours.isascii() and hours.isdigit() and 1 <= len(hours) <= 2)
        or not (minutes.isascii() and minutes.isdigit() and len(minutes) == 2)
        or int(hours) > 23
        or int(minutes) > 59
    ):
        raise ImproperlyConfigured(f"WANGGE_SNAPSHOT_AT must be HH:MM (24 h), not {text!r}")
    return dt.time(int(hours), int(minutes))


def _node(area: Area) -> Node:
    return Node(area.pk, area.name, area.kind, area.path, area.depth)


def _resum(
    area: Area,
    old: DaySnapshot,
    child_path: str,
    child_old: DaySnapshot,
    child_new: Made,
    kids: dict[str, DaySnapshot],
    own_level: int,
) -> Made:
    """An area's new figures when one child's changed: its current figures less the
    child's old ones plus its new ones; a MAX figure and the lists from its children's
    current versions (the changed child's new one) and its own."""
    figures = empty_figures()
    for figure in FIGURES:
        if figure.rollup == Rollup.MAX:
            values = [own_level if figure.key == "control.risk_level" else 0]
            values += [
                int(kid.figures.get(figure.key) or 0)
                for path, kid in kids.items()
                if path != child_path
            ]
            values.append(child_new.figures.get(figure.key, 0))
            figures[figure.key] = max(values)
        else:
            figures[figure.key] = (
                int(old.figures.get(figure.key) or 0)
                - int(child_old.figures.get(figure.key) or 0)
                + child_new.figures.get(figure.key, 0)
            )
    lists = {}
    for entry in LISTS:
        own = [item for item in old.lists.get(entry.key, []) if item.get("area_id") == area.pk]
        others = [kid.lists.get(entry.key, []) for path, kid in kids.items() if path != child_path]
        lists[entry.key] = merge_items([own, *others, child_new.lists.get(entry.key, [])])
    return Made(_node(area), figures, lists)


def _plan(
    root: Area, ancestors: list[Area], day: dt.date
) -> tuple[Area, list[Area], dict[str, DaySnapshot]]:
    """Which branch to make whole (root, or an area above it) and which areas above that
    to re-sum, with the current snapshots the re-summing reads."""
    if not ancestors:
        return root, [], {}
    wanted = Q(area__path__in=[area.path for area in ancestors])
    for area in ancestors:
        wanted |= Q(area__path__startswith=area.path, area__depth=area.depth + 1)
    current = {
        snapshot.area.path: snapshot
        for snapshot in DaySnapshot.objects.filter(wanted, day=day, current=True)
        .select_related("area")
        .only("pk", "figures", "lists", "area__path", "area__depth", "area__numchild")
    }
    top, resum = root, []
    child = root
    for area in reversed(ancestors):  # the parent first
        kids = [
            path
            for path in current
            if path.startswith(area.path) and len(path) == len(area.path) + Area.steplen
        ]
        if area.path in current and child.path in kids and len(kids) >= area.numchild:
            resum.append(area)
        else:
            top, resum = area, []
        child = area
    return top, resum, current


def _next_versions(areas: Q, day: dt.date) -> dict[int, int]:
    return {
        area_id: version + 1
        for area_id, version in DaySnapshot.objects.filter(areas, day=day)
        .order_by()
        .values_list("area_id")
        .annotate(last=Max("version"))
        .values_list("area_id", "last")
    }


@transaction.atomic
def make_day(
    root: Area,
    day: dt.date,
    *,
    trigger: str,
    acting_user: Acting,
    now: dt.datetime | None = None,
) -> SnapshotRun:
    """Freeze the figures of `root` and every area below it for `day`, and re-make the
    areas above it (module docstring). Needs MAKE_SNAPSHOTS on `root` (the worker and the
    demo act as the system). A day that has not come yet is refused."""
    require_in_scope(log.scope_holder(acting_user), Perm.MAKE_SNAPSHOTS, [root])
    if trigger not in RunTrigger.values:
        raise SnapshotError(_("Say how the figures are made."))
    now = now or timezone.now()
    if day > timezone.localdate(now):
        raise SnapshotError(_("The figures of a day that has not come yet cannot be made."))
    if root.kind == AreaKind.BUILDING:
        raise SnapshotError(_("A building's figures are its grid's."))
    # Makings of one tree wait for each other here: versions are numbered one at a time.
    Area.objects.select_for_update().filter(path=root.path[: Area.steplen]).first()
    root = Area.objects.get(pk=root.pk)
    ancestors = list(Area.objects.filter(path__in=ancestor_paths(root.path)[:-1]).order_by("depth"))
    when = Day.of(day, now)
    with translation.override(settings.LANGUAGE_CODE):
        top, resum, current = _plan(root, ancestors, day)
        made = collect(top, when)
        if resum:
            levels = risk_levels([_node(area) for area in resum], when)
            child = made[top.path]
            for area in resum:  # the lowest first
                kids = {
                    path: snapshot
                    for path, snapshot in current.items()
                    if path.startswith(area.path) and len(path) == len(area.path) + Area.steplen
                }
                child = _resum(
                    area,
                    current[area.path],
                    child.node.path,
                    current[child.node.path],
                    child,
                    kids,
                    RISK_ORDER.get(levels.get(area.pk, ""), 0),
                )
                made[area.path] = child
    areas = subtree_q([top.path], "area__path") | Q(area_id__in=[area.pk for area in resum])
    versions = _next_versions(areas, day)
    DaySnapshot.objects.filter(areas, day=day, current=True).update(current=False)
    run = SnapshotRun.objects.create(
        root=root,
        day=day,
        trigger=trigger,
        made_at=now,
        made_by=log.as_actor(acting_user).user,
        areas=len(made),
    )
    DaySnapshot.objects.bulk_create(
        (
            DaySnapshot(
                run=run,
                area_id=entry.node.pk,
                day=day,
                version=versions.get(entry.node.pk, 1),
                current=True,
                figures=entry.figures,
                lists=entry.lists,
            )
            for entry in made.values()
        ),
        batch_size=BATCH,
    )
    events.record(
        SNAPSHOTS_MADE,
        {"run": run.pk, "root": root.pk, "day": day.isoformat(), "top": (resum or [top])[-1].pk},
        area=root,
        at=now,
    )
    log.record(
        acting_user,
        AuditEvent.SNAPSHOT_MAKE,
        obj=run,
        area_path=root.path,
        details={
            "area": root.name,
            "day": day.isoformat(),
            "trigger": trigger,
            "areas": len(made),
            "made_whole": top.name,
            "resummed": len(resum),
        },
    )
    return run


def make_scheduled(now: dt.datetime) -> int:
    """The worker's job: after WANGGE_SNAPSHOT_AT (local time), make today's figures of
    every tree (each root area) that the worker has not made today. Idempotent: a second
    call the same day makes nothing (makings on demand do not count). How many made."""
    local = timezone.localtime(now)
    if local.time() < snapshot_time():
        return 0
    day = local.date()
    made = 0
    for root in Area.objects.filter(depth=1).order_by("path"):
        with transaction.atomic():
            # Under the tree's lock, so two workers never make the same day twice.
            Area.objects.select_for_update().filter(pk=root.pk).first()
            if SnapshotRun.objects.filter(
                root=root, day=day, trigger=RunTrigger.SCHEDULED
            ).exists():
                continue
            make_day(root, day, trigger=RunTrigger.SCHEDULED, acting_user=None, now=now)
            made += 1
    return made
