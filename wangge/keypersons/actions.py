"""Placing a person under a measure, and what follows. Every other part of Wangge that
makes a key person (a checkpoint, a list to trace, a positive result) calls
`place_under_measure`: one entry point, idempotent by the source's key."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor, as_actor, record, scope_holder
from wangge.core.permissions import Perm
from wangge.core.scoping import require_in_scope
from wangge.keypersons.choices import KeyPersonSource, KeyPersonStatus
from wangge.keypersons.models import KeyPerson
from wangge.lib.idnumbers import IdType
from wangge.residents.actions import find_by_id_number
from wangge.residents.models import Household, Resident

Acting = User | Actor | None

# Days a measure lasts unless its policy says otherwise (the 2022 guidance's seven).
DEFAULT_MEASURE_DAYS = 7


@dataclass(frozen=True)
class NamedPerson:
    """A person named by a list, a checkpoint or a form: matched against the registry by
    their document; kept sealed on the key person when no resident matches."""

    name: str
    id_type: str = IdType.RESIDENT_CARD
    id_number: str = ""  # validated and canonical (wangge.lib.idnumbers)
    phone: str = ""  # validated and canonical (wangge.lib.phones)
    address: str = ""


def match_resident(person: NamedPerson) -> Resident | None:
    """The registry's resident with this document (the keyed lookup), if any."""
    if not person.id_number:
        return None
    return find_by_id_number(person.id_type, person.id_number)


@transaction.atomic
def place_under_measure(
    person: NamedPerson | Resident,
    *,
    category: str,
    measure: str,
    started_on: dt.date,
    area: Area | None = None,
    household: Household | None = None,
    source: str = KeyPersonSource.MANUAL,
    source_key: str | None = None,
    note: str = "",
    acting_user: Acting,
) -> KeyPerson:
    """Place a person under a measure in the grid responsible for them.

    A resident (given, or matched by document) is followed in their own grid and household
    unless `area` says otherwise; anyone else needs `area`. A resident already under a
    measure keeps that record (it is returned), and so does a retry with the same
    `source_key`.
    """
    if source_key:
        existing: KeyPerson | None = KeyPerson.objects.filter(source_key=source_key).first()
        if existing is not None:
            return existing
    resident = person if isinstance(person, Resident) else match_resident(person)
    if resident is not None:
        area = area or resident.grid
        household = household or resident.household
        already: KeyPerson | None = KeyPerson.objects.filter(
            resident=resident, status=KeyPersonStatus.UNDER_MEASURE
        ).first()
        if already is not None:
            return already
    if area is None:
        raise ValueError("a person outside the registry needs the area responsible for them")
    require_in_scope(scope_holder(acting_user), Perm.FOLLOW_UP, [area])
    key_person = KeyPerson(
        area=area,
        resident=resident,
        household=household,
        category=category,
        measure=measure,
        started_on=started_on,
        planned_end_on=started_on + dt.timedelta(days=DEFAULT_MEASURE_DAYS),
        source=source,
        source_key=source_key or None,
        note=note,
        created_by=as_actor(acting_user).user,
    )
    if resident is not None:
        key_person.name = resident.name
    else:
        assert isinstance(person, NamedPerson)  # noqa: S101 (a resident was matched above)
        key_person.name = person.name
        key_person.address = person.address
        key_person.set_id_number(person.id_type, person.id_number)
        key_person.set_phone(person.phone)
    try:
        with transaction.atomic():
            key_person.save()
    except IntegrityError:
        # The same source placed them at the same moment (two workers): theirs stands.
        if source_key:
            placed: KeyPerson = KeyPerson.objects.get(source_key=source_key)
            return placed
        raise
    record(
        acting_user,
        AuditEvent.KEY_PERSON_PLACE,
        obj=key_person,
        area_path=area.path,
        details={"category": category, "measure": measure, "source": source},
    )
    return key_person
