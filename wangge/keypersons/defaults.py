"""The default measure policies, after the 2022 guidance (新型冠状病毒肺炎防控方案（第九版）,
June 2022):

- centralised quarantine (集中隔离医学观察, close contacts): 7 days, nucleic acid tests on
  days 1, 2, 3, 5 and 7;
- home quarantine (居家隔离医学观察, secondary contacts, people from medium-risk areas):
  7 days, tests on days 1, 4 and 7;
- home health monitoring (居家健康监测, after a centralised quarantine): 3 days, a test on
  day 3.

Temperature and symptoms are checked every day under all three. People with
MANAGE_CONTROL change the policies on the policies page; they are data.
"""

from typing import Any

# measure, duration in days, test days, daily health checks
DEFAULT_POLICIES: list[tuple[str, int, list[int], bool]] = [
    ("centralised", 7, [1, 2, 3, 5, 7], True),
    ("home_quarantine", 7, [1, 4, 7], True),
    ("home_monitoring", 3, [3], True),
]


def install_default_policies(policy_model: Any) -> None:
    """Write the default policies that are missing (the migration passes its historical model)."""
    for measure, days, test_days, checks in DEFAULT_POLICIES:
        policy_model.objects.get_or_create(
            measure=measure,
            defaults={"duration_days": days, "test_days": test_days, "daily_checks": checks},
        )
