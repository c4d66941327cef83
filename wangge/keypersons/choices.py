from django.db import models
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    """Why a person is followed (重点人群)."""

    CLOSE_CONTACT = "close_contact", _("Close contact")  # 密接
    SECONDARY_CONTACT = "secondary_contact", _("Secondary contact")  # 次密接
    RETURNEE = "returnee", _("Returnee from a risk area")
    CHECKPOINT_FEVER = "checkpoint_fever", _("Fever at a checkpoint")
    CHECKPOINT_CODE = "checkpoint_code", _("Red or yellow code at a checkpoint")
    POSITIVE = "positive", _("Positive case")
    OTHER = "other", _("Other")


class Measure(models.TextChoices):
    CENTRALISED_QUARANTINE = "centralised", _("Centralised quarantine")  # 集中隔离
    HOME_QUARANTINE = "home_quarantine", _("Home quarantine")  # 居家隔离
    HOME_MONITORING = "home_monitoring", _("Home health monitoring")  # 居家健康监测


class KeyPersonStatus(models.TextChoices):
    UNDER_MEASURE = "under_measure", _("Under a measure")
    RELEASED = "released", _("Released")


class KeyPersonSource(models.TextChoices):
    """Where a key person came from: entered by hand, or raised by another part of Wangge."""

    MANUAL = "manual", _("Entered by hand")
    TESTING = "testing", _("Positive test result")
    CHECKPOINT = "checkpoint", _("Checkpoint")
    TRACING = "tracing", _("List to trace")


class ScheduledResult(models.TextChoices):
    """The result of a scheduled test of a key person (nucleic acid)."""

    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    PENDING = "pending", _("Result pending")


class Symptom(models.TextChoices):
    """What a daily health check asks about (besides the temperature)."""

    FEVER = "fever", _("Fever")
    COUGH = "cough", _("Cough")
    SORE_THROAT = "sore_throat", _("Sore throat")
    TASTE_SMELL = "taste_smell", _("Loss of taste or smell")
    FATIGUE = "fatigue", _("Fatigue")
