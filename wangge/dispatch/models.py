"""The daily dispatch board (一天一调度): each team's tasks of a day, one per worker."""

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.core.scoping import ScopedQuerySet
from wangge.dispatch.choices import TaskKind, TaskStatus
from wangge.workforce.models import Team, Worker


class Board(models.Model):
    """One team's day: the morning briefing's assignments, and by evening what came of
    them. A team has at most one board a day; yesterday's is copied forward."""

    scope_path_lookup = "team__area__path"

    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, related_name="boards", verbose_name=_("team")
    )
    day = models.DateField(_("day"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("dispatch board")
        verbose_name_plural = _("dispatch boards")
        constraints = [
            models.UniqueConstraint(fields=["team", "day"], name="board_one_per_team_day")
        ]
        indexes = [models.Index(fields=["day"], name="board_day")]

    def __str__(self) -> str:
        return f"{self.team_id} · {self.day}"


class Task(models.Model):
    """One worker's assignment on a board: what to do (kind), where (an area of the team's
    subtree), and how it went. The id is given by the client that creates it, so that a
    phone retrying a save on a poor network creates nothing twice."""

    scope_path_lookup = "board__team__area__path"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    board = models.ForeignKey(
        Board, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("board")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("worker")
    )
    kind = models.CharField(_("task"), max_length=20, choices=TaskKind.choices)
    place = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="tasks", verbose_name=_("place")
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.ASSIGNED
    )
    assigned_at = models.DateTimeField(_("assigned"))
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    reason = models.CharField(
        _("reason"),
        max_length=200,
        blank=True,
        help_text=_("Why the task was not done."),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task")
        verbose_name_plural = _("tasks")
        constraints = [
            models.UniqueConstraint(fields=["board", "worker"], name="task_one_per_worker"),
            models.CheckConstraint(
                condition=~Q(status=TaskStatus.NOT_DONE) | ~Q(reason=""),
                name="task_not_done_has_reason",
            ),
        ]
        indexes = [
            models.Index(fields=["worker"], name="task_worker"),
            models.Index(fields=["board", "status"], name="task_board_status"),
        ]

    def __str__(self) -> str:
        return f"{self.worker_id} · {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.status in (TaskStatus.ASSIGNED, TaskStatus.CHECKED_IN)
