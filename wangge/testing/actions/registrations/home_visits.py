"""Door-to-door teams' visit outcomes."""

from collections import Counter
from collections.abc import Sequence

from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from wangge.accounts.models import DeviceToken
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.api_input import clock_skew
from wangge.core.permissions import Perm
from wangge.core.scoping import overlapping
from wangge.residents.models import Household
from wangge.testing.actions.registrations.answers import (
    ACCEPTED,
    ATTEMPTS,
    DUPLICATE,
    REJECTED,
    Acting,
    ItemResult,
)
from wangge.testing.actions.registrations.planning import earliest_time
from wangge.testing.choices import RoundStatus
from wangge.testing.models import DoorToDoorTeam, HomeVisit, Round
from wangge.testing.station_items import HomeVisitIn, InvalidItem


def record_home_visits(
    items: Sequence[HomeVisitIn | InvalidItem],
    *,
    device: DeviceToken,
    acting_user: Acting,
) -> list[ItemResult]:
    """Store a door-to-door team's visit outcomes; idempotent by client id, one answer each."""
    results: list[ItemResult | None] = [None] * len(items)
    valid: list[tuple[int, HomeVisitIn]] = []
    seen: dict[str, int] = {}
    echoes: dict[int, int] = {}
    for index, item in enumerate(items):
        if isinstance(item, InvalidItem):
            results[index] = ItemResult.invalid(item)
        elif str(item.client_id) in seen:
            echoes[index] = seen[str(item.client_id)]
        else:
            seen[str(item.client_id)] = index
            valid.append((index, item))
    rounds = {
        round_.pk: round_
        for round_ in Round.objects.visible_to(device, Perm.REGISTER_SAMPLES)
        .filter(pk__in={item.round_id for _, item in valid})
        .only("status", "starts_at", "created_at")
    }
    households = set(
        Household.objects.visible_to(device, Perm.REGISTER_SAMPLES)
        .filter(pk__in={item.household_id for _, item in valid})
        .values_list("pk", flat=True)
    )
    team_ids = {item.team_id for _, item in valid if item.team_id is not None}
    # A team of another grid is "unknown" to this device, like one of another round.
    teams = dict(
        DoorToDoorTeam.objects.filter(
            overlapping(device.scope_paths(Perm.REGISTER_SAMPLES) or [], "area__path"),
            pk__in=team_ids,
        ).values_list("pk", "round_id")
        if team_ids
        else []
    )
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    latest = timezone.now() + clock_skew()
    created = 0
    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic():
                stored = {
                    str(client_id)
                    for client_id in HomeVisit.objects.filter(
                        client_id__in=[item.client_id for _, item in valid]
                    ).values_list("client_id", flat=True)
                }
                visits: list[HomeVisit] = []
                for index, item in valid:
                    client_id = str(item.client_id)
                    code = field = ""
                    if client_id in stored:
                        results[index] = ItemResult(client_id, DUPLICATE)
                        continue
                    round_ = rounds.get(item.round_id)
                    if round_ is None:
                        code = "unknown_round"
                    elif round_.status != RoundStatus.OPEN:
                        code = "round_not_open"
                    elif item.visited_at > latest:
                        code, field = "clock_ahead", "visited_at"
                    elif item.visited_at < earliest_time(round_):
                        code, field = "before_round", "visited_at"
                    elif item.household_id not in households:
                        code = "unknown_household"
                    elif item.team_id is not None and teams.get(item.team_id) != item.round_id:
                        code = "unknown_team"
                    if code:
                        results[index] = ItemResult.rejected(client_id, code, field=field)
                        continue
                    results[index] = ItemResult(client_id, ACCEPTED)
                    visits.append(
                        HomeVisit(
                            client_id=item.client_id,
                            round_id=item.round_id,
                            household_id=item.household_id,
                            team_id=item.team_id,
                            outcome=item.outcome,
                            note=item.note,
                            visited_at=item.visited_at,
                            recorded_by=user,
                        )
                    )
                HomeVisit.objects.bulk_create(visits)
                created = len(visits)
            break
        except (IntegrityError, OperationalError):
            if attempt == ATTEMPTS - 1:
                raise
    answers: list[ItemResult] = []
    for index, result in enumerate(results):
        if result is None:
            first = results[echoes[index]]
            assert first is not None  # noqa: S101
            result = ItemResult(
                first.client_id,
                DUPLICATE if first.status in (ACCEPTED, DUPLICATE) else first.status,
                first.reason_code,
                first.reason,
                field=first.field,
            )
        answers.append(result)
    if answers:
        statuses = Counter(answer.status for answer in answers)
        with transaction.atomic():
            log.record(
                acting_user,
                AuditEvent.HOME_VISIT_BATCH,
                area_path=device.area.path,
                details={
                    "device": device.pk,
                    "items": len(answers),
                    "accepted": statuses[ACCEPTED],
                    "duplicate": statuses[DUPLICATE],
                    "rejected": statuses[REJECTED],
                    "created": created,
                },
            )
    return answers
