"""Test data for the door-to-door service: risk levels and key persons written directly
(their apps' actions are theirs to test), requests through the actions."""

import datetime as dt
import itertools

from django.utils import timezone

from tests.factories import make_resident
from wangge.areas.models import Area
from wangge.keypersons.actions import place_under_measure
from wangge.keypersons.choices import Category, Measure
from wangge.keypersons.models import KeyPerson
from wangge.residents.actions import get_or_create_household
from wangge.residents.models import Household
from wangge.risk.choices import RiskLevel
from wangge.risk.models import AreaRiskLevel
from wangge.services import actions
from wangge.services.choices import Channel, ServiceKind, Urgency
from wangge.services.models import ServiceRequest

_rooms = itertools.count(501)


def set_level(area: Area, level: str = RiskLevel.LOCKDOWN) -> AreaRiskLevel:
    AreaRiskLevel.objects.filter(area=area, ended_at__isnull=True).update(ended_at=timezone.now())
    return AreaRiskLevel.objects.create(
        area=area, level=level, reason="测试", set_at=timezone.now() - dt.timedelta(days=1)
    )


def make_household(grid: Area, room: str | None = None, *, building: str = "3") -> Household:
    return get_or_create_household(
        grid, building=building, unit="2", room=room or str(next(_rooms))
    )


def make_home_key_person(
    grid: Area, name: str = "王五", *, measure: str = Measure.HOME_QUARANTINE
) -> KeyPerson:
    resident = make_resident(grid, name, room=str(next(_rooms)))
    return place_under_measure(
        resident,
        category=Category.CLOSE_CONTACT,
        measure=measure,
        started_on=timezone.localdate(),
        acting_user=None,
    )


def make_request(
    household: Household,
    *,
    kind: str = ServiceKind.GROCERIES,
    urgency: str = Urgency.ROUTINE,
    detail: str = "大米 10 斤",
    at: dt.datetime | None = None,
    acting_user: object = None,
    **extra: object,
) -> ServiceRequest:
    """A request of an eligible household (the caller puts it in lockdown or under a home
    measure first)."""
    new = actions.NewRequest(
        kind=kind,
        urgency=urgency,
        channel=Channel.PHONE,
        detail=detail,
        **extra,  # type: ignore[arg-type]
    )
    return actions.record_request(
        household,
        new,
        at=at or timezone.now(),
        acting_user=acting_user,  # type: ignore[arg-type]
    )
