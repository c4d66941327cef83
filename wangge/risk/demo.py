"""The demo district's risk levels: the logins' compound in lockdown, its community under
control (first prevention, then control: a history with an earlier change), its street a
prevention area, and a neighbouring community under control long enough ago, with no
positive since, that a downgrade is suggested once a round has closed there.

Set through the action at past times, so the history, the audit log and the events are
what a street's leader would have written. Other apps (key persons, services) read these
levels through `effective_levels`, so the demo builds them right after incidents.
"""

import datetime as dt

from django.db import transaction

from wangge.areas.choices import GRID_KINDS
from wangge.areas.models import Area
from wangge.core.scoping import subtree_q
from wangge.risk.actions import Acting, set_risk_level
from wangge.risk.choices import RiskLevel
from wangge.risk.models import AreaRiskLevel


def demo_risk_exist(district: Area) -> bool:
    return AreaRiskLevel.objects.filter(subtree_q([district.path], "area__path")).exists()


def remove_demo_risk(district: Area) -> int:
    """Delete every setting in the district before a demo reset removes its areas."""
    deleted, _by_model = AreaRiskLevel.objects.filter(
        subtree_q([district.path], "area__path")
    ).delete()
    return deleted


def _neighbour(community: Area) -> Area | None:
    siblings = Area.objects.get_siblings(community).exclude(pk=community.pk).order_by("path")
    found: Area | None = siblings.first()
    return found


@transaction.atomic
def build_demo_risk(
    district: Area,
    *,
    street: Area,
    community: Area,
    compound: Area,
    at: dt.datetime,
    acting_user: Acting,
) -> list[AreaRiskLevel]:
    """Set the demo's levels; `at` is now, the settings lie a few days before it."""
    if compound.kind not in GRID_KINDS:
        compound = (
            Area.objects.filter(subtree_q([community.path]), kind__in=GRID_KINDS)
            .order_by("path")
            .first()
            or compound
        )

    def days(n: float) -> dt.datetime:
        return at - dt.timedelta(days=n)

    made = [
        set_risk_level(
            street,
            RiskLevel.PREVENTION,
            "辖区社区出现阳性病例，全街道按防范区管理",
            at=days(6),
            acting_user=acting_user,
        ),
        set_risk_level(
            community,
            RiskLevel.PREVENTION,
            "混管阳性待复核，社区加强防范",
            at=days(5.5),
            acting_user=acting_user,
        ),
        set_risk_level(
            community,
            RiskLevel.CONTROL,
            "单管复核阳性，社区升级为管控区：人不出区、严禁聚集",
            at=days(5),
            acting_user=acting_user,
        ),
        set_risk_level(
            compound,
            RiskLevel.LOCKDOWN,
            "阳性病例居住小区，封控管理：足不出户、上门服务",
            at=days(5),
            acting_user=acting_user,
        ),
    ]
    neighbour = _neighbour(community)
    if neighbour is not None:
        made.append(
            set_risk_level(
                neighbour,
                RiskLevel.CONTROL,
                "密接人员轨迹涉及，社区按管控区管理",
                at=days(9),
                acting_user=acting_user,
            )
        )
    return made
