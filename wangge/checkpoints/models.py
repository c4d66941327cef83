"""Checkpoints (卡口): places where every vehicle and every person in it is registered."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.accounts.models import DeviceToken
from wangge.areas.models import Area
from wangge.checkpoints.choices import Direction, HealthCode, PassengerAction, VehicleKind
from wangge.core.personal_data import PersonalIdentity
from wangge.core.scoping import ScopedQuerySet
from wangge.incidents.models import Incident
from wangge.keypersons.models import KeyPerson
from wangge.residents.models import Resident


class CheckpointKind(models.TextChoices):
    ROAD = "road", _("Road")
    HIGHWAY_EXIT = "highway_exit", _("Highway exit")
    STATION = "station", _("Railway or bus station")
    COMPOUND_GATE = "compound_gate", _("Compound gate")
    OTHER = "other", _("Other")


class Checkpoint(models.Model):
    """A place where every vehicle and every person in it is checked (卡口): a highway exit,
    a road into the city, a station, a compound's gate. Its area says who sets it up and
    who registers there."""

    scope_path_lookup = "area__path"

    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="checkpoints", verbose_name=_("area")
    )
    name = models.CharField(pgettext_lazy("place", "name"), max_length=80)
    kind = models.CharField(
        _("kind"), max_length=16, choices=CheckpointKind.choices, default=CheckpointKind.ROAD
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checkpoint")
        verbose_name_plural = _("checkpoints")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="checkpoint_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class CheckpointEntry(models.Model):
    """One vehicle (or one group on foot) checked at a checkpoint, with the people in it
    (`passengers`). Made by a device or the entry page, whose UUIDv7 `client_id` makes a
    retried upload harmless; `people` and `alerts` are kept on the row so that volumes per
    hour and the workbench's figures read this table alone."""

    scope_path_lookup = "checkpoint__area__path"

    # No index of its own: the (checkpoint, at) index below serves every read by checkpoint.
    checkpoint = models.ForeignKey(
        Checkpoint,
        on_delete=models.PROTECT,
        related_name="entries",
        verbose_name=_("checkpoint"),
        db_index=False,
    )
    client_id = models.UUIDField(unique=True, editable=False)
    at = models.DateTimeField(_("checked at"))
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    plate = models.CharField(_("plate"), max_length=8, blank=True)
    vehicle_kind = models.CharField(_("vehicle"), max_length=12, choices=VehicleKind.choices)
    origin = models.CharField(_("from"), max_length=100, blank=True)
    destination = models.CharField(_("to"), max_length=100, blank=True)
    people = models.PositiveSmallIntegerField(_("people"))
    alerts = models.PositiveSmallIntegerField(_("alerts"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
        db_index=False,
    )
    device = models.ForeignKey(
        DeviceToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("device"),
        db_index=False,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("checkpoint entry")
        verbose_name_plural = _("checkpoint entries")
        indexes = [models.Index(fields=["checkpoint", "at"], name="ckentry_checkpoint_at")]

    def __str__(self) -> str:
        return self.plate or str(self.get_vehicle_kind_display())


class CheckpointPassenger(PersonalIdentity):
    """A person in a checked vehicle: the registry's resident when their code or document
    matched one, else their name and document sealed like a resident's. The phone is the
    one given at the checkpoint, sealed. A fever or a red or yellow code is an `alert`:
    the person becomes a key person and an incident is raised (`key_person`, `incident`
    once done; an alert without its incident is still to do)."""

    scope_path_lookup = "entry__checkpoint__area__path"

    entry = models.ForeignKey(
        CheckpointEntry,
        on_delete=models.CASCADE,
        related_name="passengers",
        verbose_name=_("entry"),
        db_index=False,  # the (entry, order) constraint's index serves it
    )
    order = models.PositiveSmallIntegerField(_("order"))
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="checkpoint_passages",
        verbose_name=_("resident"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    temperature = models.DecimalField(_("temperature"), max_digits=3, decimal_places=1)
    health_code = models.CharField(_("health code"), max_length=6, choices=HealthCode.choices)
    travel_history = models.CharField(_("travel history"), max_length=200, blank=True)
    action = models.CharField(_("action"), max_length=12, choices=PassengerAction.choices)
    alert = models.BooleanField(_("alert"), default=False)
    key_person = models.ForeignKey(
        KeyPerson,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("key person"),
        db_index=False,
    )
    incident = models.ForeignKey(
        Incident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("incident"),
        db_index=False,
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("person checked")
        verbose_name_plural = _("people checked")
        constraints = [
            models.UniqueConstraint(fields=["entry", "order"], name="ckpassenger_entry_order"),
            models.CheckConstraint(
                condition=Q(temperature__gte=Decimal("34.0"), temperature__lte=Decimal("43.0")),
                name="ckpassenger_temperature_range",
            ),
        ]
        indexes = [
            # The alerts still to raise (the worker's sweep): a handful of rows at most.
            models.Index(
                fields=["entry"],
                condition=Q(alert=True, incident__isnull=True),
                name="ckpassenger_alert_pending",
            )
        ]

    def __str__(self) -> str:
        return self.name
