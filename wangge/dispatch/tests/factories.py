"""Test data for the dispatch boards: a team with a leader who signs in, and its members."""

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from tests.factories import UserFactory
from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.dispatch.models import Board, Task
from wangge.workforce.choices import WorkerKind
from wangge.workforce.models import Team, Worker
from wangge.workforce.tests.factories import make_team, make_worker


@dataclass
class Crew:
    """A team, its leader (with a login) and its members (the first with a login)."""

    team: Team
    leader: Worker
    leader_user: User
    members: list[Worker]
    member_user: User


def make_crew(area: Area, size: int = 3, *, name: str = "蓝马甲服务队", prefix: str = "") -> Crew:
    leader_user = UserFactory(username=f"{prefix}leader{area.pk}")
    member_user = UserFactory(username=f"{prefix}member{area.pk}")
    leader = make_worker(area, f"{prefix}队长", kind=WorkerKind.VOLUNTEER, user=leader_user)
    members = [
        make_worker(
            area,
            f"{prefix}队员{i:02d}",
            kind=WorkerKind.VOLUNTEER,
            user=member_user if i == 0 else None,
        )
        for i in range(size)
    ]
    team = make_team(area, name, leader=leader, members=tuple(members))
    return Crew(team, leader, leader_user, members, member_user)


def make_task(
    team: Team,
    worker: Worker,
    place: Area,
    *,
    day: dt.date | None = None,
    kind: str = "patrol",
    **extra: object,
) -> Task:
    board, _created = Board.objects.get_or_create(team=team, day=day or timezone.localdate())
    return Task.objects.create(
        board=board, worker=worker, kind=kind, place=place, assigned_at=timezone.now(), **extra
    )
