"""Key persons for tests: placed through the one entry point, like everywhere else."""

import datetime as dt

from wangge.areas.models import Area
from wangge.audit.log import Actor
from wangge.keypersons.actions import NamedPerson, place_under_measure
from wangge.keypersons.choices import Category, Measure
from wangge.keypersons.models import KeyPerson
from wangge.residents.models import Resident

SYSTEM = Actor(user=None, label="tests")


def make_key_person(
    area: Area,
    name: str = "李四",
    *,
    resident: Resident | None = None,
    id_number: str = "",
    phone: str = "",
    category: str = Category.CLOSE_CONTACT,
    measure: str = Measure.HOME_QUARANTINE,
    started_on: dt.date | None = None,
    source_key: str | None = None,
) -> KeyPerson:
    person: NamedPerson | Resident = resident or NamedPerson(
        name=name, id_number=id_number, phone=phone, address="西园路1号"
    )
    return place_under_measure(
        person,
        category=category,
        measure=measure,
        started_on=started_on or dt.date(2026, 3, 1),
        area=area,
        source_key=source_key,
        acting_user=SYSTEM,
    )
