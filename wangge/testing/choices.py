from django.db import models
from django.utils.translation import gettext_lazy as _


class PoolSize(models.IntegerChoices):
    SINGLE = 1, _("1 (individual)")
    FIVE = 5, _("5 in 1")
    TEN = 10, _("10 in 1")
    TWENTY = 20, _("20 in 1")


class RoundStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("In progress")
    CLOSED = "closed", _("Closed")


class TubeStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SEALED = "sealed", _("Sealed")
    SHIPPED = "shipped", _("Shipped")
    RECEIVED = "received", _("Received by lab")
    RESULTED = "resulted", _("Resulted")


class TestResult(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")
    INVALID = "invalid", _("Invalid")


class SamplingMode(models.TextChoices):
    POINT = "point", _("At a sampling point")
    DOOR = "door", _("Door to door")


class VisitOutcome(models.TextChoices):
    SAMPLED = "sampled", _("Sampled")
    NOBODY_HOME = "nobody_home", _("Nobody home")
    REFUSED = "refused", _("Refused")


class ExemptionReason(models.TextChoices):
    AWAY = "away", _("Away from home")
    HOSPITALISED = "hospitalised", _("In hospital")
    UNDER_TREATMENT = "under_treatment", _("Under treatment")
    INFANT = "infant", _("Infant")
    RECENTLY_TESTED = "recently_tested", _("Tested elsewhere")
    OTHER = "other", _("Other")


class RecallStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class ResultSource(models.TextChoices):
    IMPORT = "import", _("Laboratory file")
    API = "api", _("Laboratory API")
    MANUAL = "manual", _("Entered by hand")


class FollowUpOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    WILL_COME = "will_come", _("Will come")
    REFUSES = "refuses", _("Refuses")
    UNREACHABLE = "unreachable", _("Not reachable")
    AWAY = "away", _("Away")
