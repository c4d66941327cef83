"""Test data for the workforce: workers, teams and responsibilities, written directly (the
actions are tested on their own)."""

import datetime as dt
import itertools

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.residents.models import Household
from wangge.workforce.choices import TeamKind, WorkerKind
from wangge.workforce.models import Duty, Responsibility, Team, TeamMembership, Worker

_phones = itertools.count(13800000000)
# Responsibilities start before every fake clock's time (tests' `clock` starts 2026-03-01).
LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)


def make_worker(
    area: Area,
    name: str = "李四",
    *,
    kind: str = WorkerKind.COMMUNITY_STAFF,
    phone: str | None = None,
    user: User | None = None,
    **extra: object,
) -> Worker:
    worker = Worker(name=name, kind=kind, area=area, user=user, **extra)
    worker.set_phone(phone if phone is not None else str(next(_phones)))
    worker.save()
    return worker


def make_team(
    area: Area,
    name: str = "党员先锋队",
    *,
    kind: str = TeamKind.PARTY_VANGUARD,
    leader: Worker | None = None,
    members: tuple[Worker, ...] = (),
) -> Team:
    team = Team.objects.create(name=name, kind=kind, area=area, leader=leader)
    for worker in {*members, *([leader] if leader else [])}:
        TeamMembership.objects.create(team=team, worker=worker, joined_at=LONG_AGO)
    return team


def duty(code: str) -> Duty:
    """One of the default duties (workforce/migrations/0002_default_duties.py)."""
    return Duty.objects.get(code=code)


def assign(
    worker: Worker,
    area: Area,
    duty_code: str,
    *,
    household: Household | None = None,
    started_at: dt.datetime = LONG_AGO,
    ended_at: dt.datetime | None = None,
) -> Responsibility:
    return Responsibility.objects.create(
        worker=worker,
        area=household.grid if household else area,
        household=household,
        duty=duty(duty_code),
        started_at=started_at,
        ended_at=ended_at,
    )
