"""Every change to lists to trace: import, start by hand, add, assign, feedback, overdue.

Matching is the registry's keyed lookup (the blind index of the ID number) done in bulk:
chunked `IN` queries, never one query per person. A matched resident is followed by their
own grid when it lies in the receiving area; anyone else waits at the receiving area (a
community's staff follow them; above a community, its staff assign them below).
"""

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor, as_actor, record, scope_holder
from wangge.core.bulk import BatchSql, copy_rows
from wangge.core.permissions import Perm
from wangge.core.personal_data import id_number_lookups, seal_id_number, seal_phone
from wangge.core.scoping import is_within, require_in_scope
from wangge.incidents.actions import raise_incident
from wangge.incidents.choices import IncidentKind, IncidentSeverity, IncidentSource
from wangge.incidents.models import Incident
from wangge.keypersons.actions import NamedPerson, place_under_measure
from wangge.keypersons.choices import KeyPersonSource, KeyPersonStatus
from wangge.keypersons.models import KeyPerson
from wangge.residents.models import Resident
from wangge.tracing import importing
from wangge.tracing.choices import COMMUNITY_KINDS, FEEDBACK_STATUSES, ListSource, TracedStatus
from wangge.tracing.errors import TracingError
from wangge.tracing.importing import Analysis, PersonInput
from wangge.tracing.models import TracedList, TracedPerson

Acting = User | Actor | None
# Candidates per person are one blind-index value per key: 900 keeps every IN list under
# SQLite's older limit of 999 bound parameters whatever the keyring.
LOOKUP_CHUNK = 450
SYSTEM = Actor(user=None, source="worker", label="tracing")

_T = TypeVar("_T")


