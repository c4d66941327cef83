"""The default clock policies: how long the people responsible have to acknowledge an
incident, arrive on site and report up, counted from the report, by severity (the rows
with a blank kind), with a faster clock for medical emergencies. Administrators change
them in the admin; they are data."""

from typing import Any

# kind ("" = any), severity, acknowledge, arrive, report up (minutes from the report)
DEFAULT_POLICIES = [
    ("", "critical", 5, 30, 60),
    ("", "high", 10, 60, 120),
    ("", "medium", 30, 120, 240),
    ("", "low", 60, 240, 480),
    ("medical", "critical", 3, 15, 30),
    ("medical", "high", 5, 20, 45),
]


def install_default_policies(policy_model: Any) -> None:
    """Write the default policies that are missing (the migration passes its historical model)."""
    for kind, severity, acknowledge, arrive, report in DEFAULT_POLICIES:
        policy_model.objects.get_or_create(
            kind=kind,
            severity=severity,
            defaults={
                "acknowledge_minutes": acknowledge,
                "arrive_minutes": arrive,
                "report_minutes": report,
            },
        )
