"""The default consequences of each level (2022 guidance, 第九版防控方案): single tubes in
lockdown, 10 in 1 in control, 20 in 1 in prevention, lockdown homes sampled door to door;
a lockdown area goes down after 7 days without a new positive, a control area after 3.
They are data: those who set levels change them on the policies page."""

from typing import Any

from wangge.risk.choices import RiskLevel

# level, pool size (None: the round's own), door to door, downgrade after days, after rounds
DEFAULT_POLICIES: list[tuple[str, int | None, bool, int | None, int]] = [
    (RiskLevel.LOCKDOWN, 1, True, 7, 2),
    (RiskLevel.CONTROL, 10, False, 3, 1),
    (RiskLevel.PREVENTION, 20, False, 7, 1),
    (RiskLevel.NORMAL, None, False, None, 0),
]


def install_default_policies(policy_model: Any) -> None:
    """Write the policies that are missing (the migration passes its historical model)."""
    for level, pool, door, days, rounds in DEFAULT_POLICIES:
        policy_model.objects.get_or_create(
            level=str(level),
            defaults={
                "pool_size": pool,
                "door_to_door": door,
                "downgrade_after_days": days,
                "downgrade_after_rounds": rounds,
            },
        )
