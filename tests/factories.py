"""Factories for test data: areas built into the tree, households, residents with valid IDs."""

import datetime as dt
import itertools

import factory

from wangge.accounts.models import RoleAssignment, User
from wangge.areas.choices import AreaKind
from wangge.areas.models import Area
from wangge.lib.idnumbers import IdType, make_resident_card_number
from wangge.residents import actions
from wangge.residents.models import Household, Resident

_sequence = itertools.count(1)


def make_area(name: str, kind: str, parent: Area | None = None, code: str | None = None) -> Area:
    node = Area(name=name, kind=kind, code=code)
    if parent is None:
        return Area.objects.add_root(instance=node)
    parent.refresh_from_db()
    return Area.objects.add_child(parent, instance=node)


def make_tree(prefix: str = "", district_code: str = "620103") -> dict[str, Area]:
    """City → district → street → community → two compounds."""
    city = make_area(f"{prefix}兰州市", AreaKind.CITY)
    district = make_area(f"{prefix}七里河区", AreaKind.DISTRICT, city, code=district_code)
    street = make_area(f"{prefix}西园街道", AreaKind.STREET, district)
    community = make_area(f"{prefix}西园社区", AreaKind.COMMUNITY, street)
    grid_a = make_area(f"{prefix}一号小区", AreaKind.COMPOUND, community)
    grid_b = make_area(f"{prefix}二号小区", AreaKind.COMPOUND, community)
    return {
        "city": city,
        "district": district,
        "street": street,
        "community": community,
        "grid_a": grid_a,
        "grid_b": grid_b,
    }


def id_number(region: str = "620103", birth: dt.date | None = None, sex: str = "M") -> str:
    """A fresh valid number each call (order codes step by two to keep the sex digit)."""
    step = next(_sequence)
    birth = birth or dt.date(1980, 5, 17) + dt.timedelta(days=step // 400)
    return make_resident_card_number(region, birth, (step % 400) * 2, sex)


def make_resident(
    grid: Area,
    name: str = "张三",
    *,
    number: str | None = None,
    phone: str = "13900001234",
    room: str = "101",
    **extra: object,
) -> Resident:
    household = actions.get_or_create_household(grid, building="1", unit="1", room=room)
    data = actions.ResidentData.clean(
        name=name,
        id_type=IdType.RESIDENT_CARD,
        id_number=number if number is not None else id_number(),
        phone=phone,
        **extra,
    )
    return actions.register_resident(household, data, acting_user=None)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(self, create, extracted, **kwargs):
        if create:
            self.save()


def grant(user: User, role: str, area: Area) -> User:
    RoleAssignment.objects.create(user=user, role=role, area=area)
    if hasattr(user, "_assignment_cache"):
        del user._assignment_cache
    return user


__all__ = [
    "Household",
    "Resident",
    "UserFactory",
    "grant",
    "id_number",
    "make_area",
    "make_resident",
    "make_tree",
]
