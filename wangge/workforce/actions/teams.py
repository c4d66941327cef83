"""Teams (党员先锋队, 巾帼志愿者服务队, "blue vest" …): setting one up, its members, its leader.

A team serves an area the actor manages the workforce of; its members are workers the
actor manages too (a district's cadre may join a community's team, if the actor manages
both). Every change is one audit entry (TEAM_CREATE, TEAM_UPDATE with what changed).
"""

from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import require_in_scope
from wangge.workforce.choices import TeamKind
from wangge.workforce.errors import WorkforceError
from wangge.workforce.models import Team, TeamMembership, Worker

NAME_MAX = 100


@dataclass(frozen=True)
class TeamData:
    name: str
    kind: str
    area: Area

    @classmethod
    def clean(cls, *, name: object, kind: object, area: Area) -> "TeamData":
        text = " ".join(str(name or "").split())
        if not text:
            raise WorkforceError(_("This field is required."), field="name")
        if len(text) > NAME_MAX:
            raise WorkforceError(_("At most %(max)d characters.") % {"max": NAME_MAX}, field="name")
        if str(kind) not in TeamKind.values:
            raise WorkforceError(_("Unknown kind of team."), field="kind")
        if area.kind == AreaKind.BUILDING:
            raise WorkforceError(_("A team serves an area, not a building."), field="area")
        return cls(text, str(kind), area)


def _name_taken(data: TeamData, team: Team | None = None) -> bool:
    others = Team.objects.filter(area=data.area, name=data.name)
    if team is not None:
        others = others.exclude(pk=team.pk)
    return others.exists()


def _save(team: Team) -> None:
    try:
        with transaction.atomic():
            team.save()
    except IntegrityError as exc:  # the same name set up at the same moment elsewhere
        raise WorkforceError(_("The area already has a team of this name."), field="name") from exc


@transaction.atomic
def create_team(data: TeamData, *, acting_user: User | Actor | None) -> Team:
    """Set up a team serving an area."""
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_WORKFORCE, [data.area])
    if _name_taken(data):
        raise WorkforceError(_("The area already has a team of this name."), field="name")
    team = Team(name=data.name, kind=data.kind, area=data.area)
    _save(team)
    log.record(
        acting_user,
        AuditEvent.TEAM_CREATE,
        obj=team,
        area_path=team.area.path,
        details={"kind": team.kind},
    )
    return team


@transaction.atomic
def update_team(team: Team, data: TeamData, *, acting_user: User | Actor | None) -> Team:
    """Rename a team, change its kind or the area it serves (both areas in scope)."""
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_WORKFORCE, [team.area, data.area])
    if _name_taken(data, team):
        raise WorkforceError(_("The area already has a team of this name."), field="name")
    changed = [
        name
        for name, value in (("name", data.name), ("kind", data.kind), ("area", data.area.pk))
        if getattr(team, "area_id" if name == "area" else name) != value
    ]
    if not changed:
        return team
    team.name, team.kind, team.area = data.name, data.kind, data.area
    _save(team)
    _record(team, acting_user, {"fields": changed})
    return team


def _record(team: Team, acting_user: User | Actor | None, details: dict[str, Any]) -> None:
    log.record(
        acting_user, AuditEvent.TEAM_UPDATE, obj=team, area_path=team.area.path, details=details
    )


def _member_in_scope(team: Team, worker: Worker, acting_user: User | Actor | None) -> None:
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_WORKFORCE, [team.area, worker.area])


@transaction.atomic
def add_member(team: Team, worker: Worker, *, acting_user: User | Actor | None) -> bool:
    """Put a worker in a team; False if they were in it already."""
    _member_in_scope(team, worker, acting_user)
    if not worker.active:
        raise WorkforceError(_("This worker is retired."), field="worker")
    _membership, created = TeamMembership.objects.get_or_create(
        team=team, worker=worker, defaults={"joined_at": timezone.now()}
    )
    if created:
        _record(team, acting_user, {"added": str(worker.pk)})
    return created


@transaction.atomic
def remove_member(team: Team, worker: Worker, *, acting_user: User | Actor | None) -> bool:
    """Take a worker out of a team (and off its lead); False if they were not in it."""
    _member_in_scope(team, worker, acting_user)
    deleted, _rows = TeamMembership.objects.filter(team=team, worker=worker).delete()
    if not deleted:
        return False
    details: dict[str, Any] = {"removed": str(worker.pk)}
    if team.leader_id == worker.pk:
        team.leader = None
        team.save(update_fields=["leader"])
        details["leader"] = None
    _record(team, acting_user, details)
    return True


@transaction.atomic
def set_leader(team: Team, worker: Worker | None, *, acting_user: User | Actor | None) -> Team:
    """Make a worker the team's leader (they join the team if they were not in it), or
    leave the team without one."""
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_WORKFORCE, [team.area])
    if worker is not None:
        _member_in_scope(team, worker, acting_user)
        if not worker.active:
            raise WorkforceError(_("This worker is retired."), field="worker")
        TeamMembership.objects.get_or_create(
            team=team, worker=worker, defaults={"joined_at": timezone.now()}
        )
    new_leader = worker.pk if worker is not None else None
    if team.leader_id == new_leader:
        return team
    team.leader = worker
    team.save(update_fields=["leader"])
    _record(team, acting_user, {"leader": str(new_leader) if new_leader else None})
    return team
