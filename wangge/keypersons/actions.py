"""Placing a person under a measure, and what follows. Every other part of Wangge that
makes a key person (a checkpoint, a list to trace, a positive result) calls
`place_under_measure`: one entry point, idempotent by the source's key."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from wangge.accounts.models import User
from wangge.areas.models import Area
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor, as_actor, record, scope_holder
from wangge.core.permissions import Perm
from wangge.core.scoping import OutOfScope, require_in_scope
from wangge.incidents.actions import raise_incident
from wangge.incidents.choices import IncidentKind, IncidentSeverity, IncidentSource
from wangge.keypersons.choices import (
    Category,
    KeyPersonSource,
    KeyPersonStatus,
    ScheduledResult,
    Symptom,
)
from wangge.keypersons.errors import KeyPersonError
from wangge.keypersons.models import (
    TEMPERATURE_MAX,
    TEMPERATURE_MIN,
    HealthCheck,
    KeyPerson,
    MeasurePolicy,
    ScheduledTest,
)
from wangge.lib.idnumbers import IdType
from wangge.residents.actions import find_by_id_number
from wangge.residents.models import Household, Resident

Acting = User | Actor | None

# Days a measure lasts when it has no policy row (the 2022 guidance's seven).
DEFAULT_MEASURE_DAYS = 7
# Who acts when the system itself does something (a positive test raising an incident).
SYSTEM = Actor(user=None, source="keypersons", label="key persons")


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
    policy = MeasurePolicy.objects.filter(measure=measure).first()
    duration = policy.duration_days if policy is not None else DEFAULT_MEASURE_DAYS
    key_person = KeyPerson(
        area=area,
        resident=resident,
        household=household,
        category=category,
        measure=measure,
        started_on=started_on,
        planned_end_on=started_on + dt.timedelta(days=duration),
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
    if policy is not None:
        ScheduledTest.objects.bulk_create(
            ScheduledTest(key_person=key_person, day=day, due_on=due_date(started_on, day))
            for day in sorted(set(policy.test_days))
        )
    record(
        acting_user,
        AuditEvent.KEY_PERSON_PLACE,
        obj=key_person,
        area_path=area.path,
        details={"category": category, "measure": measure, "source": source},
    )
    return key_person


def due_date(started_on: dt.date, day: int) -> dt.date:
    """The date of day `day` of a measure (day 1 is the day it starts)."""
    return started_on + dt.timedelta(days=day - 1)


def _require_open(key_person: KeyPerson) -> None:
    if key_person.status != KeyPersonStatus.UNDER_MEASURE:
        raise KeyPersonError("released")


def _user(acting_user: Acting) -> User | None:
    return as_actor(acting_user).user


# --- policies ---------------------------------------------------------------------------


def parse_test_days(text: str, duration_days: int) -> list[int]:
    """ "1, 4, 7" (commas, spaces or 、) as sorted distinct days within the duration."""
    parts = [p for p in text.replace("、", ",").replace("，", ",").replace(" ", ",").split(",")]
    days: set[int] = set()
    for part in (p.strip() for p in parts):
        if not part:
            continue
        if not part.isascii() or not part.isdigit() or len(part) > 3:
            raise KeyPersonError("policy_days", field="test_days")
        day = int(part)
        if not 1 <= day <= duration_days:
            raise KeyPersonError("policy_days", field="test_days")
        days.add(day)
    return sorted(days)


@transaction.atomic
def update_policy(
    policy: MeasurePolicy,
    *,
    duration_days: int,
    test_days: Sequence[int],
    daily_checks: bool,
    acting_user: Acting,
) -> MeasurePolicy:
    """Change what a measure prescribes, for people placed from now on (audited)."""
    holder = scope_holder(acting_user)
    if holder is not None and holder.scope_paths(Perm.MANAGE_CONTROL) == []:
        raise OutOfScope
    if not 1 <= duration_days <= 60:
        raise KeyPersonError("policy_duration", field="duration_days")
    if any(not 1 <= day <= duration_days for day in test_days):
        raise KeyPersonError("policy_days", field="test_days")
    before = {
        "duration_days": policy.duration_days,
        "test_days": policy.test_days,
        "daily_checks": policy.daily_checks,
    }
    policy.duration_days = duration_days
    policy.test_days = sorted(set(test_days))
    policy.daily_checks = daily_checks
    policy.updated_at = timezone.now()
    policy.updated_by = _user(acting_user)
    policy.save()
    record(
        acting_user,
        AuditEvent.MEASURE_POLICY_UPDATE,
        obj=policy,
        details={
            "measure": policy.measure,
            "before": before,
            "after": {
                "duration_days": policy.duration_days,
                "test_days": policy.test_days,
                "daily_checks": policy.daily_checks,
            },
        },
    )
    return policy


# --- daily health checks ----------------------------------------------------------------


def parse_temperature(text: str) -> Decimal:
    """A typed temperature in °C: a number with at most one decimal between 34.0 and 43.0;
    anything else (3.7, 73, 36.55, "abc") is refused with a reason, never stored."""
    cleaned = text.strip().replace("，", ".").replace(",", ".").removesuffix("℃").strip()
    cleaned = cleaned.removesuffix("°C").removesuffix("°").strip()
    if not cleaned or len(cleaned) > 6 or not cleaned.isascii():
        raise KeyPersonError("temperature_format", field="temperature")
    try:
        value = Decimal(cleaned)
    except InvalidOperation:
        raise KeyPersonError("temperature_format", field="temperature") from None
    if not value.is_finite():
        raise KeyPersonError("temperature_format", field="temperature")
    exponent = value.as_tuple().exponent
    if not isinstance(exponent, int) or exponent < -1:
        raise KeyPersonError("temperature_format", field="temperature")
    if not TEMPERATURE_MIN <= value <= TEMPERATURE_MAX:
        raise KeyPersonError("temperature_range", field="temperature")
    return value.quantize(Decimal("0.1"))


def _in_site_language(text: object) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return str(text)


@transaction.atomic
def record_health_check(
    key_person: KeyPerson,
    *,
    temperature: Decimal,
    symptoms: Iterable[str] = (),
    other_symptoms: str = "",
    checked_at: dt.datetime | None = None,
    acting_user: Acting,
) -> HealthCheck:
    """Record a daily check. A temperature at or above FEVER_AT (37.3 °C) flags the person:
    the flag holds their release until someone clears it."""
    require_in_scope(scope_holder(acting_user), Perm.FOLLOW_UP, [key_person.area])
    _require_open(key_person)
    now = timezone.now()
    checked_at = checked_at or now
    if checked_at > now + dt.timedelta(minutes=5):
        raise KeyPersonError("check_future", field="checked_at")
    checked_on = timezone.localdate(checked_at)
    if checked_on < key_person.started_on:
        raise KeyPersonError("check_before_start", field="checked_at")
    if not TEMPERATURE_MIN <= temperature <= TEMPERATURE_MAX:
        raise KeyPersonError("temperature_range", field="temperature")
    chosen = sorted(set(symptoms))
    if any(code not in Symptom.values for code in chosen):
        raise KeyPersonError("symptom_unknown", field="symptoms")
    check = HealthCheck.objects.create(
        key_person=key_person,
        checked_on=checked_on,
        checked_at=checked_at,
        temperature=temperature,
        symptoms=chosen,
        other_symptoms=other_symptoms.strip()[:100],
        recorded_by=_user(acting_user),
    )
    if check.fever and key_person.flagged_at is None:
        reason = _in_site_language(_("Temperature %(t)s °C on %(day)s")) % {
            "t": temperature,
            "day": checked_on.isoformat(),
        }
        KeyPerson.objects.filter(pk=key_person.pk).update(flagged_at=checked_at, flag_reason=reason)
        key_person.flagged_at, key_person.flag_reason = checked_at, reason
    record(
        acting_user,
        AuditEvent.KEY_PERSON_CHECK,
        obj=key_person,
        area_path=key_person.area.path,
        details={"fever": check.fever, "symptoms": len(chosen) + bool(check.other_symptoms)},
    )
    return check


@transaction.atomic
def clear_flag(key_person: KeyPerson, *, note: str, acting_user: Acting) -> KeyPerson:
    """Clear an open flag (the fever was looked at), with why; audited."""
    require_in_scope(scope_holder(acting_user), Perm.FOLLOW_UP, [key_person.area])
    _require_open(key_person)
    note = note.strip()
    if not note:
        raise KeyPersonError("note_missing", field="note")
    changed = KeyPerson.objects.filter(pk=key_person.pk, flagged_at__isnull=False).update(
        flagged_at=None, flag_reason=""
    )
    if not changed:
        raise KeyPersonError("not_flagged")
    record(
        acting_user,
        AuditEvent.KEY_PERSON_FLAG_CLEAR,
        obj=key_person,
        area_path=key_person.area.path,
        details={"note": note[:200]},
    )
    key_person.flagged_at, key_person.flag_reason = None, ""
    return key_person


# --- scheduled tests ----------------------------------------------------------------------


@transaction.atomic
def record_test(
    test: ScheduledTest,
    *,
    result: str,
    sampled_at: dt.datetime,
    place: str = "",
    acting_user: Acting,
) -> ScheduledTest:
    """Record a scheduled test (sampled when and where, its result; a pending result is
    completed by recording it again). A positive makes the person a positive case and
    raises an incident, unless testing raised one already for them."""
    key_person = test.key_person
    require_in_scope(scope_holder(acting_user), Perm.FOLLOW_UP, [key_person.area])
    _require_open(key_person)
    if result not in ScheduledResult.values:
        raise KeyPersonError("test_result_unknown", field="result")
    now = timezone.now()
    if sampled_at > now + dt.timedelta(minutes=5):
        raise KeyPersonError("test_future", field="sampled_at")
    if timezone.localdate(sampled_at) < key_person.started_on:
        raise KeyPersonError("test_before_start", field="sampled_at")
    test.result = result
    test.sampled_at = sampled_at
    test.place = place.strip()[:100]
    test.recorded_by = _user(acting_user)
    test.recorded_at = now
    test.save(update_fields=["result", "sampled_at", "place", "recorded_by", "recorded_at"])
    record(
        acting_user,
        AuditEvent.KEY_PERSON_TEST,
        obj=key_person,
        area_path=key_person.area.path,
        details={"day": test.day, "result": result},
    )
    if result == ScheduledResult.POSITIVE:
        mark_positive(key_person, at=sampled_at, acting_user=acting_user)
    return test


POSITIVE_TEXT = _("A key person's scheduled test came back positive.")


def mark_positive(
    key_person: KeyPerson, *, at: dt.datetime, acting_user: Acting, incident: bool = True
) -> None:
    """The person is a positive case from now on; an incident is raised once per person,
    unless they came from testing's positive result (which raised its own)."""
    if key_person.category != Category.POSITIVE:
        KeyPerson.objects.filter(pk=key_person.pk).update(category=Category.POSITIVE)
        key_person.category = Category.POSITIVE
        record(
            acting_user,
            AuditEvent.KEY_PERSON_POSITIVE,
            obj=key_person,
            area_path=key_person.area.path,
        )
    if not incident or key_person.source == KeyPersonSource.TESTING:
        return
    raise_incident(
        IncidentKind.POSITIVE,
        IncidentSeverity.CRITICAL,
        key_person.area,
        place=key_person.name,
        description=_in_site_language(POSITIVE_TEXT),
        source=IncidentSource.CASE_POSITIVE,
        source_key=f"keypersons.positive:{key_person.pk}",
        at=at,
        acting_user=SYSTEM,
    )


