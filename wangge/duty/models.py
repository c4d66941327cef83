"""Duty posts (值守点) and their shifts, and scheduled tasks at fixed places and times
(定时定点消杀, patrols) with their completions."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.areas.models import Area
from wangge.checkpoints.models import Checkpoint
from wangge.core.scoping import ScopedQuerySet
from wangge.duty.choices import PostKind, ScheduledKind
from wangge.duty.photos import completion_photo_path
from wangge.incidents.photos import photo_storage
from wangge.testing.models import SamplingPoint
from wangge.workforce.models import Team, Worker


class Post(models.Model):
    """A place that must be manned around the clock while an area is closed: a compound's
    gate, a sampling point, a checkpoint. Its roster is the shifts covering each day."""

    scope_path_lookup = "area__path"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="duty_posts", verbose_name=_("area")
    )
    name = models.CharField(pgettext_lazy("place", "name"), max_length=80)
    kind = models.CharField(_("kind"), max_length=20, choices=PostKind.choices)
    sampling_point = models.ForeignKey(
        SamplingPoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sampling point"),
    )
    checkpoint = models.ForeignKey(
        Checkpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checkpoint"),
    )
    min_on_duty = models.PositiveSmallIntegerField(_("minimum on duty"), default=1)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty post")
        verbose_name_plural = _("duty posts")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="duty_post_unique_name"),
            models.CheckConstraint(condition=Q(min_on_duty__gte=1), name="duty_post_min_one"),
        ]

    def __str__(self) -> str:
        return self.name


class Shift(models.Model):
    """One worker on duty at a post from `starts_at` to `ends_at` (a 24-hour roster is
    three of 8 hours, or two of 12), and their check in and out on a phone."""

    scope_path_lookup = "post__area__path"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    post = models.ForeignKey(
        Post, on_delete=models.CASCADE, related_name="shifts", verbose_name=_("duty post")
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="shifts", verbose_name=_("worker")
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shift")
        verbose_name_plural = _("shifts")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after"
            ),
            models.UniqueConstraint(
                fields=["post", "worker", "starts_at"], name="shift_one_per_worker_start"
            ),
        ]
        indexes = [
            models.Index(fields=["post", "starts_at"], name="shift_post_start"),
            models.Index(fields=["worker", "starts_at"], name="shift_worker_start"),
            models.Index(fields=["starts_at"], name="shift_start"),
        ]

    def __str__(self) -> str:
        return f"{self.post_id} · {self.starts_at:%Y-%m-%d %H:%M}"


class ScheduledTask(models.Model):
    """Work due at a fixed place at fixed times (定时定点消杀, patrols): at given times of
    day, or every N hours from a first time; assigned to a team or a worker."""

    scope_path_lookup = "area__path"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="scheduled_tasks", verbose_name=_("area")
    )
    place = models.CharField(_("place"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=ScheduledKind.choices)
    times = models.JSONField(
        _("times of day"), default=list, blank=True, help_text=_("HH:MM, one or more.")
    )
    every_hours = models.PositiveSmallIntegerField(_("every N hours"), null=True, blank=True)
    first_time = models.TimeField(_("first time"), null=True, blank=True)
    grace_minutes = models.PositiveSmallIntegerField(_("overdue after (minutes)"), default=60)
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scheduled_tasks",
        verbose_name=_("team"),
    )
    worker = models.ForeignKey(
        Worker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="scheduled_tasks",
        verbose_name=_("worker"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scheduled task")
        verbose_name_plural = _("scheduled tasks")
        constraints = [
            models.CheckConstraint(
                condition=Q(every_hours__isnull=True) | Q(every_hours__gte=1, every_hours__lte=24),
                name="scheduled_every_hours_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.place} · {self.kind}"


class TaskCompletion(models.Model):
    """One occurrence of a scheduled task done: when it was due, when it was done, by whom,
    a note and an optional photo (kept like an incident's: private, re-encoded)."""

    scope_path_lookup = "task__area__path"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    task = models.ForeignKey(
        ScheduledTask,
        on_delete=models.CASCADE,
        related_name="completions",
        verbose_name=_("scheduled task"),
    )
    due_at = models.DateTimeField(_("due"))
    done_at = models.DateTimeField(_("done"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)
    photo = models.FileField(
        _("photo"),
        upload_to=completion_photo_path,
        storage=photo_storage,
        blank=True,
        max_length=200,
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("task completion")
        verbose_name_plural = _("task completions")
        constraints = [
            models.UniqueConstraint(fields=["task", "due_at"], name="completion_one_per_due")
        ]
        indexes = [models.Index(fields=["due_at"], name="completion_due")]

    def __str__(self) -> str:
        return f"{self.task_id} · {self.due_at:%Y-%m-%d %H:%M}"
