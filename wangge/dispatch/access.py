"""Who may run a team's board and who may act on a task: Perm.DISPATCH on the team's area,
or the team's own leader; a worker acts on their own task. One place says so, for the
actions, the pages and the cards alike."""

from typing import Any

from wangge.accounts.models import User
from wangge.audit import log
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import in_scope
from wangge.dispatch.models import Task
from wangge.workforce.models import Team


def leads(user: User | None, team: Team) -> bool:
    """Whether `user` is the team's leader (the leader's login)."""
    return (
        user is not None
        and user.is_active
        and team.leader is not None
        and team.leader.user_id is not None
        and team.leader.user_id == user.pk
    )


def may_dispatch(acting: User | Actor | None, team: Team) -> bool:
    """Whether the actor may assign the team's tasks: DISPATCH on its area, or (signed in
    as themselves, not through a device) its leader. None is the system itself."""
    holder: Any = log.scope_holder(acting)
    if holder is None:
        return True
    if in_scope(holder.scope_paths(Perm.DISPATCH), team.area.path):
        return True
    actor = log.as_actor(acting)
    return actor.device is None and leads(actor.user, team)


def may_act_on(acting: User | Actor | None, task: Task) -> bool:
    """Whether the actor may check in, check out or close the task: its worker's own
    login, or whoever may dispatch the team."""
    actor = log.as_actor(acting)
    user = actor.user
    if (
        actor.device is None
        and user is not None
        and user.is_active
        and task.worker.user_id is not None
        and task.worker.user_id == user.pk
    ):
        return True
    return may_dispatch(acting, task.board.team)
