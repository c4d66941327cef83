"""Test data for risk levels: settings made through the action, at a time in the past."""

import datetime as dt

from django.utils import timezone

from wangge.risk.actions import set_risk_level


def set_level(area, level, *, days_ago=0, reason="测试", acting_user=None):
    at = timezone.now() - dt.timedelta(days=days_ago)
    return set_risk_level(area, level, reason, at=at, acting_user=acting_user)
