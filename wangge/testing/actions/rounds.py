"""State changes of testing rounds. Atomic and audited; views, the API and commands call these."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from wangge.accounts.models import User
from wangge.areas.choices import GRID_KINDS
from wangge.areas.models import Area
from wangge.audit import log
from wangge.audit.events import AuditEvent
from wangge.audit.log import Actor
from wangge.core.permissions import Perm
from wangge.core.scoping import in_scope, require_in_scope, subtree_q, topmost
from wangge.residents.choices import HOME_VISIT_TAGS
from wangge.residents.models import Resident
from wangge.risk.selectors import consequences
from wangge.testing.choices import ExemptionReason, PoolSize, RoundStatus
from wangge.testing.errors import RoundError
from wangge.testing.expectation import ExpectationRules, expected_residents
from wangge.testing.models import (
    ClosedRoundFigures,
    DoorToDoorTeam,
    Exemption,
    HomeVisit,
    PositiveCase,
    Recall,
    Registration,
    Round,
    RoundGridStats,
    RoundSample,
    RoundScope,
    SamplingPoint,
    Tube,
    WalkIn,
)

Acting = User | Actor | None


@transaction.atomic
def create_round(
    *,
    name: str,
    scope: Sequence[Area],
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    pool_size: int = PoolSize.TEN,
    exempt_infants_under_years: int = 0,
    exempt_under_treatment: bool = True,
    acting_user: Acting,
) -> Round:
    """Plan a round over areas (each with its subtree); it opens with `open_round`."""
    if not scope:
        raise RoundError(_("a round needs at least one area in its scope"))
    if ends_at <= starts_at:
        raise RoundError(_("a round must end after it starts"))
    if pool_size not in PoolSize.values:
        raise RoundError(_("the pool size must be 1, 5, 10 or 20"))
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_ROUNDS, scope)
    # Keep only the topmost areas: a child of another scope area adds nothing.
    tops = topmost(area.path for area in scope)
    round_ = Round.objects.create(
        name=name.strip()[:100],
        starts_at=starts_at,
        ends_at=ends_at,
        pool_size=pool_size,
        exempt_infants_under_years=exempt_infants_under_years,
        exempt_under_treatment=exempt_under_treatment,
        created_by=acting_user if isinstance(acting_user, User) else None,
    )
    areas = {area.path: area for area in scope}
    RoundScope.objects.bulk_create(RoundScope(round=round_, area=areas[p]) for p in tops)
    log.record(
        acting_user,
        AuditEvent.ROUND_CREATE,
        obj=round_,
        area_path=tops[0],
        details={"name": round_.name, "areas": [areas[p].name for p in tops], "pool": pool_size},
    )
    return round_


def recount_grids(
    round_: Round, grid_ids: Iterable[int], rules: ExpectationRules | None = None
) -> None:
    """Recount the expected figures of these grids and re-mark which samples count.

    Run when a round opens, after an exemption, and for grids whose registry changed.
    """
    ids = sorted(set(grid_ids))
    if not ids:
        return
    rules = rules or ExpectationRules.for_round(round_)
    now = timezone.now()
    expected = expected_residents(round_, rules)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        counts = {
            row["grid_id"]: row
            for row in expected.filter(grid_id__in=chunk)
            .annotate(home=F("tags").bitand(int(HOME_VISIT_TAGS)))
            .order_by()
            .values("grid_id")
            .annotate(n=Count("pk"), home_n=Count("pk", filter=Q(home__gt=0)))
        }
        # Grids whose risk level samples every home door to door (lockdown): all expected
        # there are home visits in the round's plan.
        door_to_door = {
            grid_id
            for grid_id, here in consequences(
                Area.objects.filter(pk__in=chunk).only("pk", "path"), round_.pool_size
            ).items()
            if here.door_to_door
        }
        RoundGridStats.objects.filter(round=round_, grid_id__in=chunk).delete()
        RoundGridStats.objects.bulk_create(
            RoundGridStats(
                round=round_,
                grid_id=grid_id,
                expected=counts.get(grid_id, {}).get("n", 0),
                home_visit_expected=counts.get(grid_id, {}).get(
                    "n" if grid_id in door_to_door else "home_n", 0
                ),
                counted_at=now,
            )
            for grid_id in chunk
        )
        samples = RoundSample.objects.filter(round=round_, grid_id__in=chunk)
        # A resident may have moved since they were sampled: follow them to their grid.
        samples.exclude(
            Exists(Resident.objects.filter(pk=OuterRef("resident_id"), grid_id=OuterRef("grid_id")))
        ).update(
            grid_id=Subquery(
                Resident.objects.filter(pk=OuterRef("resident_id")).values("grid_id")[:1]
            )
        )
        samples.update(counted=Exists(expected.filter(pk=OuterRef("resident_id"))))
        if round_.status == RoundStatus.CLOSED and round_.records_purged_at is None:
            keep_closed_figures(round_, chunk)  # a recount of a closed round: its record too


def keep_closed_figures(round_: Round, grid_ids: Sequence[int] | None = None) -> None:
    """Write a closed round's sampled figures per grid (all grids, or these), counted
    from its samples: the record its pages read from then on."""
    figures = ClosedRoundFigures.objects.filter(round=round_)
    samples = RoundSample.objects.filter(round=round_, counted=True)
    if grid_ids is not None:
        figures = figures.filter(grid_id__in=grid_ids)
        samples = samples.filter(grid_id__in=grid_ids)
    figures.delete()
    ClosedRoundFigures.objects.bulk_create(
        (
            ClosedRoundFigures(
                round=round_,
                grid_id=row["grid_id"],
                sampled=row["n"],
                home_visit_sampled=row["home"],
            )
            for row in samples.order_by()
            .values("grid_id")
            .annotate(n=Count("pk"), home=Count("pk", filter=Q(home_visit=True)))
        ),
        batch_size=1000,
    )


def refresh_stale_grids(round_: Round) -> int:
    """Recount the grids in scope whose registry changed since they were counted, or that
    are new; returns how many were recounted. Cheap when nothing changed."""
    rules = ExpectationRules.for_round(round_)
    counted = RoundGridStats.objects.filter(round=round_, grid=OuterRef("pk"))
    stale = (
        Area.objects.filter(subtree_q(rules.paths), kind__in=GRID_KINDS)
        .filter(
            ~Exists(counted)
            | Exists(counted.filter(counted_at__lt=OuterRef("registry_changed_at")))
        )
        .values_list("pk", flat=True)
    )
    grid_ids = list(stale)
    with transaction.atomic():
        recount_grids(round_, grid_ids, rules)
    return len(grid_ids)


@transaction.atomic
def recount_round(round_: Round, *, acting_user: Acting) -> int:
    """Recount the expected residents of every grid of a round from the registry; how many
    grids. The live figures recount changed grids by themselves: this is for a registry
    changed outside the actions (a database restore, a bulk fix). A purged round's figures
    are final."""
    _require_manages(round_, acting_user)
    if round_.status == RoundStatus.PLANNED:
        raise RoundError(_("the round is not open yet: it counts when it opens"))
    if round_.records_purged_at is not None:
        raise RoundError(_("the round's records were purged: its figures are final"))
    rules = ExpectationRules.for_round(round_)
    grids = list(
        Area.objects.filter(subtree_q(rules.paths), kind__in=GRID_KINDS).values_list(
            "pk", flat=True
        )
    )
    recount_grids(round_, grids, rules)
    log.record(acting_user, AuditEvent.ROUND_RECOUNT, obj=round_, details={"grids": len(grids)})
    return len(grids)


@transaction.atomic
def open_round(round_: Round, *, acting_user: Acting) -> Round:
    """Start registering: count every grid's expected residents once, up front."""
    _require_manages(round_, acting_user)
    if round_.status != RoundStatus.PLANNED:
        raise RoundError(_("only a planned round can be opened"))
    round_.status = RoundStatus.OPEN
    round_.save(update_fields=["status"])
    refresh_stale_grids(round_)
    log.record(acting_user, AuditEvent.ROUND_OPEN, obj=round_)
    return round_


