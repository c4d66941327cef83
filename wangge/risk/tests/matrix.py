"""Permission-matrix cases of the risk pages (format: tests/test_permission_matrix.py).

A level is seen by whoever views areas there and changed by whoever sets levels there;
the other district's area is 404. The policies hold everywhere: any holder of
SET_RISK_LEVELS may change them (audited), others get 403.
"""

import datetime as dt

from django.utils import timezone

from wangge.accounts.tests.permission_matrix import Case, Sibling, World
from wangge.core.permissions import Perm
from wangge.risk.actions import set_risk_level


def _set(area, reason):
    at = timezone.now() - dt.timedelta(days=1)
    set_risk_level(area, "control", reason, at=at, acting_user=None)


def build(world: World) -> None:
    _set(world.tree["grid_a"], "MX-RISK-A")
    _set(world.tree["grid_b"], "MX-RISK-B")
    _set(world.other["grid_a"], "MX-RISK-外")
    world.foreign_markers.append("MX-RISK-外")


def _mine(w):
    return {"pk": w.tree["grid_a"].pk}


def _foreign(w):
    return {"pk": w.other["grid_a"].pk}


def _sibling(w):
    return {"pk": w.tree["grid_b"].pk}


def _now():
    # A minute ahead (the form takes minutes; up to five ahead is allowed): after any level
    # another app's world set on the same grid a moment ago (door-to-door service's sets
    # lockdown, hence prevention in the case below).
    return (timezone.localtime() + dt.timedelta(minutes=1)).strftime("%Y-%m-%dT%H:%M")


CASES = [
    Case("risk:list", perm=Perm.VIEW_AREAS, denied=403),
    Case("risk:area", perm=Perm.VIEW_AREAS, kwargs=_mine, foreign=_foreign),
    Case(
        "risk:set",
        method="POST",
        perm=Perm.SET_RISK_LEVELS,
        kwargs=_mine,
        foreign=_foreign,
        data=lambda w: {"level": "prevention", "reason": "周边出现病例", "at": _now()},
        ok=302,
        sibling=Sibling(kwargs=_sibling),
    ),
    Case(
        "risk:inherit",
        method="POST",
        perm=Perm.SET_RISK_LEVELS,
        kwargs=_mine,
        foreign=_foreign,
        data=lambda w: {"reason": "解除", "at": _now()},
        ok=302,
        sibling=Sibling(kwargs=_sibling),
    ),
    Case("risk:policies", perm=Perm.VIEW_AREAS, denied=403),
    Case(
        "risk:policy",
        method="POST",
        perm=Perm.SET_RISK_LEVELS,
        data=lambda w: {
            "level": "control",
            "control-pool_size": "5",
            "control-downgrade_after_days": "3",
            "control-downgrade_after_rounds": "1",
        },
        ok=302,
        denied=403,
        unscoped_write="the policies hold for every area; no area is named",
    ),
]
