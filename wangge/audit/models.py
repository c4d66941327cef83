"""The append-only, hash-chained audit log (written by `wangge.audit.log.record`)."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from wangge.audit.events import AuditEvent
from wangge.core.scoping import ScopedQuerySet


class AuditEntry(models.Model):
    """One recorded act: who, when, from where, what. Append-only and hash-chained.

    `entry_hash` covers this entry's content and the previous entry's hash, so editing or
    deleting any entry breaks the chain from there on (`verify_audit` finds it). Entries
    are scoped by the area they concern; those about no area (a sign-in of someone
    without roles, a key rotation) are seen by superusers only.
    """

    scope_path_lookup = "area_path"

    at = models.DateTimeField(_("when"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    actor_name = models.CharField(_("who"), max_length=150)
    source = models.CharField(_("from where"), max_length=100, blank=True)
    action = models.CharField(_("action"), max_length=40, db_index=True)
    object_type = models.CharField(_("object type"), max_length=60, blank=True)
    object_id = models.CharField(_("object"), max_length=64, blank=True)
    area_path = models.CharField(max_length=255, blank=True, db_index=True)
    details = models.JSONField(_("details"), default=dict)
    # The chain the entry belongs to: "" the main chain; "device:<id>" a station's uploads
    # (wangge.audit.log, "Streams"). Covered by the hash when not empty.
    stream = models.CharField(max_length=60, blank=True, default="")
    previous_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64, unique=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        # The table was created by the accounts app, where the log lived first.
        db_table = "accounts_auditentry"
        ordering = ["-id"]
        indexes = [models.Index(fields=["actor_name"], name="audit_actor_name")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise ValueError("audit entries are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("audit entries are append-only")

    @property
    def event_label(self) -> str:
        """What the act was, in the reader's language (an unknown old code as it is)."""
        try:
            return str(AuditEvent(self.action).label)
        except ValueError:
            return self.action


class AuditChainHead(models.Model):
    """The last hash of one chain of the audit log, locked while appending to it.

    One row per stream: "" the main chain (every act but a station's uploads), and one per
    device that uploads batches, so that concurrent batches of different stations do not
    wait for each other's commit behind one row.
    """

    stream = models.CharField(max_length=60, unique=True, default="")
    last_hash = models.CharField(max_length=64)

    class Meta:
        db_table = "accounts_auditchainhead"
        verbose_name = _("audit chain head")

    def __str__(self) -> str:
        return self.last_hash
