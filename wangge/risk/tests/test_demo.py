"""The demo's levels: a lockdown compound, its community under control after prevention,
a prevention street, a neighbouring community whose quiet earns a downgrade suggestion."""

import datetime as dt

from django.utils import timezone

from tests.factories import make_area
from wangge.areas.choices import AreaKind
from wangge.risk.choices import RiskLevel
from wangge.risk.demo import build_demo_risk, demo_risk_exist, remove_demo_risk
from wangge.risk.downgrade import suggestions
from wangge.risk.models import AreaRiskLevel
from wangge.risk.selectors import effective_levels
from wangge.risk.tests.test_consequences import _closed_round


def test_the_demo_sets_its_levels_with_a_history_and_removes_them(tree):
    neighbour = make_area("东园社区", AreaKind.COMMUNITY, tree["street"])
    assert not demo_risk_exist(tree["district"])
    build_demo_risk(
        tree["district"],
        street=tree["street"],
        community=tree["community"],
        compound=tree["grid_a"],
        at=timezone.now(),
        acting_user=None,
    )
    assert demo_risk_exist(tree["district"])
    found = effective_levels([tree["grid_a"], tree["grid_b"], tree["community"], neighbour])
    assert found[tree["grid_a"].pk].level == RiskLevel.LOCKDOWN
    assert found[tree["grid_b"].pk].level == RiskLevel.CONTROL  # from its community
    assert found[neighbour.pk].level == RiskLevel.CONTROL
    history = AreaRiskLevel.objects.filter(area=tree["community"]).order_by("set_at")
    assert [s.level for s in history] == [RiskLevel.PREVENTION, RiskLevel.CONTROL]
    assert all(s.set_at < timezone.now() - dt.timedelta(days=1) for s in history)
    # A round closed in the quiet neighbour since: its downgrade is suggested.
    _closed_round(tree["street"], 2)
    current = list(AreaRiskLevel.objects.filter(ended_at__isnull=True).select_related("area"))
    assert {s.setting.area for s in suggestions(current)} >= {neighbour}
    assert remove_demo_risk(tree["district"]) == 5
    assert not demo_risk_exist(tree["district"])
