"""The default time limits of the urgencies: routine 24 hours, urgent 4 hours, emergency 30
minutes. Written by a data migration through `core.defaults`; data that administrators
change in the admin."""

from typing import Any

from wangge.services.choices import Urgency

DEFAULT_LIMITS = {
    Urgency.ROUTINE: 24 * 60,
    Urgency.URGENT: 4 * 60,
    Urgency.EMERGENCY: 30,
}


def install_default_limits(policy_model: Any) -> None:
    """Write the limits that are missing (the migration passes its historical model)."""
    for urgency, minutes in DEFAULT_LIMITS.items():
        policy_model.objects.get_or_create(urgency=str(urgency), defaults={"minutes": minutes})