@transaction.atomic
def close_round(round_: Round, *, acting_user: Acting) -> Round:
    """Stop registering; the figures stay as they are for the record (ClosedRoundFigures)."""
    _require_manages(round_, acting_user)
    if round_.status != RoundStatus.OPEN:
        raise RoundError(_("only an open round can be closed"))
    refresh_stale_grids(round_)
    round_.status = RoundStatus.CLOSED
    round_.closed_at = timezone.now()
    round_.save(update_fields=["status", "closed_at"])
    keep_closed_figures(round_)
    log.record(acting_user, AuditEvent.ROUND_CLOSE, obj=round_)
    return round_


@transaction.atomic
def record_exemption(
    round_: Round,
    resident: Resident,
    *,
    reason: str,
    note: str = "",
    acting_user: User | Actor,
) -> Exemption:
    """Excuse a resident from a round, with a reason; they leave its expected figures."""
    require_in_scope(log.scope_holder(acting_user), Perm.RECORD_EXEMPTIONS, [resident.grid])
    if round_.status == RoundStatus.CLOSED:
        # A closed round's figures are the record; they no longer change.
        raise RoundError(_("a closed round's exemptions can no longer change"))
    if reason not in ExemptionReason.values:
        raise RoundError(_("unknown exemption reason"))
    if reason == ExemptionReason.OTHER and not note.strip():
        raise RoundError(_("say why when the reason is 'other'"))
    user = acting_user.user if isinstance(acting_user, Actor) else acting_user
    if user is None:
        raise RoundError(_("an exemption needs the person who records it"))
    exemption, _created = Exemption.objects.update_or_create(
        round=round_,
        resident=resident,
        defaults={"reason": reason, "note": note.strip()[:200], "recorded_by": user},
    )
    recount_grids(round_, [resident.grid_id])
    log.record(
        acting_user,
        AuditEvent.EXEMPTION_RECORD,
        obj=exemption,
        area_path=resident.grid.path,
        details={"round": round_.pk, "resident": resident.pk, "reason": reason},
    )
    return exemption


