from django.db import models
from django.utils.translation import gettext_lazy as _


class RiskLevel(models.TextChoices):
    """An area's level in closed-loop control, from the least strict to the strictest."""

    NORMAL = "normal", _("Normal")
    PREVENTION = "prevention", _("Prevention area")  # 防范区
    CONTROL = "control", _("Control area")  # 管控区
    LOCKDOWN = "lockdown", _("Lockdown area")  # 封控区


# How strict each level is: an area's level is the strictest of its own and its ancestors'.
STRICTNESS: dict[str, int] = {
    RiskLevel.NORMAL: 0,
    RiskLevel.PREVENTION: 1,
    RiskLevel.CONTROL: 2,
    RiskLevel.LOCKDOWN: 3,
}