def _chunks(items: Sequence[_T], size: int) -> Iterator[Sequence[_T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class Match:
    """What the registry says of one person: their resident and grid, and whether an open
    key person already follows them."""

    resident_id: int | None = None
    grid_id: int | None = None
    grid_path: str = ""
    controlled: bool = False


def match_people(people: Sequence[PersonInput]) -> list[Match]:
    """Each person's match, in order: two queries per chunk of people with a number."""
    matches = [Match() for _ in people]
    numbered = [(i, person) for i, person in enumerate(people) if person.id_number]
    for chunk in _chunks(numbered, LOOKUP_CHUNK):
        wanted: dict[str, int] = {}
        for i, person in chunk:
            for candidate in id_number_lookups(person.id_type, person.id_number):
                wanted[candidate] = i
        residents = Resident.objects.filter(id_number_index__in=list(wanted)).order_by()
        by_resident: dict[int, int] = {}
        for pk, index, grid_id, path in residents.values_list(
            "pk", "id_number_index", "grid_id", "grid__path"
        ):
            i = wanted[str(index)]
            matches[i] = Match(pk, grid_id, path)
            by_resident[pk] = i
        open_records = (
            KeyPerson.objects.filter(status=KeyPersonStatus.UNDER_MEASURE)
            .filter(Q(resident_id__in=list(by_resident)) | Q(id_number_index__in=list(wanted)))
            .order_by()
            .values_list("resident_id", "id_number_index")
        )
        for resident_id, index in open_records:
            at = by_resident.get(resident_id) if resident_id else wanted.get(str(index))
            if at is not None:
                found = matches[at]
                matches[at] = Match(found.resident_id, found.grid_id, found.grid_path, True)
    return matches


def _responsible(receiving: Area, match: Match) -> tuple[int, int | None]:
    """(area responsible, resident) for one match: the resident's grid inside the
    receiving area, else the receiving area itself (a resident registered elsewhere is
    not linked: the receiving area's staff do not see that registry)."""
    if match.grid_id is not None and is_within(match.grid_path, receiving.path):
        return match.grid_id, match.resident_id
    return int(receiving.pk), None


def _person_row(
    traced_list: TracedList, person: PersonInput, match: Match, cells: Sequence[object]
) -> TracedPerson:
    area_id, resident_id = _responsible(traced_list.area, match)
    row = TracedPerson(
        traced_list=traced_list,
        row_number=person.row_number,
        name=person.name,
        reason=person.reason or traced_list.reason,
        deadline=person.deadline or traced_list.deadline,
        cells=list(cells),
        resident_id=resident_id,
        area_id=area_id,
        proposed_status=TracedStatus.ALREADY_CONTROLLED if match.controlled else "",
    )
    row.set_id_number(person.id_type, person.id_number)
    row.set_phone(person.phone)
    return row


# The columns an import writes (COPY on PostgreSQL, executemany on SQLite: core.bulk);
# the feedback columns keep their defaults (empty, NULL).
PERSON_COLUMNS = (
    "traced_list_id",
    "row_number",
    "name",
    "reason",
    "deadline",
    "cells",
    "resident_id",
    "area_id",
    "status",
    "proposed_status",
    "feedback_note",
    "left_to",
    "id_type",
    "id_number_cipher",
    "id_number_index",
    "id_number_masked",
    "phone_cipher",
    "phone_index",
    "phone_masked",
)


def _person_values(
    traced_list: TracedList, person: PersonInput, match: Match, batch: BatchSql
) -> tuple[object, ...]:
    """One imported person as the row `PERSON_COLUMNS` names, sealed like `_person_row`."""
    area_id, resident_id = _responsible(traced_list.area, match)
    number = seal_id_number(person.id_type, person.id_number)
    phone = seal_phone(person.phone)
    return (
        traced_list.pk,
        person.row_number,
        person.name,
        person.reason or traced_list.reason,
        batch.time(person.deadline or traced_list.deadline),
        json.dumps(list(person.cells), ensure_ascii=False),
        resident_id,
        area_id,
        TracedStatus.PENDING.value,
        TracedStatus.ALREADY_CONTROLLED.value if match.controlled else "",
        "",
        "",
        person.id_type,
        number.cipher,
        number.index,
        number.masked,
        phone.cipher,
        phone.index,
        phone.masked,
    )


def stage_list(
    data: bytes, file_name: str, *, owner: User, meta: dict[str, Any]
) -> tuple[str, Analysis]:
    """Check an uploaded list and keep it, encrypted, for its uploader's decision, with
    what the uploader said of it (`meta`: area, title, reason, deadline)."""
    analysis = importing.analyse(data, file_name)
    payload = {"meta": meta, "list": analysis.to_json()}
    token = importing.STAGING.keep(payload, owner=int(owner.pk))
    return token, analysis


def staged_list(token: str, *, owner: User) -> tuple[Analysis, dict[str, Any]]:
    """A list its owner staged, with its meta; TracingError("expired") when gone."""
    payload = importing.STAGING.fetch(token, owner=int(owner.pk))
    if payload is None:
        raise TracingError("expired")
    return Analysis.from_json(payload["list"]), dict(payload["meta"])


def discard_staged(token: str, *, owner: User) -> None:
    if importing.STAGING.fetch(token, owner=int(owner.pk)) is not None:
        importing.STAGING.delete(token)


@transaction.atomic
def import_list(
    analysis: Analysis,
    *,
    area: Area,
    title: str,
    reason: str,
    deadline: dt.datetime,
    acting_user: Acting,
) -> TracedList:
    """Create a list from a checked sheet, every person matched and assigned: all or
    nothing (a sheet with a bad row is refused whole)."""
    require_in_scope(scope_holder(acting_user), Perm.MANAGE_CONTROL, [area])
    if analysis.errors:
        raise TracingError("has_errors")
    traced_list = TracedList.objects.create(
        title=title,
        reason=reason,
        deadline=deadline,
        area=area,
        source=ListSource.ABOVE,
        file_name=analysis.file_name,
        sheet_name=analysis.sheet_name[:100],
        preamble=analysis.preamble,
        columns=analysis.columns,
        fields=analysis.fields,
        created_by=as_actor(acting_user).user,
    )
    matches = match_people(analysis.people)
    batch = BatchSql(traced_list.created_at)
    rows = [
        _person_values(traced_list, person, match, batch)
        for person, match in zip(analysis.people, matches, strict=True)
    ]
    copy_rows(TracedPerson, PERSON_COLUMNS, rows)
    record(
        acting_user,
        AuditEvent.TRACED_LIST_IMPORT,
        obj=traced_list,
        area_path=area.path,
        details={
            "people": len(rows),
            "matched": sum(1 for match in matches if match.resident_id),
            "file_name": analysis.file_name,
        },
    )
    return traced_list


@transaction.atomic
def start_list(
    area: Area, *, title: str, reason: str, deadline: dt.datetime, acting_user: Acting
) -> TracedList:
    """A list a grid (or community) starts by hand, in the default layout."""
    require_in_scope(scope_holder(acting_user), Perm.FOLLOW_UP, [area])
    traced_list = TracedList.objects.create(
        title=title,
        reason=reason,
        deadline=deadline,
        area=area,
        source=ListSource.GRID,
        sheet_name=title[:31],
        preamble=[[title], [name for _key, name in importing.DEFAULT_LAYOUT]],
        columns=[name for _key, name in importing.DEFAULT_LAYOUT],
        fields=importing.default_fields(),
        created_by=as_actor(acting_user).user,
    )
    record(acting_user, AuditEvent.TRACED_LIST_START, obj=traced_list, area_path=area.path)
    return traced_list


@transaction.atomic
def add_person(
    traced_list: TracedList, person: PersonInput, *, acting_user: Acting
) -> TracedPerson:
    """Add one person to a list by hand, matched and assigned like an imported one."""
    require_in_scope(scope_holder(acting_user), Perm.FOLLOW_UP, [traced_list.area])
    # Serialise additions to one list (the row number is the next one).
    TracedList.objects.select_for_update().filter(pk=traced_list.pk).first()
    last = traced_list.people.aggregate(last=Max("row_number"))["last"] or 0
    if not last:
        last = len(traced_list.preamble)
    seq = traced_list.people.count() + 1
    numbered = PersonInput(
        last + 1,
        person.name,
        person.id_type,
        person.id_number,
        person.phone,
        person.address,
        person.reason,
        person.deadline,
    )
    (match,) = match_people([numbered])
    cells: Sequence[object] = importing.default_cells(numbered, seq)
    if traced_list.source == ListSource.ABOVE:
        cells = _cells_for_layout(traced_list, numbered, seq)
    row = _person_row(traced_list, numbered, match, cells)
    row.save()
    record(
        acting_user,
        AuditEvent.TRACED_PERSON_ADD,
        obj=row,
        area_path=row.area.path,
        details={"list": traced_list.pk, "matched": bool(row.resident_id)},
    )
    return row


def _cells_for_layout(traced_list: TracedList, person: PersonInput, seq: int) -> list[object]:
    """A hand-added person's row in an imported list's own layout."""
    cells: list[object] = [None] * len(traced_list.columns)
    values = dict(
        zip(
            [k for k, _n in importing.DEFAULT_LAYOUT],
            importing.default_cells(person, seq),
            strict=True,
        )
    )
    for key, index in traced_list.fields.items():
        if key not in importing.SEALED_COLUMNS and index < len(cells):
            cells[index] = values.get(key)
    return cells


@transaction.atomic
def assign_person(person: TracedPerson, area: Area, *, acting_user: Acting) -> TracedPerson:
    """Hand a person waiting at the receiving area to a community or grid below it."""
    require_in_scope(scope_holder(acting_user), Perm.MANAGE_CONTROL, [person.area, area])
    if not person.is_pending:
        raise TracingError("not_pending")
    below = is_within(area.path, person.area.path) and area.pk != person.area_id
    if not below or not (area.is_grid or area.kind in COMMUNITY_KINDS):
        raise TracingError("assign_area", field="area")
    previous = person.area
    person.area = area
    person.save(update_fields=["area"])
    record(
        acting_user,
        AuditEvent.TRACED_ASSIGN,
        obj=person,
        area_path=previous.path,
        details={"list": person.traced_list_id, "to": area.pk},
    )
    return person


@transaction.atomic
def give_feedback(
    person: TracedPerson,
    *,
    status: str,
    note: str = "",
    left_to: str = "",
    category: str = "",
    measure: str = "",
    acting_user: Acting,
    at: dt.datetime | None = None,
) -> TracedPerson:
    """The grid's feedback on one person; "found and placed" places them under a measure
    through the key persons' one entry point (idempotent by the traced person)."""
    require_in_scope(scope_holder(acting_user), Perm.FOLLOW_UP, [person.area])
    if status not in FEEDBACK_STATUSES:
        raise TracingError("status_invalid", field="status")
    left_to = " ".join(left_to.split())[:100]
    if status == TracedStatus.LEFT_AREA and not left_to:
        raise TracingError("left_to_missing", field="left_to")
    at = at or timezone.now()
    if status == TracedStatus.FOUND_PLACED:
        if not (category and measure):
            raise TracingError("measure_missing", field="measure")
        subject: Resident | NamedPerson
        if person.resident is not None:
            subject = person.resident
        else:
            subject = NamedPerson(
                name=person.name,
                id_type=person.id_type,
                id_number=person.reveal_id_number(),
                phone=person.reveal_phone(),
            )
        person.key_person = place_under_measure(
            subject,
            category=category,
            measure=measure,
            started_on=timezone.localdate(at),
            area=person.area,
            source=KeyPersonSource.TRACING,
            source_key=f"tracing:{person.pk}",
            note=note[:200],
            acting_user=acting_user,
        )
    person.status = status
    person.feedback_note = " ".join(note.split())[:300]
    person.left_to = left_to if status == TracedStatus.LEFT_AREA else ""
    person.feedback_by = as_actor(acting_user).user
    person.feedback_at = at
    person.save(
        update_fields=[
            "status",
            "feedback_note",
            "left_to",
            "feedback_by",
            "feedback_at",
            "key_person",
        ]
    )
    record(
        acting_user,
        AuditEvent.TRACED_FEEDBACK,
        obj=person,
        area_path=person.area.path,
        details={"list": person.traced_list_id, "status": status},
    )
    return person


def overdue_incidents(now: dt.datetime) -> int:
    """Raise one incident per (list, area) with people past their deadline and no feedback;
    idempotent by its key, so a later pass raises nothing twice. Returns how many were new."""
    groups = list(
        TracedPerson.objects.filter(status=TracedStatus.PENDING, deadline__lt=now)
        .order_by()
        .values_list("traced_list_id", "area_id")
        .distinct()
    )
    keys = {(list_id, area_id): f"tracing:{list_id}:{area_id}" for list_id, area_id in groups}
    raised = set(
        Incident.objects.filter(source_key__in=list(keys.values())).values_list(
            "source_key", flat=True
        )
    )
    waiting = [group for group, key in keys.items() if key not in raised]
    if not waiting:
        return 0
    areas = Area.objects.in_bulk({area_id for _list, area_id in waiting})
    titles = dict(
        TracedList.objects.filter(pk__in={list_id for list_id, _a in waiting}).values_list(
            "pk", "title"
        )
    )
    for list_id, area_id in waiting:
        with transaction.atomic():
            raise_incident(
                IncidentKind.TRACING_OVERDUE,
                IncidentSeverity.MEDIUM,
                areas[area_id],
                description=str(titles[list_id])[:200],
                source=IncidentSource.TRACING_OVERDUE,
                source_key=keys[(list_id, area_id)],
                at=now,
                acting_user=SYSTEM,
            )
    return len(waiting)