@transaction.atomic
def remove_exemption(exemption: Exemption, *, acting_user: User | Actor) -> None:
    """Take an exemption back: the resident is expected again."""
    round_, resident = exemption.round, exemption.resident
    require_in_scope(log.scope_holder(acting_user), Perm.RECORD_EXEMPTIONS, [resident.grid])
    if round_.status == RoundStatus.CLOSED:
        raise RoundError(_("a closed round's exemptions can no longer change"))
    details = {"round": round_.pk, "resident": resident.pk, "reason": exemption.reason}
    exemption.delete()
    recount_grids(round_, [resident.grid_id])
    log.record(
        acting_user,
        AuditEvent.EXEMPTION_REMOVE,
        object_type="testing.exemption",
        object_id=str(details["resident"]),
        area_path=resident.grid.path,
        details=details,
    )


def _topmost(areas: Sequence[Area]) -> list[Area]:
    by_path = {area.path: area for area in areas}
    return [by_path[path] for path in topmost(by_path)]


def _grids_in_scope(round_: Round) -> list[int]:
    paths = list(RoundScope.objects.filter(round=round_).values_list("area__path", flat=True))
    if not paths:
        return []
    return list(
        Area.objects.filter(subtree_q(paths), kind__in=GRID_KINDS).values_list("pk", flat=True)
    )


def _require_manages(round_: Round, acting_user: Acting) -> None:
    """The actor manages the round as a whole: every area of its scope."""
    scope = [scope.area for scope in RoundScope.objects.filter(round=round_).select_related("area")]
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_ROUNDS, scope)


