"""The duty cards on the workbench: a worker's shifts of today (check in / out), their
scheduled tasks due today, and for the area's staff the posts unmanned now and the tasks
overdue. A fixed number of queries each, whatever the number of posts, shifts or tasks."""

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.accounts.models import User
from wangge.core.cards import Card, Figure, Severity
from wangge.core.nav import NavItem
from wangge.core.permissions import Perm
from wangge.core.scoping import subtree_q
from wangge.duty import actions, selectors
from wangge.duty.choices import PostStatus
from wangge.duty.models import Post, ScheduledTask


def my_shift_cards(request: HttpRequest) -> list[Card]:
    """ "My duty today": the shifts of the day, work waiting while one is to check in. One
    query."""
    user = request.user
    if not isinstance(user, User):
        return []
    now = timezone.now()
    shifts = list(selectors.my_shifts(user, now))
    if not shifts:
        return []
    waiting = any(
        s.checked_in_at is None and s.starts_at - actions.CHECK_IN_EARLY <= now < s.ends_at
        for s in shifts
    )
    first = next((s for s in shifts if s.ends_at > now), shifts[-1])
    start = timezone.localtime(first.starts_at).strftime("%H:%M")
    end = timezone.localtime(first.ends_at).strftime("%H:%M")
    return [
        Card(
            key="duty.shifts",
            title=_("My duty today"),
            url=reverse("duty:mine"),
            figures=(Figure(f"{start}–{end}", first.post.name), Figure(len(shifts), _("shifts"))),
            severity=Severity.WAITING if waiting else Severity.INFO,
            order=55 if waiting else 155,
            links=(NavItem(reverse("duty:mine"), _("Check in / out")),),
        )
    ]


def my_task_cards(request: HttpRequest) -> list[Card]:
    """The scheduled tasks assigned to me (or my team) due today: an alarm when one is
    overdue. Two queries (the tasks, today's completions)."""
    user = request.user
    if not isinstance(user, User):
        return []
    assigned = selectors.assigned_tasks(user)
    tasks = list(assigned)
    due, done, overdue = selectors.overdue_counts(tasks, timezone.now(), assigned)
    if not due:
        return []
    return [
        Card(
            key="duty.my_tasks",
            title=_("My scheduled tasks today"),
            url=reverse("duty:mine"),
            figures=(
                Figure(due, pgettext_lazy("scheduled tasks", "due")),
                Figure(done, _("done")),
                Figure(overdue, _("overdue")),
            ),
            severity=Severity.ALARM
            if overdue
            else (Severity.WAITING if done < due else Severity.INFO),
            order=25 if overdue else 156,
        )
    ]


def area_cards(request: HttpRequest) -> list[Card]:
    """For who views control: posts unmanned or late now, and scheduled tasks overdue, in
    their areas. Four queries (posts, today's shifts, tasks, today's completions)."""
    user = request.user
    if not isinstance(user, User):
        return []
    paths = user.scope_paths(Perm.VIEW_CONTROL)
    if paths is not None and not paths:
        return []
    now = timezone.now()
    posts = Post.objects.filter(active=True).select_related("area")
    tasks = ScheduledTask.objects.filter(active=True)
    if paths is not None:
        posts = posts.filter(subtree_q(paths, "area__path"))
        tasks = tasks.filter(subtree_q(paths, "area__path"))
    rows = selectors.post_rows(list(posts), now, posts)
    unmanned = sum(1 for row in rows if row.status == PostStatus.UNMANNED)
    late = sum(1 for row in rows if row.status == PostStatus.LATE)
    task_list = list(tasks)
    _due, _done, overdue = selectors.overdue_counts(task_list, now, tasks)
    if not rows and not task_list:
        return []
    alarm = unmanned or overdue
    return [
        Card(
            key="duty.area",
            title=_("Duty posts and scheduled tasks"),
            url=reverse("duty:posts"),
            figures=(
                Figure(len(rows), _("posts")),
                Figure(unmanned, _("unmanned now")),
                Figure(late, _("late")),
                Figure(overdue, _("tasks overdue")),
            ),
            severity=Severity.ALARM if alarm else (Severity.WAITING if late else Severity.INFO),
            order=30 if alarm else 170,
            links=(NavItem(reverse("duty:tasks"), _("Scheduled tasks")),),
        )
    ]
