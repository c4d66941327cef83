"""Who may do what with posts, shifts and scheduled tasks. One place says so, for the
actions, the pages and the cards alike.

- Set up posts and their rosters, scheduled tasks: MANAGE_CONTROL on the area (posts have
  no team of their own, so unlike dispatch no team leader edits a roster).
- Check in or out of a shift: the shift's worker signed in as themselves, or who manages
  the post (for a worker without a phone).
- Record a scheduled task done: its worker or a member (or the leader) of its team signed
  in as themselves, or FOLLOW_UP on its area (the grid's staff).
"""

from typing import Any

from wangge.accounts.models import User
from wangge.audit import log
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import in_scope
from wangge.duty.models import Post, ScheduledTask, Shift
from wangge.workforce.models import Worker

Acting = User | Actor | None


def _holds(acting: Acting, perm: str, path: str) -> bool:
    holder: Any = log.scope_holder(acting)
    if holder is None:
        return True
    return in_scope(holder.scope_paths(perm), path)


def _own_user(acting: Acting) -> User | None:
    """The signed-in user acting as themselves (not through a device), if any."""
    actor = log.as_actor(acting)
    user = actor.user
    if actor.device is None and user is not None and user.is_active:
        return user
    return None


def may_manage(acting: Acting, post: Post) -> bool:
    return _holds(acting, Perm.MANAGE_CONTROL, post.area.path)


def may_check(acting: Acting, shift: Shift) -> bool:
    user = _own_user(acting)
    if user is not None and shift.worker.user_id == user.pk:
        return True
    return may_manage(acting, shift.post)


def is_assignee(user: User | None, task: ScheduledTask) -> bool:
    """Whether `user` is the task's worker, or a member or the leader of its team."""
    if user is None:
        return False
    if task.worker_id is not None and task.worker is not None and task.worker.user_id == user.pk:
        return True
    if task.team_id is None:
        return False
    return (
        Worker.objects.filter(user=user, active=True).filter(teams=task.team_id).exists()
        or Worker.objects.filter(user=user, teams_led=task.team_id).exists()
    )


def may_complete(acting: Acting, task: ScheduledTask) -> bool:
    if is_assignee(_own_user(acting), task):
        return True
    return _holds(acting, Perm.FOLLOW_UP, task.area.path)