# --- release ------------------------------------------------------------------------------


def release_blockers(
    key_person: KeyPerson, tests: Sequence[ScheduledTest], today: dt.date
) -> list[str]:
    """Why the person cannot be released today (translated reasons); empty: they can.

    The policy is met when the planned end is reached, every scheduled test is negative
    and no flag is open."""
    reasons = []
    if today < key_person.planned_end_on:
        reasons.append(
            KeyPersonError("release_end", date=key_person.planned_end_on.isoformat()).message
        )
    missing = [t for t in tests if t.result != ScheduledResult.NEGATIVE]
    if missing:
        days = "、".join(f"D{t.day}" for t in missing)
        reasons.append(KeyPersonError("release_tests", missing=days).message)
    if key_person.flagged_at is not None:
        reasons.append(KeyPersonError("release_flag", reason=key_person.flag_reason).message)
    return reasons


class ReleaseRefused(KeyPersonError):
    def __init__(self, reasons: list[str]) -> None:
        super().__init__("release")
        self.reasons = reasons

    @property
    def message(self) -> str:
        return " ".join(self.reasons)


@transaction.atomic
def release(
    key_person: KeyPerson,
    *,
    note: str = "",
    at: dt.datetime | None = None,
    acting_user: Acting,
) -> KeyPerson:
    """End the measure when its policy is met (see `release_blockers`); refused with the
    reasons otherwise. Audited."""
    require_in_scope(scope_holder(acting_user), Perm.FOLLOW_UP, [key_person.area])
    locked: KeyPerson = (
        KeyPerson.objects.select_for_update().select_related("area").get(pk=key_person.pk)
    )
    _require_open(locked)
    at = at or timezone.now()
    reasons = release_blockers(locked, list(locked.tests.all()), timezone.localdate(at))
    if reasons:
        raise ReleaseRefused(reasons)
    locked.status = KeyPersonStatus.RELEASED
    locked.released_at = at
    locked.released_by = _user(acting_user)
    locked.release_note = note.strip()[:200]
    locked.save(update_fields=["status", "released_at", "released_by", "release_note"])
    record(
        acting_user,
        AuditEvent.KEY_PERSON_RELEASE,
        obj=locked,
        area_path=locked.area.path,
        details={"days": (timezone.localdate(at) - locked.started_on).days},
    )
    return locked


# --- personal data ------------------------------------------------------------------------


def reveal_identity(key_person: KeyPerson, field_name: str, *, acting_user: Acting) -> str:
    """A key person's full ID number or phone (their own, else their resident's), for
    someone allowed; always audited."""
    require_in_scope(scope_holder(acting_user), Perm.REVEAL_PERSONAL, [key_person.area])
    holder: KeyPerson | Resident = key_person
    if key_person.resident is not None and not key_person.id_number_cipher:
        holder = key_person.resident
    value = holder.reveal_id_number() if field_name == "id_number" else holder.reveal_phone()
    record(
        acting_user,
        AuditEvent.KEY_PERSON_REVEAL,
        obj=key_person,
        area_path=key_person.area.path,
        details={"field": field_name},
    )
    return value
