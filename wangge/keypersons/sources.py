"""Key persons the system places itself, from the events of other apps.

A positive individual result (testing's hand-over record, `PositiveCase`, announced by the
`testing.case_positive` event) makes its person a key person: category positive, measure
centralised quarantine, in the grid of the case, keyed by the case so a second delivery
places nobody twice. A resident already under a measure keeps their record and becomes a
positive case on it. The incident is raised by the incidents app from the same event.
"""

import datetime as dt

from django.utils import timezone

from wangge.events.models import Event
from wangge.events.subscribers import subscribe
from wangge.keypersons.actions import SYSTEM, NamedPerson, mark_positive, place_under_measure
from wangge.keypersons.choices import Category, KeyPersonSource, Measure
from wangge.residents.models import Resident
from wangge.testing.models import PositiveCase
from wangge.testing.notify import CASE_POSITIVE


def case_positive(event: Event, now: dt.datetime) -> None:
    case = (
        PositiveCase.objects.select_related("area", "resident", "walk_in")
        .filter(pk=event.payload["case"])
        .first()
    )
    if case is None:
        return
    person: Resident | NamedPerson
    if case.resident is not None:
        person = case.resident
    elif case.walk_in is not None:
        walk_in = case.walk_in
        person = NamedPerson(
            name=walk_in.name,
            id_type=walk_in.id_type,
            id_number=walk_in.reveal_id_number(),
            phone=walk_in.reveal_phone(),
            address=walk_in.address,
        )
    else:
        return
    key_person = place_under_measure(
        person,
        category=Category.POSITIVE,
        measure=Measure.CENTRALISED_QUARANTINE,
        started_on=timezone.localdate(case.detected_at),
        area=case.area if case.resident is None else None,
        source=KeyPersonSource.TESTING,
        source_key=f"{CASE_POSITIVE}:{case.pk}",
        acting_user=SYSTEM,
    )
    if key_person.category != Category.POSITIVE:
        # Already followed under another measure: the same record, now a positive case
        # (testing's incident stands for it, so none is raised here).
        mark_positive(key_person, at=now, acting_user=SYSTEM, incident=False)


def register() -> None:
    subscribe(CASE_POSITIVE, "keypersons.case_positive", case_positive)
