"""What a sampling station downloads: its area's roster, who is sampled, homes to visit.

A station works offline, so it holds its own area's slice of the registry: only the
fields a desk needs to confirm a person, with masked numbers. The first download pages
through the area; later ones return only what changed since the station's cursor.

Cursors. A full download pages by resident id. It remembers when it started, and its
last page hands out a change cursor from that moment. A change download returns the
residents whose `updated_at` is at or after the cursor's moment, paged by
(updated_at, id). A row is stamped when it is saved but seen only when its transaction
commits, so every change cursor starts `CURSOR_MARGIN` before the moment its previous
pass started: a change committed late is sent again rather than missed. Sending a
resident twice is harmless (the station replaces it by code).

Residents who left the area: a resident moved to a household outside the area (the
`resident.move` action, which the audit log records) is returned by code in `removed`.
What a cursor cannot know: a resident deleted from the registry, a change made without
saving the model (a bulk update that does not touch `updated_at`), and a change of the
device's own scope (its user losing a role). A station that downloads from the start
(no cursor) is exact; the answer's `reset` asks it to when its cursor is unusable
(another area, another key, a malformed cursor).

No key to the registry. A roster item carries nothing computed from the ID number (no
hash, keyed or not) and the device receives no key: with birth year and sex in the item,
any hash the device could compute would single the number out of its 182,500 candidates
(docs/security.md, "The sampling station"). A typed or scanned ID number is resolved by
the server: at once through `lookup` when the station is online, at upload otherwise.
"""

import base64
import binascii
import datetime as dt
import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from wangge.accounts.models import DeviceToken
from wangge.areas.models import Area
from wangge.audit.events import AuditEvent
from wangge.audit.models import AuditEntry
from wangge.core.permissions import Perm
from wangge.core.personal_data import blind_index, id_number_lookups
from wangge.core.scoping import in_scope, subtree_q
from wangge.lib import idnumbers
from wangge.lib.idnumbers import IdType
from wangge.residents.actions import GONE
from wangge.residents.choices import HOME_VISIT_TAGS
from wangge.residents.models import Household, Resident, ResidentQuerySet
from wangge.risk.selectors import door_to_door_grids
from wangge.testing.expectation import expected_residents, scope_paths
from wangge.testing.models import DoorToDoorTeam, HomeVisit, Registration, Round, RoundSample

# Longer than any transaction that saves residents or registrations (an import included).
CURSOR_MARGIN = dt.timedelta(minutes=10)
DEFAULT_PAGE = 1000
MAX_PAGE = 5000
_VERSION = 1
_FULL, _CHANGES = "f", "c"


def visible_residents(device: DeviceToken) -> ResidentQuerySet:
    residents: ResidentQuerySet = Resident.objects.visible_to(device, Perm.REGISTER_SAMPLES)
    return residents


# --- cursors -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cursor:
    """Where a station is in its downloads (opaque to the station)."""

    mode: str  # _FULL or _CHANGES
    started: dt.datetime  # when this pass started
    since: dt.datetime | None  # changes at or after this moment (change passes)
    after_time: dt.datetime | None  # position: the last item's updated_at (change passes)
    after_id: int  # position: the last item's id

    def encode(self, device: DeviceToken, what: str) -> str:
        payload = {
            "v": _VERSION,
            "w": what,
            "k": blind_index().keyring.current_id.decode(),
            "d": device.area_id,
            "m": self.mode,
            "n": self.started.isoformat(),
            "s": self.since.isoformat() if self.since else None,
            "t": self.after_time.isoformat() if self.after_time else None,
            "i": self.after_id,
        }
        raw = json.dumps(payload, separators=(",", ":")).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, device: DeviceToken, what: str) -> "Cursor | None":
        """The cursor, or None when it cannot be used (the station then starts again)."""
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
            payload = json.loads(raw)
            if (
                payload["v"] != _VERSION
                or payload["w"] != what
                or payload["k"] != blind_index().keyring.current_id.decode()
                or payload["d"] != device.area_id
                or payload["m"] not in (_FULL, _CHANGES)
            ):
                return None
            return cls(
                mode=payload["m"],
                started=_aware(payload["n"]),
                since=_aware(payload["s"]) if payload["s"] else None,
                after_time=_aware(payload["t"]) if payload["t"] else None,
                after_id=int(payload["i"]),
            )
        except (ValueError, KeyError, TypeError, binascii.Error):
            return None

    def next_pass(self) -> "Cursor":
        """The change cursor a completed pass hands out."""
        since = self.started - CURSOR_MARGIN
        return Cursor(_CHANGES, self.started, since, since, 0)


def _aware(text: str) -> dt.datetime:
    value = dt.datetime.fromisoformat(text)
    if timezone.is_naive(value):
        raise ValueError("naive time in cursor")
    return value


