"""Door-to-door service (上门服务): what a household that cannot leave asks for, who takes
it there and by when, and the supplies handed out to households.

A request sits on the household's grid (`area`, copied from the household when it is
recorded), so that it is scoped, counted and escalated like everything else of the grid.
"""

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.core.scoping import ScopedQuerySet
from wangge.incidents.photos import photo_storage
from wangge.keypersons.models import KeyPerson
from wangge.residents.models import Household
from wangge.services.choices import (
    OPEN_STATUSES,
    Channel,
    MedicalCare,
    ServiceKind,
    ServiceStatus,
    StepKind,
    SupplyItem,
    Urgency,
)
from wangge.workforce.models import Team, Worker


def delivery_photo_path(instance: Any, filename: str) -> str:
    """A name that says nothing of the upload's own name: the month and a random id."""
    return f"services/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.jpg"


class UrgencyPolicy(models.Model):
    """How long a request of an urgency may take from the call to the delivery. Data, with
    defaults (`services/defaults.py`: routine 24 hours, urgent 4 hours, emergency 30
    minutes) that administrators change in the admin."""

    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices, unique=True)
    minutes = models.PositiveIntegerField(_("time limit (minutes)"))

    class Meta:
        verbose_name = _("time limit of an urgency")
        verbose_name_plural = _("time limits of the urgencies")

    def __str__(self) -> str:
        return f"{self.urgency}: {self.minutes}"


class ServiceRequest(models.Model):
    """A household's request for groceries, medicine, medical care or help in an
    emergency, from the call to the delivery: who recorded it, who takes it (a worker or a
    team), the time limit of its urgency and where it stands. The id is the client's, so a
    form sent twice from a phone on a poor network records one request."""

    scope_path_lookup = "area__path"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(
        Household,
        on_delete=models.PROTECT,
        related_name="service_requests",
        verbose_name=_("household"),
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="service_requests", verbose_name=_("grid")
    )
    key_person = models.ForeignKey(
        KeyPerson,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("key person"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ServiceKind.choices)
    care = models.CharField(
        _("medical care"), max_length=16, choices=MedicalCare.choices, blank=True
    )
    detail = models.CharField(_("what is needed"), max_length=300, blank=True)
    urgency = models.CharField(_("urgency"), max_length=12, choices=Urgency.choices)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=ServiceStatus.choices, default=ServiceStatus.REQUESTED
    )
    # Why a household outside lockdown, control and home measures was served all the same
    # (blank for an eligible household).
    override_reason = models.CharField(_("reason for an exception"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("requested"))
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    due_at = models.DateTimeField(_("due"))
    assigned_worker = models.ForeignKey(
        Worker,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("assigned to"),
    )
    assigned_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("assigned team"),
    )
    assigned_at = models.DateTimeField(_("assigned"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # The assignee's photo of the delivery (optional): checked and written again as a bare
    # JPEG by the incidents' photo rules, kept private, served only by services:photo.
    delivery_photo = models.FileField(
        _("photo"),
        upload_to=delivery_photo_path,
        storage=photo_storage,
        blank=True,
        max_length=200,
    )
    # When the missed limit was raised as an incident (once).
    escalated_at = models.DateTimeField(_("escalated"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("service request")
        verbose_name_plural = _("service requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind=ServiceKind.MEDICAL_CARE) | Q(care=""),
                name="service_care_only_for_medical",
            ),
            models.CheckConstraint(
                condition=Q(assigned_worker__isnull=True) | Q(assigned_team__isnull=True),
                name="service_one_assignee",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "status"], name="service_area_status"),
            models.Index(fields=["household", "requested_at"], name="service_household"),
            # The overdue check reads only the open requests by their limit.
            models.Index(
                fields=["due_at"],
                condition=Q(status__in=sorted(OPEN_STATUSES)),
                name="service_open_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} · {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def assignee_name(self) -> str:
        if self.assigned_worker is not None:
            return self.assigned_worker.name
        if self.assigned_team is not None:
            return self.assigned_team.name
        return ""

    def is_late(self, now: "object") -> bool:
        """Open past its limit, or delivered after it."""
        if self.delivered_at is not None:
            return self.delivered_at > self.due_at
        return self.is_open and now > self.due_at  # type: ignore[operator]


class ServiceStep(models.Model):
    """A line of a request's timeline: each change of its status, the assignment, the
    missed limit; who and when, with the note given."""

    request = models.ForeignKey(
        ServiceRequest, on_delete=models.CASCADE, related_name="steps", verbose_name=_("request")
    )
    step = models.CharField(_("step"), max_length=12, choices=StepKind.choices)
    at = models.DateTimeField(_("at"))
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        verbose_name = _("service step")
        verbose_name_plural = _("service steps")
        indexes = [models.Index(fields=["request", "at"], name="service_step_request")]

    def __str__(self) -> str:
        return f"{self.request_id} · {self.step}"


class SupplyHandout(models.Model):
    """Supplies handed to a household: what, how much, when and by whom; with the request
    it delivered, if any. The id is the client's, so a retried form records it once."""

    scope_path_lookup = "area__path"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    household = models.ForeignKey(
        Household, on_delete=models.PROTECT, related_name="handouts", verbose_name=_("household")
    )
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="handouts", verbose_name=_("grid")
    )
    request = models.ForeignKey(
        ServiceRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="handouts",
        verbose_name=_("request"),
    )
    item = models.CharField(_("item"), max_length=12, choices=SupplyItem.choices)
    quantity = models.DecimalField(_("quantity"), max_digits=8, decimal_places=2)
    unit = models.CharField(_("unit"), max_length=12)
    note = models.CharField(_("note"), max_length=100, blank=True)
    handed_at = models.DateTimeField(_("handed out"))
    handed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("supply handout")
        verbose_name_plural = _("supply handouts")
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="handout_quantity_positive")
        ]
        indexes = [
            models.Index(fields=["area", "handed_at"], name="handout_area_at"),
            models.Index(fields=["household", "handed_at"], name="handout_household"),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} · {self.item} {self.quantity}"
