from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class IncidentKind(models.TextChoices):
    """What went wrong (the seeds' 异常情况)."""

    FEVER = "fever", _("Fever")
    POSITIVE = "positive", _("Positive result")
    REFUSAL = "refusal", _("Refusal to test")
    CROWDING = "crowding", _("Crowding at a sampling point")
    MEDICAL = "medical", _("Medical emergency")
    SUPPLY = "supply", _("Supply shortage")
    UNREST = "unrest", _("Unrest")
    # Raised by closed-loop control.
    HEALTH_CODE = "health_code", _("Red or yellow health code")
    UNMANNED_POST = "unmanned_post", _("Unmanned duty post")
    TRACING_OVERDUE = "tracing_overdue", _("Traced person without feedback")
    SERVICE_OVERDUE = "service_overdue", _("Service request late")
    DOCKING_LATE = "docking_late", _("Day's figures not confirmed in time")
    OTHER = "other", _("Other")


class IncidentSeverity(models.TextChoices):
    LOW = "low", _("Low")
    MEDIUM = "medium", _("Medium")
    HIGH = "high", _("High")
    CRITICAL = "critical", _("Critical")


class IncidentStatus(models.TextChoices):
    """The steps of an incident, in order: open → acknowledged → on site → reported up →
    closed (it may be closed from any step)."""

    OPEN = "open", _("Open")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ON_SITE = "on_site", _("On site")
    REPORTED_UP = "reported_up", _("Reported up")
    CLOSED = "closed", _("Closed")


# Statuses still running (a clock may be ticking, it shows on the lists of open incidents).
ACTIVE_STATUSES = (
    IncidentStatus.OPEN,
    IncidentStatus.ACKNOWLEDGED,
    IncidentStatus.ON_SITE,
    IncidentStatus.REPORTED_UP,
)


class Clock(models.TextChoices):
    """The three limits of an incident: acknowledge it, arrive on site, report up."""

    ACKNOWLEDGE = "acknowledge", _("Acknowledge")
    ARRIVE = "arrive", _("Arrive on site")
    REPORT = "report", _("Report up")


# The clock that runs in each status (none once reported up or closed).
CLOCK_OF_STATUS: dict[str, str] = {
    IncidentStatus.OPEN: Clock.ACKNOWLEDGE,
    IncidentStatus.ACKNOWLEDGED: Clock.ARRIVE,
    IncidentStatus.ON_SITE: Clock.REPORT,
}


class IncidentSource(models.TextChoices):
    """Who raised an incident: a person (manual) or the kind of event that raised it. The
    closed-loop sources of the next issue are added here."""

    MANUAL = "manual", _("Reported by a person")
    POOL_POSITIVE = "testing.pool_positive", _("Positive pooled tube")
    CASE_POSITIVE = "testing.case_positive", _("Positive individual result")
    RECALL_OVERDUE = "testing.recall_overdue", _("Recall open too long")
    COVERAGE_STALL = "testing.coverage_stall", _("Coverage stalled late in a round")
    CHECKPOINT_ALERT = "checkpoints.alert", _("Fever or red/yellow code at a checkpoint")
    TRACING_OVERDUE = "tracing.overdue", _("Feedback on a traced person overdue")
    POST_UNMANNED = "duty.unmanned", _("Duty post unmanned")
    SERVICE_OVERDUE = "services.overdue", _("Service request past its limit")
    DOCKING_LATE = "docking.late", _("Unit late to confirm its day's figures")


class Step(models.TextChoices):
    """A line of an incident's timeline."""

    REPORTED = "reported", pgettext_lazy("incident step", "Reported")
    ROUTED = "routed", _("Routed")
    NOTIFIED = "notified", _("Notified")
    ACKNOWLEDGED = "acknowledged", _("Acknowledged")
    ARRIVED = "arrived", _("Arrived on site")
    REPORTED_UP = "reported_up", _("Reported up")
    MISSED = "missed", _("Limit missed")
    ESCALATED = "escalated", _("Escalated")
    REASSIGNED = "reassigned", _("Reassigned")
    NOTE = "note", _("Note")
    CLOSED = "closed", _("Closed")


class StepReason(models.TextChoices):
    """Why the system wrote a line of the timeline."""

    NO_LOGIN = "no_login", _("Has no login: skipped")
    NOBODY_ABOVE = "nobody_above", _("Nobody above in the chain can sign in: the clock stops")
    NOBODY_RESPONSIBLE = "nobody", _("Nobody responsible for this area can sign in")
