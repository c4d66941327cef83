from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ServiceKind(models.TextChoices):
    """What a household that cannot leave asks for (上门服务)."""

    GROCERIES = "groceries", _("Groceries")
    MEDICINE = "medicine", _("Medicine")
    MEDICAL_CARE = "medical_care", _("Medical care")
    EMERGENCY = "emergency", pgettext_lazy("service kind", "Emergency")
    OTHER = "other", pgettext_lazy("service kind", "Other")


class MedicalCare(models.TextChoices):
    """The medical care a request for medical care names (blank for the other kinds)."""

    DIALYSIS = "dialysis", _("Dialysis")
    PREGNANCY = "pregnancy", _("Pregnancy check-up")
    CHEMOTHERAPY = "chemotherapy", _("Chemotherapy")
    OTHER = "other", pgettext_lazy("medical care", "Other care")


class Urgency(models.TextChoices):
    """How soon a request must be delivered; each urgency's time limit is a policy
    (`UrgencyPolicy`)."""

    ROUTINE = "routine", _("Routine")
    URGENT = "urgent", _("Urgent")
    EMERGENCY = "emergency", pgettext_lazy("urgency", "Emergency")


class ServiceStatus(models.TextChoices):
    """Where a request stands, from the call to the delivery."""

    REQUESTED = "requested", _("Requested")
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    ON_THE_WAY = "on_the_way", _("On the way")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", pgettext_lazy("service request", "Cancelled")


OPEN_STATUSES = frozenset(
    {
        ServiceStatus.REQUESTED,
        ServiceStatus.ASSIGNED,
        ServiceStatus.ACCEPTED,
        ServiceStatus.ON_THE_WAY,
    }
)
# The assignee's steps, in order: each is allowed from the status before it.
STEP_FROM = {
    ServiceStatus.ACCEPTED: ServiceStatus.ASSIGNED,
    ServiceStatus.ON_THE_WAY: ServiceStatus.ACCEPTED,
    ServiceStatus.DELIVERED: ServiceStatus.ON_THE_WAY,
}


class Channel(models.TextChoices):
    """How the request reached the grid."""

    PHONE = "phone", _("Phone call")
    VISIT = "visit", _("Grid visit")
    APP = "app", _("App")


class StepKind(models.TextChoices):
    """A line of a request's timeline."""

    REQUESTED = "requested", _("Requested")
    ASSIGNED = "assigned", _("Assigned")
    ACCEPTED = "accepted", _("Accepted")
    ON_THE_WAY = "on_the_way", _("On the way")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", pgettext_lazy("service request", "Cancelled")
    OVERDUE = "overdue", _("Time limit missed")


class SupplyItem(models.TextChoices):
    """What is handed out to a household."""

    RICE = "rice", _("Rice, flour and oil")
    VEGETABLES = "vegetables", _("Vegetables")
    MEDICINE = "medicine", _("Medicine")
    MASKS = "masks", _("Masks")
    OTHER = "other", pgettext_lazy("supply", "Other")


# The incident a missed limit raises, by urgency.
URGENCY_SEVERITY = {
    Urgency.ROUTINE: "medium",
    Urgency.URGENT: "high",
    Urgency.EMERGENCY: "critical",
}
