"""The outbox of domain events, the record of who received each, and the scheduler's slots."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.core.scoping import ScopedQuerySet


class Event(models.Model):
    """Something that happened which other parts of Wangge react to (a positive pool, a
    recall open too long). Written in the same transaction as the change that caused it,
    so it exists exactly when the change does; the worker hands it to every subscriber.

    `key` makes an event that must happen once per subject (one "overdue" per recall)
    idempotent: recording it again stores nothing. The payload holds ids and figures, never
    an ID number or a phone.
    """

    scope_path_lookup = "area__path"

    kind = models.CharField(_("kind"), max_length=60)
    payload = models.JSONField(_("payload"), default=dict)
    # An event is transient (pruned once dispatched): it goes with its area.
    area = models.ForeignKey(
        Area, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_at = models.DateTimeField(_("created"))
    # Set once every subscriber has received the event; a worker that takes it holds it
    # until `claimed_until`, after which another worker may take it over.
    dispatched_at = models.DateTimeField(_("dispatched"), null=True, blank=True)
    claimed_until = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        indexes = [
            # Healthchecks' Flip: the worker's scan reads only the undispatched rows.
            models.Index(
                fields=["created_at"],
                condition=Q(dispatched_at__isnull=True),
                name="event_undispatched",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk}"


class Delivery(models.Model):
    """One subscriber's receipt of one event. Its unique key is what makes delivery exactly
    once: a subscriber's effect in the database is written in the transaction that inserts
    this row, so either both exist or neither does."""

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.CharField(_("subscriber"), max_length=80)
    delivered_at = models.DateTimeField(_("delivered"))

    class Meta:
        verbose_name = _("event delivery")
        verbose_name_plural = _("event deliveries")
        constraints = [
            models.UniqueConstraint(fields=["event", "subscriber"], name="delivery_once")
        ]

    def __str__(self) -> str:
        return f"{self.event} → {self.subscriber}"


class ScheduledRun(models.Model):
    """One slot of a periodic job, enqueued once: the unique (job, slot) is what stops two
    workers from running the same slot."""

    job = models.CharField(_("job"), max_length=80)
    slot = models.DateTimeField(_("slot"))
    enqueued_at = models.DateTimeField(_("enqueued"))
    task_id = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("scheduled run")
        verbose_name_plural = _("scheduled runs")
        constraints = [models.UniqueConstraint(fields=["job", "slot"], name="scheduled_run_once")]

    def __str__(self) -> str:
        return f"{self.job} @ {self.slot}"
