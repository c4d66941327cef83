"""Reads of accounts: users, devices and the audit log, each through the scoping choke point."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from wangge.accounts.actions import is_below
from wangge.accounts.models import (
    DeviceToken,
    DeviceTokenQuerySet,
    RoleAssignment,
    User,
    UserQuerySet,
)
from wangge.areas.choices import GRID_KINDS
from wangge.areas.models import Area
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Perm
from wangge.core.scoping import ScopedQuerySet, subtree_q


def users_visible_to(actor: User, query: str = "") -> UserQuerySet:
    """Users holding a role in the actor's MANAGE_USERS scope, with those roles (only those:
    roles elsewhere are none of the actor's business)."""
    users: UserQuerySet = User.objects.visible_to(actor, Perm.MANAGE_USERS)
    if query:
        users = users.filter(Q(username__icontains=query) | Q(display_name__icontains=query))
    in_scope = RoleAssignment.objects.visible_to(actor, Perm.MANAGE_USERS).select_related("area")
    return users.prefetch_related(
        Prefetch("role_assignments", queryset=in_scope.order_by("area__path", "role"))
    ).order_by("username")


def devices_visible_to(actor: User) -> DeviceTokenQuerySet:
    """Devices on areas in the actor's ISSUE_DEVICES scope, and the actor's own devices
    (so that anyone can revoke their own lost phone at once)."""
    scoped = DeviceToken.objects.visible_to(actor, Perm.ISSUE_DEVICES).values("pk")
    devices: DeviceTokenQuerySet = DeviceToken.objects.filter(
        Q(pk__in=scoped) | Q(user=actor)
    ).select_related("user", "area")
    return devices


def areas_for_choice(actor: User, permission: str, *, grids_only: bool = False) -> QuerySet[Area]:
    """Areas in the actor's scope to pick from in a form (the form validates against these)."""
    areas: QuerySet[Area] = Area.objects.visible_to(actor, permission)
    if grids_only:
        areas = areas.filter(kind__in=GRID_KINDS)
    return areas.order_by("path")


@dataclass(frozen=True)
class AuditFilter:
    """What the audit page is asked for; every field optional."""

    action: str = ""
    username: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    area: Area | None = None


def audit_entries(actor: User, wanted: AuditFilter) -> ScopedQuerySet:
    """Audit entries about areas in the actor's VIEW_AUDIT scope, newest first."""
    entries: ScopedQuerySet = AuditEntry.objects.visible_to(actor, Perm.VIEW_AUDIT)
    if wanted.action:
        entries = entries.filter(action__startswith=wanted.action)
    if wanted.username:
        entries = entries.filter(actor_name=wanted.username)
    tz = timezone.get_current_timezone()
    if wanted.since:
        start = dt.datetime.combine(wanted.since, dt.time.min, tzinfo=tz)
        entries = entries.filter(at__gte=start)
    if wanted.until:
        end = dt.datetime.combine(wanted.until + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        entries = entries.filter(at__lt=end)
    if wanted.area is not None:
        entries = entries.filter(subtree_q([wanted.area.path], "area_path"))
    return entries.order_by("-id")


def users_below(actor: User, permission: str) -> list[User]:
    """Users the actor may act for with `permission` (see actions.is_below), in two queries."""
    candidates = list(
        User.objects.visible_to(actor, permission)
        .filter(is_active=True)
        .prefetch_related(
            Prefetch("role_assignments", queryset=RoleAssignment.objects.select_related("area"))
        )
        .order_by("username")
    )
    for user in candidates:
        user._assignment_cache = [
            (assignment.role, assignment.area.path) for assignment in user.role_assignments.all()
        ]
    return [user for user in candidates if is_below(actor, user, permission)]