def _require_manages_areas(acting_user: Acting, *areas: Area) -> None:
    """Points and teams are managed where they serve (and where they served, if moved)."""
    require_in_scope(log.scope_holder(acting_user), Perm.MANAGE_ROUNDS, areas)


def _require_not_closed(round_: Round) -> None:
    if round_.status == RoundStatus.CLOSED:
        raise RoundError(_("a closed round is the record and no longer changes"))


def area_in_round(round_: Round, area: Area) -> bool:
    """Whether an area lies inside the round's scope (a scope area or below one)."""
    return in_scope(ExpectationRules.for_round(round_).paths, area.path)


@transaction.atomic
def update_round(
    round_: Round,
    *,
    name: str,
    starts_at: dt.datetime,
    ends_at: dt.datetime,
    pool_size: int,
    exempt_infants_under_years: int,
    exempt_under_treatment: bool,
    scope: Sequence[Area] | None = None,
    acting_user: Acting,
) -> Round:
    """Change a round's name, window, pooling or rules; its scope only before it opens.

    A closed round is the record and does not change. When the rules change while the
    round is open, every grid is recounted at once so that coverage follows the new rules;
    tubes already opened keep their capacity.
    """
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _require_manages(round_, acting_user)
    if scope is not None:
        _require_manages_areas(acting_user, *scope)
    _require_not_closed(round_)
    if ends_at <= starts_at:
        raise RoundError(_("a round must end after it starts"))
    if pool_size not in PoolSize.values:
        raise RoundError(_("the pool size must be 1, 5, 10 or 20"))
    if exempt_infants_under_years > 18:
        raise RoundError(_("infants are children under 18 at most"))
    rules_before = (round_.exempt_infants_under_years, round_.exempt_under_treatment)
    changes: dict[str, object] = {}
    for attribute, value in (
        ("name", name.strip()[:100]),
        ("starts_at", starts_at),
        ("ends_at", ends_at),
        ("pool_size", pool_size),
        ("exempt_infants_under_years", exempt_infants_under_years),
        ("exempt_under_treatment", exempt_under_treatment),
    ):
        if getattr(round_, attribute) != value:
            changes[attribute] = value if not isinstance(value, dt.datetime) else value.isoformat()
            setattr(round_, attribute, value)
    if not round_.name:
        raise RoundError(_("a round needs a name"))
    round_.save()
    if scope is not None:
        if not scope:
            raise RoundError(_("a round needs at least one area in its scope"))
        new_paths = {area.path for area in _topmost(scope)}
        old_paths = set(
            RoundScope.objects.filter(round=round_).values_list("area__path", flat=True)
        )
        if new_paths != old_paths:
            if round_.status != RoundStatus.PLANNED:
                raise RoundError(_("the scope can only change before the round opens"))
            RoundScope.objects.filter(round=round_).delete()
            RoundScope.objects.bulk_create(
                RoundScope(round=round_, area=area) for area in _topmost(scope)
            )
            changes["scope"] = sorted(area.name for area in _topmost(scope))
    rules_after = (round_.exempt_infants_under_years, round_.exempt_under_treatment)
    if round_.status == RoundStatus.OPEN and rules_before != rules_after:
        recount_grids(round_, _grids_in_scope(round_))
    if changes:
        log.record(acting_user, AuditEvent.ROUND_UPDATE, obj=round_, details={"changed": changes})
    return round_


@dataclass
class PointData:
    """What a sampling point is: where, which area it serves, desks, hours and staff."""

    area: Area
    name: str = ""
    location: str = ""
    desks: int = 1
    opens_at: dt.datetime | None = None
    closes_at: dt.datetime | None = None
    staff: Sequence[User] = field(default_factory=list)

    def check(self, round_: Round) -> None:
        if not area_in_round(round_, self.area):
            raise RoundError(_("the area served is outside the round's scope"))
        if not 1 <= self.desks <= 200:
            raise RoundError(_("a sampling point has between 1 and 200 desks"))
        if self.opens_at and self.closes_at and self.closes_at <= self.opens_at:
            raise RoundError(_("a sampling point must close after it opens"))