def _start(
    text: str | None, device: DeviceToken, what: str, now: dt.datetime
) -> tuple[Cursor, bool]:
    """The cursor to serve from, and whether the station must drop what it holds."""
    if text:
        cursor = Cursor.decode(text, device, what)
        if cursor is not None:
            if (
                cursor.mode == _CHANGES
                and cursor.after_id == 0
                and cursor.after_time == cursor.since
            ):
                # The first page of a change pass: this pass starts now.
                cursor = Cursor(_CHANGES, now, cursor.since, cursor.since, 0)
            return cursor, False
        return Cursor(_FULL, now, None, None, 0), True
    return Cursor(_FULL, now, None, None, 0), False


def clamp_limit(limit: int | None) -> int:
    if not limit or limit < 1:
        return DEFAULT_PAGE
    return min(limit, MAX_PAGE)


# --- the roster --------------------------------------------------------------------------


@dataclass
class RosterAnswer:
    items: list[dict[str, Any]]
    removed: list[str]
    next_cursor: str
    complete: bool
    reset: bool
    # The first page of a full download: the whole area's roster is being taken (audited).
    full_start: bool = False


_ROSTER_FIELDS = (
    "id",
    "code",
    "name",
    "id_type",
    "id_number_masked",
    "phone_masked",
    "household_id",
    "grid_id",
    "status",
    "tags",
    "sex",
    "birth_year",
    "updated_at",
    "household__building",
    "household__unit",
    "household__room",
    "household__address",
    "grid__name",
)


def roster_items(residents: Iterable[Resident], *, limited: bool) -> list[dict[str, Any]]:
    """Roster items of residents loaded with household and grid (see `_ROSTER_FIELDS`).

    Birth year and sex let an offline station list the people a scanned ID number may be;
    a volunteer's own device (`limited`) gets no masked phone, which it does not need to
    confirm a person.
    """
    items = []
    for resident in residents:
        items.append(
            {
                "code": resident.code,
                "name": resident.name,
                "id_type": resident.id_type,
                "id_masked": resident.id_number_masked,
                "phone_masked": "" if limited else resident.phone_masked,
                "household_id": resident.household_id,
                "household_label": resident.household.label,
                "grid_id": resident.grid_id,
                "grid_name": resident.grid.name,
                "status": resident.status,
                "home_visit": bool(resident.tags & HOME_VISIT_TAGS),
                "sex": resident.sex,
                "birth_year": resident.birth_year,
            }
        )
    return items


def _roster_queryset(device: DeviceToken) -> ResidentQuerySet:
    queryset: ResidentQuerySet = (
        visible_residents(device).select_related("household", "grid").only(*_ROSTER_FIELDS)
    )
    return queryset


def roster_page(device: DeviceToken, cursor_text: str | None, limit: int | None) -> RosterAnswer:
    """One page of the device's roster: the whole area, or what changed since the cursor."""
    now = timezone.now()
    size = clamp_limit(limit)
    cursor, reset = _start(cursor_text, device, "roster", now)
    queryset = _roster_queryset(device)
    if cursor.mode == _FULL:
        page = list(queryset.filter(pk__gt=cursor.after_id).order_by("pk")[: size + 1])
    else:
        assert cursor.since is not None and cursor.after_time is not None  # noqa: S101
        page = list(
            queryset.filter(updated_at__gte=cursor.since)
            .filter(
                Q(updated_at__gt=cursor.after_time)
                | Q(updated_at=cursor.after_time, pk__gt=cursor.after_id)
            )
            .order_by("updated_at", "pk")[: size + 1]
        )
    # One row more than the page says whether another page follows.
    complete = len(page) <= size
    page = page[:size]
    items = roster_items(page, limited=device.limited)
    removed: list[str] = []
    if complete:
        if cursor.mode == _CHANGES:
            assert cursor.since is not None  # noqa: S101
            removed = moved_away(device, cursor.since)
        next_cursor = cursor.next_pass()
    elif cursor.mode == _FULL:
        next_cursor = Cursor(_FULL, cursor.started, None, None, page[-1].pk)
    else:
        last = page[-1]
        next_cursor = Cursor(_CHANGES, cursor.started, cursor.since, last.updated_at, last.pk)
    full_start = cursor.mode == _FULL and cursor.after_id == 0
    return RosterAnswer(
        items, removed, next_cursor.encode(device, "roster"), complete, reset, full_start
    )


def moved_away(device: DeviceToken, since: dt.datetime) -> list[str]:
    """Codes of residents moved out of the device's area since `since` (from the moves the
    audit log recorded), who are not in it now."""
    moves = list(
        AuditEntry.objects.filter(action=AuditEvent.RESIDENT_MOVE, at__gte=since).values_list(
            "object_id", "details"
        )
    )
    if not moves:
        return []
    paths = device.scope_paths(Perm.REGISTER_SAMPLES) or []
    from_grids = {int(details.get("from_grid") or 0) for _, details in moves}
    grid_paths = dict(Area.objects.filter(pk__in=from_grids).values_list("pk", "path"))
    left = {
        int(object_id)
        for object_id, details in moves
        if object_id.isdigit()
        and in_scope(paths, grid_paths.get(int(details.get("from_grid") or 0), ""))
    }
    if not left:
        return []
    return sorted(
        Resident.objects.filter(pk__in=left)
        .exclude(pk__in=visible_residents(device).values("pk"))
        .values_list("code", flat=True)
    )


