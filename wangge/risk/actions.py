"""State changes of risk levels: set an area's level, let it inherit again, change what a
level means. Atomic and audited; the pages and the demo call these.

An area's settings are a history: a new setting ends the current one (`ended_at`), nothing
is deleted. Each change also records a `risk.level_changed` event (the area, the effective
level before and after) for the apps that act on levels.
"""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import require_in_scope
from wangge.events import actions as events
from wangge.risk.choices import STRICTNESS, RiskLevel
from wangge.risk.models import AreaRiskLevel, RiskPolicy
from wangge.risk.selectors import effective_level

Acting = User | Actor | None

# How far ahead of the server's clock a setting's time may be (a phone's clock runs fast).
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
REASON_MAX = AreaRiskLevel._meta.get_field("reason").max_length or 200
LEVEL_CHANGED = "risk.level_changed"


class RiskError(ValueError):
    """A change refused for a reason the person can fix (shown as a form error)."""


def _check(reason: str, at: dt.datetime, current: AreaRiskLevel | None) -> str:
    reason = " ".join(reason.split())
    if not reason:
        raise RiskError(_("Say why the level changes."))
    if len(reason) > REASON_MAX:
        raise RiskError(_("The reason is too long."))
    if timezone.is_naive(at):
        raise RiskError(_("The time needs a time zone."))
    if at > timezone.now() + FUTURE_TOLERANCE:
        raise RiskError(_("The time cannot be in the future."))
    if current is not None and at < current.set_at:
        raise RiskError(_("The time cannot be before the current setting's."))
    return reason


def _current(area: Area) -> AreaRiskLevel | None:
    # The row lock makes two people changing the same area wait for each other.
    return (
        AreaRiskLevel.objects.select_for_update().filter(area=area, ended_at__isnull=True).first()
    )


def _record(
    acting_user: Acting,
    action: AuditEvent,
    area: Area,
    before: str,
    after: str,
    reason: str,
    at: dt.datetime,
    obj: AreaRiskLevel | None,
) -> None:
    details = {"area": area.name, "from": before, "to": after, "reason": reason}
    events.record(LEVEL_CHANGED, {"area": area.pk, "from": before, "to": after}, area=area, at=at)
    log.record(
        acting_user,
        action,
        obj=obj,
        object_type="" if obj is not None else "areas.area",
        object_id="" if obj is not None else str(area.pk),
        area_path=area.path,
        details=details,
    )


@transaction.atomic
def set_risk_level(
    area: Area, level: str, reason: str, *, at: dt.datetime, acting_user: Acting
) -> AreaRiskLevel:
    """Set the area's own level from `at` on: the current setting ends then, and the area
    and everything below it that has no setting of its own take the new level."""
    require_in_scope(log.scope_holder(acting_user), Perm.SET_RISK_LEVELS, [area])
    if level not in RiskLevel.values:
        raise RiskError(_("Choose a level."))
    current = _current(area)
    reason = _check(reason, at, current)
    if current is not None and current.level == level:
        raise RiskError(_("The area is already at this level."))
    parent = Area.objects.get_parent(area)
    above = effective_level(parent) if parent is not None else None
    if above is not None and STRICTNESS[level] < STRICTNESS[above.level]:
        # An area's level is the strictest of its own and its ancestors' (DOMAIN.md).
        raise RiskError(
            _(
                "%(area)s above is at %(level)s, and no area can be less strict than the areas "
                "above it: change that area's level instead."
            )
            % {"area": above.inherited_from, "level": RiskLevel(above.level).label}
        )
    before = effective_level(area).level
    if current is not None:
        current.ended_at = at
        current.save(update_fields=["ended_at"])
    setting = AreaRiskLevel.objects.create(
        area=area,
        level=level,
        reason=reason,
        set_at=at,
        set_by=log.as_actor(acting_user).user,
    )
    _record(acting_user, AuditEvent.RISK_SET, area, before, level, reason, at, setting)
    return setting


@transaction.atomic
def inherit_risk_level(
    area: Area, reason: str, *, at: dt.datetime, acting_user: Acting
) -> AreaRiskLevel:
    """End the area's own setting: from `at` on it takes its ancestors' level again.
    Returns the ended setting."""
    require_in_scope(log.scope_holder(acting_user), Perm.SET_RISK_LEVELS, [area])
    current = _current(area)
    if current is None:
        raise RiskError(_("The area has no level of its own."))
    reason = _check(reason, at, current)
    current.ended_at = at
    current.save(update_fields=["ended_at"])
    after = effective_level(area).level
    _record(acting_user, AuditEvent.RISK_INHERIT, area, current.level, after, reason, at, current)
    return current


@transaction.atomic
def update_policy(
    policy: RiskPolicy,
    *,
    pool_size: int | None,
    door_to_door: bool,
    downgrade_after_days: int | None,
    downgrade_after_rounds: int,
    acting_user: Acting,
) -> RiskPolicy:
    """Change what a level means: the pool size of new rounds, door-to-door sampling, when
    a downgrade is suggested. Anyone who may set levels somewhere may change them (they
    hold for every area); the audit log keeps the values before and after."""
    holder = log.scope_holder(acting_user)
    if holder is not None and holder.scope_paths(Perm.SET_RISK_LEVELS) == []:
        raise RiskError(_("You may not change the policies."))
    if pool_size is not None and pool_size not in (1, 5, 10, 20):
        raise RiskError(_("The pool size must be 1, 5, 10 or 20."))
    if downgrade_after_days is not None and not 1 <= downgrade_after_days <= 365:
        raise RiskError(_("The days must be between 1 and 365."))
    if not 0 <= downgrade_after_rounds <= 30:
        raise RiskError(_("The rounds must be between 0 and 30."))
    fields = ("pool_size", "door_to_door", "downgrade_after_days", "downgrade_after_rounds")
    before = {name: getattr(policy, name) for name in fields}
    policy.pool_size = pool_size
    policy.door_to_door = door_to_door
    policy.downgrade_after_days = downgrade_after_days
    policy.downgrade_after_rounds = downgrade_after_rounds
    policy.updated_at = timezone.now()
    policy.updated_by = log.as_actor(acting_user).user
    policy.save()
    after = {name: getattr(policy, name) for name in fields}
    log.record(
        acting_user,
        AuditEvent.RISK_POLICY_UPDATE,
        obj=policy,
        details={"level": policy.level, "before": before, "after": after},
    )
    return policy