@transaction.atomic
def add_sampling_point(round_: Round, data: PointData, *, acting_user: Acting) -> SamplingPoint:
    """Number a new sampling point within the round (1号采样点, 2号…) and set it up.

    The round's row is locked while numbering so two organisers never take one number.
    """
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    _require_manages_areas(acting_user, data.area)
    _require_not_closed(round_)
    data.check(round_)
    last = SamplingPoint.objects.filter(round=round_).order_by("-number").first()
    number = (last.number if last else 0) + 1
    point = SamplingPoint.objects.create(
        round=round_,
        number=number,
        name=(data.name.strip() or _("Sampling point %(number)d") % {"number": number})[:100],
        area=data.area,
        location=data.location.strip()[:200],
        desks=data.desks,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
    )
    point.staff.set(data.staff)
    log.record(
        acting_user,
        AuditEvent.SAMPLING_POINT_CREATE,
        obj=point,
        area_path=data.area.path,
        details={"round": round_.pk, "number": number, "desks": data.desks},
    )
    return point


@transaction.atomic
def update_sampling_point(
    point: SamplingPoint, data: PointData, *, acting_user: Acting
) -> SamplingPoint:
    """Change a sampling point's place, desks, hours or staff; its number stays."""
    _require_manages_areas(acting_user, point.area, data.area)
    _require_not_closed(point.round)
    data.check(point.round)
    point.name = (data.name.strip() or point.name)[:100]
    point.area = data.area
    point.location = data.location.strip()[:200]
    point.desks = data.desks
    point.opens_at = data.opens_at
    point.closes_at = data.closes_at
    point.save()
    point.staff.set(data.staff)
    log.record(
        acting_user,
        AuditEvent.SAMPLING_POINT_UPDATE,
        obj=point,
        area_path=data.area.path,
        details={"round": point.round_id, "number": point.number, "desks": point.desks},
    )
    return point


@transaction.atomic
def remove_sampling_point(point: SamplingPoint, *, acting_user: Acting) -> None:
    """Drop a sampling point set up by mistake; one that has sampled people stays."""
    _require_manages_areas(acting_user, point.area)
    _require_not_closed(point.round)
    if Tube.objects.filter(sampling_point=point).exists():
        raise RoundError(_("people were sampled at this point; it cannot be removed"))
    details = {"round": point.round_id, "number": point.number, "name": point.name}
    area_path, point_id = point.area.path, point.pk
    point.delete()
    log.record(
        acting_user,
        AuditEvent.SAMPLING_POINT_REMOVE,
        object_type="testing.samplingpoint",
        object_id=str(point_id),
        area_path=area_path,
        details=details,
    )


@transaction.atomic
def save_door_team(
    round_: Round,
    *,
    name: str,
    area: Area,
    members: Sequence[User],
    team: DoorToDoorTeam | None = None,
    acting_user: Acting,
) -> DoorToDoorTeam:
    """Set up (or change) a door-to-door team for an area of the round.

    Its list of homes follows from the area: the households of the residents there who
    cannot come to a sampling point (bedridden, limited mobility).
    """
    _require_manages_areas(acting_user, area, *([team.area] if team is not None else []))
    _require_not_closed(round_)
    if not area_in_round(round_, area):
        raise RoundError(_("the area served is outside the round's scope"))
    if not name.strip():
        raise RoundError(_("a team needs a name"))
    if team is None:
        team = DoorToDoorTeam.objects.create(round=round_, name=name.strip()[:100], area=area)
        action = AuditEvent.DOOR_TEAM_CREATE
    else:
        team.name, team.area = name.strip()[:100], area
        team.save()
        action = AuditEvent.DOOR_TEAM_UPDATE
    team.members.set(members)
    log.record(
        acting_user,
        action,
        obj=team,
        area_path=area.path,
        details={"round": round_.pk, "members": len(members)},
    )
    return team