def lookup(device: DeviceToken, id_type: str, number: str) -> Resident | None:
    """A resident of the device's area by exact ID number (the roster may be stale),
    loaded for `roster_items`; the station's lookups go through the audited action
    (testing/actions/station.py).

    Raises idnumbers.IdNumberError for a number that cannot be valid.
    """
    canonical = idnumbers.validate(IdType(id_type), number)
    if not canonical:
        return None
    return (
        _roster_queryset(device)
        .filter(id_number_index__in=id_number_lookups(id_type, canonical))
        .first()
    )


# --- sampled in a round ------------------------------------------------------------------


@dataclass
class SampledAnswer:
    codes: list[str]
    next_cursor: str
    complete: bool
    reset: bool


def sampled_page(
    device: DeviceToken, round_: Round, cursor_text: str | None, limit: int | None
) -> SampledAnswer:
    """Codes of the device's residents sampled in the round: all, or newly since the cursor.

    A change pass looks for registrations received since the cursor's moment (the
    server's clock, not the station's: an offline station uploads late).
    """
    now = timezone.now()
    size = clamp_limit(limit) * 5
    what = f"sampled:{round_.pk}"
    cursor, reset = _start(cursor_text, device, what, now)
    if cursor.mode == _FULL:
        evidence = RoundSample.objects.filter(round=round_, resident=OuterRef("pk"))
    else:
        evidence = Registration.objects.filter(
            round=round_, resident=OuterRef("pk"), received_at__gte=cursor.since
        )
    rows = list(
        visible_residents(device)
        .filter(Exists(evidence), pk__gt=cursor.after_id)
        .order_by("pk")
        .values_list("pk", "code")[: size + 1]
    )
    complete = len(rows) <= size
    rows = rows[:size]
    if complete:
        next_cursor = cursor.next_pass()
    else:
        next_cursor = Cursor(cursor.mode, cursor.started, cursor.since, cursor.since, rows[-1][0])
    return SampledAnswer(
        [code for _pk, code in rows], next_cursor.encode(device, what), complete, reset
    )


# --- home visits -------------------------------------------------------------------------


def home_visit_households(
    device: DeviceToken, round_: Round, team: DoorToDoorTeam | None
) -> list[dict[str, Any]]:
    """Households of the device's area (and the team's, if given) that the round must visit
    at home: those with an expected resident who is bedridden or of limited mobility, and
    any household the team (any team, without one) has recorded a visit to."""
    households = Household.objects.visible_to(device, Perm.REGISTER_SAMPLES)
    if team is not None:
        households = households.filter(subtree_q([team.area.path], "grid__path"))
    in_round = subtree_q(scope_paths(round_), "grid__path")
    expected = expected_residents(round_)
    needing = Q(pk__in=expected.needing_home_visit().values("household_id"))
    # In a grid whose risk level samples door to door (lockdown), every home is visited.
    door_to_door = door_to_door_grids(device.scope_paths(Perm.REGISTER_SAMPLES) or [])
    if door_to_door:
        needing |= Q(pk__in=expected.filter(grid_id__in=door_to_door).values("household_id"))
    visited = HomeVisit.objects.filter(round=round_)
    if team is not None:
        visited = visited.filter(team=team)
    chosen = list(
        households.filter(in_round)
        .filter(needing | Q(pk__in=visited.values("household_id")))
        .select_related("grid")
        .order_by("grid__path", "sort_key", "pk")
    )
    if not chosen:
        return []
    ids = [household.pk for household in chosen]
    residents: dict[int, list[Resident]] = {}
    for resident in (
        Resident.objects.filter(household_id__in=ids)
        .exclude(status__in=GONE)
        .only("id", "code", "name", "id_number_masked", "household_id", "tags")
        .order_by("pk")
    ):
        residents.setdefault(resident.household_id, []).append(resident)
    sampled = set(
        RoundSample.objects.filter(
            round=round_, resident_id__in=[r.pk for group in residents.values() for r in group]
        ).values_list("resident_id", flat=True)
    )
    latest: dict[int, tuple[str, dt.datetime]] = {}
    for household_id, outcome, visited_at in (
        HomeVisit.objects.filter(round=round_, household_id__in=ids)
        .order_by("visited_at", "pk")
        .values_list("household_id", "outcome", "visited_at")
    ):
        latest[household_id] = (outcome, visited_at)
    answer = []
    for household in chosen:
        outcome, visited_at = latest.get(household.pk, (None, None))
        answer.append(
            {
                "household_id": household.pk,
                "label": household.label,
                "address": household.address,
                "grid_name": household.grid.name,
                "residents": [
                    {
                        "code": resident.code,
                        "name": resident.name,
                        "id_masked": resident.id_number_masked,
                        "home_visit": bool(resident.tags & HOME_VISIT_TAGS),
                        "sampled": resident.pk in sampled,
                    }
                    for resident in residents.get(household.pk, [])
                ],
                "outcome": outcome,
                "visited_at": visited_at,
            }
        )
    return answer
