"""Suggested downgrades: an area set to a level whose policy's criteria now hold (so many
days without a new positive in the area and below it, so many closed rounds since with no
positive) is suggested one level down, on its page and on the workbench of those who may
set its level. Nothing changes by itself: a person decides, with a reason.

The facts belong to testing, which sits above risk: it registers a provider here
(`register_facts`) in its AppConfig.ready() — a lower app asks, a higher one answers.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone

from wangge.areas.models import Area
from wangge.risk.choices import RiskLevel
from wangge.risk.models import AreaRiskLevel, RiskPolicy
from wangge.risk.selectors import policies

# One level down from each level.
DOWNGRADE_TO: dict[str, str] = {
    RiskLevel.LOCKDOWN: RiskLevel.CONTROL,
    RiskLevel.CONTROL: RiskLevel.PREVENTION,
    RiskLevel.PREVENTION: RiskLevel.NORMAL,
}


@dataclass(frozen=True)
class QuietFacts:
    """What testing knows of an area's subtree since a time: the last positive (ever, so
    None means none at all) and the start times of the closed rounds covering the area that
    started at or after that time."""

    last_positive_at: dt.datetime | None
    closed_rounds: tuple[dt.datetime, ...] = ()


# areas with the time each one's setting started -> facts by area id
FactsProvider = Callable[[list[tuple[Area, dt.datetime]]], dict[int, QuietFacts]]

_providers: list[FactsProvider] = []


def register_facts(provider: FactsProvider) -> FactsProvider:
    if provider not in _providers:
        _providers.append(provider)
    return provider


def _facts(pairs: list[tuple[Area, dt.datetime]]) -> dict[int, QuietFacts]:
    merged: dict[int, QuietFacts] = {}
    for provider in _providers:
        for area_id, facts in provider(pairs).items():
            known = merged.get(area_id)
            if known is None:
                merged[area_id] = facts
                continue
            last = [t for t in (known.last_positive_at, facts.last_positive_at) if t]
            merged[area_id] = QuietFacts(
                max(last) if last else None, known.closed_rounds + facts.closed_rounds
            )
    return merged


@dataclass(frozen=True)
class Suggestion:
    """A setting whose level's criteria hold: go down to `to_level`."""

    setting: AreaRiskLevel
    to_level: str
    quiet_since: dt.datetime
    quiet_days: int
    negative_rounds: int

    @property
    def to_label(self) -> str:
        return str(RiskLevel(self.to_level).label)


def evaluate(
    setting: AreaRiskLevel,
    policy: RiskPolicy | None,
    facts: QuietFacts | None,
    now: dt.datetime,
) -> Suggestion | None:
    """The suggestion for one setting, if its level's criteria hold. Quiet counts from the
    later of the setting and the last positive; a round counts when it started after that."""
    to_level = DOWNGRADE_TO.get(setting.level)
    if to_level is None or policy is None or policy.downgrade_after_days is None:
        return None
    if facts is None:
        return None  # nobody knows the facts: suggest nothing
    quiet_since = setting.set_at
    if facts.last_positive_at is not None and facts.last_positive_at > quiet_since:
        quiet_since = facts.last_positive_at
    quiet = now - quiet_since
    rounds = sum(1 for started in facts.closed_rounds if started >= quiet_since)
    if quiet < dt.timedelta(days=policy.downgrade_after_days):
        return None
    if rounds < policy.downgrade_after_rounds:
        return None
    return Suggestion(setting, to_level, quiet_since, quiet.days, rounds)


def suggestions(settings: list[AreaRiskLevel], now: dt.datetime | None = None) -> list[Suggestion]:
    """The suggestions among these current settings: one query for the policies and the
    providers' own (a fixed number) whatever the number of settings."""
    now = now or timezone.now()
    candidates = [s for s in settings if s.ended_at is None and s.level in DOWNGRADE_TO]
    if not candidates:
        return []
    by_level = policies()
    candidates = [
        s
        for s in candidates
        if by_level.get(s.level) is not None and by_level[s.level].downgrade_after_days is not None
    ]
    if not candidates:
        return []
    facts = _facts([(s.area, s.set_at) for s in candidates])
    found = []
    for setting in candidates:
        suggestion = evaluate(setting, by_level.get(setting.level), facts.get(setting.area_id), now)
        if suggestion is not None:
            found.append(suggestion)
    return found