@transaction.atomic
def remove_door_team(team: DoorToDoorTeam, *, acting_user: Acting) -> None:
    """Drop a team set up by mistake; a team that has visited homes stays on record."""
    _require_manages_areas(acting_user, team.area)
    _require_not_closed(team.round)
    if HomeVisit.objects.filter(team=team).exists():
        raise RoundError(_("this team has recorded visits; it cannot be removed"))
    details = {"round": team.round_id, "name": team.name}
    area_path, team_id = team.area.path, team.pk
    team.delete()
    log.record(
        acting_user,
        AuditEvent.DOOR_TEAM_REMOVE,
        object_type="testing.doortodoorteam",
        object_id=str(team_id),
        area_path=area_path,
        details=details,
    )


@dataclass
class PurgeSummary:
    """What purging a round's personal records removes (or would remove): row counts."""

    round_id: int
    registrations: int = 0
    samples: int = 0
    walk_ins: int = 0
    exemptions: int = 0
    home_visits: int = 0
    recalls_unlinked: int = 0
    cases_unlinked: int = 0

    def as_dict(self) -> dict[str, int]:
        return {
            "registrations": self.registrations,
            "samples": self.samples,
            "walk_ins": self.walk_ins,
            "exemptions": self.exemptions,
            "home_visits": self.home_visits,
            "recalls_unlinked": self.recalls_unlinked,
            "cases_unlinked": self.cases_unlinked,
        }


def purge_summary(round_: Round) -> PurgeSummary:
    """Count what a purge of this round would remove, without changing anything."""
    person = Q(resident__isnull=False) | Q(walk_in__isnull=False)
    return PurgeSummary(
        round_id=round_.pk,
        # Through the tubes: a registration's round is its tube's, and only the tube is indexed.
        registrations=Registration.objects.filter(tube__round=round_).count(),
        samples=RoundSample.objects.filter(round=round_).count(),
        walk_ins=WalkIn.objects.filter(round=round_).count(),
        exemptions=Exemption.objects.filter(round=round_).count(),
        home_visits=HomeVisit.objects.filter(round=round_).count(),
        recalls_unlinked=Recall.objects.filter(person, round=round_).count(),
        cases_unlinked=PositiveCase.objects.filter(person, round=round_).count(),
    )


@transaction.atomic
def purge_round_records(round_: Round, *, acting_user: Acting) -> PurgeSummary:
    """Remove the personal parts of a closed round's records, keeping its figures.

    Retention (issue 3): who was sampled, exempted, visited, recalled or found positive is
    personal data kept no longer than needed. The round's figures were kept when it closed
    (ClosedRoundFigures, with expected in RoundGridStats), so its coverage, positives and
    recall counts read the same afterwards. Tubes, results, shipments, recalls and cases
    stay as anonymous counts.
    """
    round_ = Round.objects.select_for_update().get(pk=round_.pk)
    if round_.status != RoundStatus.CLOSED:
        raise RoundError(_("only a closed round's records can be purged"))
    if round_.records_purged_at is not None:
        return PurgeSummary(round_id=round_.pk)
    summary = purge_summary(round_)
    Recall.objects.filter(round=round_).update(resident=None, walk_in=None)
    PositiveCase.objects.filter(round=round_).update(resident=None, walk_in=None)
    HomeVisit.objects.filter(round=round_).delete()
    Exemption.objects.filter(round=round_).delete()
    Registration.objects.filter(tube__round=round_).delete()
    WalkIn.objects.filter(round=round_).delete()
    RoundSample.objects.filter(round=round_).delete()
    round_.records_purged_at = timezone.now()
    round_.save(update_fields=["records_purged_at"])
    log.record(
        acting_user, AuditEvent.ROUND_PURGE, obj=round_, details={"removed": summary.as_dict()}
    )
    return summary
