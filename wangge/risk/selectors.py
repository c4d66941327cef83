"""An area's effective risk level: its own current setting, else the strictest current
setting of its ancestors, else normal."""

from collections.abc import Iterable
from dataclasses import dataclass

from wangge.areas.models import Area
from wangge.risk.choices import STRICTNESS, RiskLevel
from wangge.risk.models import AreaRiskLevel


@dataclass(frozen=True)
class EffectiveLevel:
    level: str
    # The setting it comes from (the area's own or an ancestor's); None: never set (normal).
    setting: AreaRiskLevel | None

    @property
    def inherited_from(self) -> Area | None:
        return self.setting.area if self.setting is not None else None


def _ancestor_paths(path: str) -> list[str]:
    step = Area.steplen
    return [path[:i] for i in range(step, len(path) + 1, step)]


def effective_levels(areas: Iterable[Area]) -> dict[int, EffectiveLevel]:
    """The effective level of each area, by area id, in one query."""
    areas = list(areas)
    paths = {p for area in areas for p in _ancestor_paths(area.path)}
    current = {
        setting.area.path: setting
        for setting in AreaRiskLevel.objects.filter(
            area__path__in=paths, ended_at__isnull=True
        ).select_related("area")
    }
    result: dict[int, EffectiveLevel] = {}
    for area in areas:
        own = current.get(area.path)
        if own is not None:
            result[area.pk] = EffectiveLevel(own.level, own)
            continue
        inherited = [current[p] for p in _ancestor_paths(area.path)[:-1] if p in current]
        if inherited:
            strictest = max(inherited, key=lambda s: STRICTNESS[s.level])
            result[area.pk] = EffectiveLevel(strictest.level, strictest)
        else:
            result[area.pk] = EffectiveLevel(RiskLevel.NORMAL, None)
    return result


def effective_level(area: Area) -> EffectiveLevel:
    return effective_levels([area])[area.pk]
