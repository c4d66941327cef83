"""Mass testing rounds: scope, sampling points, pooled tubes, registrations, results, recall.

The figures a round is judged by (expected, sampled, coverage, untested) are defined in
shared/DOMAIN.md; `RoundSample` and `RoundGridStats` exist so that they are read from a few
indexed counts instead of scans of the registry while a round is being registered.
"""

from collections.abc import Iterable
from typing import Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wangge.accounts.models import DeviceToken
from wangge.areas.models import Area
from wangge.core.personal_data import PersonalIdentity
from wangge.core.scoping import ScopedQuerySet, overlapping
from wangge.residents.models import Household, Resident
from wangge.testing.choices import (
    ExemptionReason,
    FollowUpOutcome,
    PoolSize,
    RecallStatus,
    ResultSource,
    RoundStatus,
    SamplingMode,
    TestResult,
    TubeStatus,
    VisitOutcome,
)


class RoundQuerySet(ScopedQuerySet):
    def under_paths(self, paths: Iterable[str]) -> Self:
        """Rounds whose scope overlaps these areas, from above or from below.

        A grid member sees the district's round (it covers their grid); a district officer
        sees a round launched for one community.
        """
        return self.filter(overlapping(paths, "scope__area__path")).distinct()


class Round(models.Model):
    """One testing campaign over a scope of areas, within a time window.

    Expected: residents of households in scope, status present, not exempt (by the
    round's rules or by a recorded Exemption).
    """

    name = models.CharField(_("name"), max_length=100)
    status = models.CharField(
        _("status"), max_length=10, choices=RoundStatus.choices, default=RoundStatus.PLANNED
    )
    starts_at = models.DateTimeField(_("starts"))
    ends_at = models.DateTimeField(_("ends"))
    pool_size = models.PositiveSmallIntegerField(
        _("pool size"), choices=PoolSize.choices, default=PoolSize.TEN
    )
    exempt_infants_under_years = models.PositiveSmallIntegerField(
        _("exempt infants under (years)"),
        default=0,
        help_text=_("0 means infants are sampled like everyone else."),
    )
    exempt_under_treatment = models.BooleanField(_("exempt people under treatment"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    # Set when retention removed the round's personal records; its figures stay.
    records_purged_at = models.DateTimeField(_("records purged"), null=True, blank=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        verbose_name = _("testing round")
        verbose_name_plural = _("testing rounds")
        ordering = ["-starts_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="round_window_ordered"
            )
        ]

    def __str__(self) -> str:
        return self.name


class RoundScope(models.Model):
    """An area a round covers (with everything below it)."""

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="scope")
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("round scope")
        constraints = [models.UniqueConstraint(fields=["round", "area"], name="round_scope_unique")]

    def __str__(self) -> str:
        return f"{self.round} · {self.area}"


class SamplingPoint(models.Model):
    """A numbered place where a round samples (1号采样点), with its desks and hours."""

    scope_path_lookup = "area__path"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="sampling_points")
    number = models.PositiveIntegerField(_("number"))
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area served")
    )
    location = models.CharField(_("location"), max_length=200, blank=True)
    desks = models.PositiveSmallIntegerField(_("desks"), default=1)
    opens_at = models.DateTimeField(_("opens"), null=True, blank=True)
    closes_at = models.DateTimeField(_("closes"), null=True, blank=True)
    staff = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("staff")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("sampling point")
        verbose_name_plural = _("sampling points")
        ordering = ["round", "number"]
        constraints = [
            models.UniqueConstraint(fields=["round", "number"], name="sampling_point_number")
        ]

    def __str__(self) -> str:
        return self.name


class DoorToDoorTeam(models.Model):
    """A team that samples at home those who cannot come (bedridden, limited mobility)."""

    scope_path_lookup = "area__path"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="door_teams")
    name = models.CharField(_("name"), max_length=100)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("area served")
    )
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name=_("members")
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("door-to-door team")
        verbose_name_plural = _("door-to-door teams")

    def __str__(self) -> str:
        return self.name


class Shipment(models.Model):
    """A transport box of sealed tubes on its way to the laboratory, with its manifest."""

    scope_path_lookup = "origin__path"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="shipments")
    box_code = models.CharField(_("box"), max_length=40, unique=True)
    origin = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("from")
    )
    laboratory = models.CharField(_("laboratory"), max_length=100, blank=True)
    shipped_at = models.DateTimeField(_("shipped"), null=True, blank=True)
    received_at = models.DateTimeField(_("received"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return self.box_code


class Tube(models.Model):
    """One pre-printed barcode: a pool of up to `capacity` people, and its result.

    `filled` counts its registrations; it is raised under the tube's row lock so that two
    stations filling the same tube never pass its capacity.
    """

    scope_path_lookup = "area__path"

    barcode = models.CharField(_("barcode"), max_length=40, unique=True)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="tubes")
    capacity = models.PositiveSmallIntegerField(_("capacity"), choices=PoolSize.choices)
    filled = models.PositiveSmallIntegerField(_("people"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=TubeStatus.choices, default=TubeStatus.OPEN
    )
    # The area of the station that opened it: who may see the tube.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    sampling_point = models.ForeignKey(
        SamplingPoint, on_delete=models.SET_NULL, null=True, blank=True, related_name="tubes"
    )
    # Set instead of the point when the station went door to door.
    door_team = models.ForeignKey(
        DoorToDoorTeam,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="tubes",
        verbose_name=_("door-to-door team"),
    )
    shipment = models.ForeignKey(
        Shipment, on_delete=models.SET_NULL, null=True, blank=True, related_name="tubes"
    )
    opened_at = models.DateTimeField(_("opened"))
    sealed_at = models.DateTimeField(_("sealed"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=10, choices=TestResult.choices, blank=True)
    resulted_at = models.DateTimeField(_("resulted"), null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("tube")
        verbose_name_plural = _("tubes")
        constraints = [
            models.CheckConstraint(
                condition=Q(filled__lte=models.F("capacity")), name="tube_not_overfilled"
            ),
        ]
        indexes = [models.Index(fields=["round", "status"], name="tube_round_status")]

    def __str__(self) -> str:
        return self.barcode

    @property
    def is_individual(self) -> bool:
        return self.capacity == 1


class WalkIn(PersonalIdentity):
    """A person sampled who is not in the registry (a visitor, floating population)."""

    scope_path_lookup = "area__path"

    client_id = models.UUIDField(unique=True)
    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="walk_ins")
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered at")
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    address = models.CharField(_("address"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("walk-in person")
        verbose_name_plural = _("walk-in people")

    def __str__(self) -> str:
        return self.name


class Registration(models.Model):
    """One person put into one tube at one time, as the station recorded it.

    `client_id` is the station's UUIDv7 for the record: unique system-wide, so a retried
    upload stores nothing twice. Exactly one of resident / walk_in is set.

    A hot table (every sample of a round is a row): its references carry no foreign-key
    constraint in the database (`db_constraint=False`) and only the indexes a query uses.
    A constraint costs every insert a lookup and a lock on the parent row (on PostgreSQL
    68 % of the database's CPU per registration, docs/architecture.md "Registrations at the
    physical limit"); the batch checks the references itself (it reads the round, the
    tubes, the people and the device it names), Django's `on_delete` still refuses or
    cascades every ORM delete, and `check_integrity` verifies that no row names a parent
    that is gone.
    """

    scope_path_lookup = "tube__area__path"

    client_id = models.UUIDField(unique=True)
    # No index of its own: a round's registrations are found through its tubes.
    round = models.ForeignKey(
        Round, on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    tube = models.ForeignKey(
        Tube, on_delete=models.PROTECT, related_name="registrations", db_constraint=False
    )
    # Indexed by `registration_once_per_tube` (resident first): every lookup of a
    # resident's registrations names the round too, and a second index on a random key
    # would cost every registration one more B-tree insert.
    resident = models.ForeignKey(
        Resident,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        db_index=False,
        db_constraint=False,
    )
    # Indexed only where set (`registration_walk_in`): a resident's row adds no entry.
    walk_in = models.ForeignKey(
        WalkIn,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="registrations",
        db_index=False,
        db_constraint=False,
    )
    mode = models.CharField(max_length=5, choices=SamplingMode.choices, default=SamplingMode.POINT)
    sampled_at = models.DateTimeField(_("sampled"))
    received_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    # Who and what uploaded it: read with the row, never searched by (a deleted device or
    # user is rare, and Django's collector then scans).
    device = models.ForeignKey(
        DeviceToken,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("registration")
        verbose_name_plural = _("registrations")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "round", "tube"],
                condition=Q(resident__isnull=False),
                name="registration_once_per_tube",
            ),
            models.CheckConstraint(
                condition=Q(resident__isnull=True) ^ Q(walk_in__isnull=True),
                name="registration_one_person",
            ),
        ]
        indexes = [
            models.Index(
                fields=["walk_in"],
                condition=Q(walk_in__isnull=False),
                name="registration_walk_in",
            )
        ]

    def __str__(self) -> str:
        return str(self.client_id)


class RoundSample(models.Model):
    """A resident sampled at least once in a round: the distinct (round, resident) pairs.

    Registrations can repeat a person (a recall retest); coverage counts people, so the
    first registration inserts this row and later ones find it. `counted` says whether the
    person is expected in the round (in scope, present, not exempt): only they count
    towards coverage. `grid` is the resident's grid, for per-grid counts without joins.

    A hot table like Registration: no foreign-key constraints in the database (the batch
    checks, `on_delete` acts in Django, `check_integrity` verifies).
    """

    # No single-column index on the keys: every registration of a first sampling inserts a
    # row here, and each index is one more B-tree insert (docs/benchmarks.md). The two composite indexes serve every lookup:
    # (resident, round) the hot path's probe and a resident's cascade, (round, grid,
    # counted) coverage and a round's cascade. Only deleting a grid that has samples,
    # which PROTECT refuses anyway, has no index to look them up by.
    round = models.ForeignKey(
        Round, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False
    )
    resident = models.ForeignKey(
        Resident,
        on_delete=models.CASCADE,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    grid = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    counted = models.BooleanField(default=True)
    home_visit = models.BooleanField(default=False)
    first_sampled_at = models.DateTimeField()

    class Meta:
        verbose_name = _("sampled resident")
        constraints = [
            models.UniqueConstraint(fields=["resident", "round"], name="round_sample_unique")
        ]
        indexes = [
            models.Index(fields=["round", "grid", "counted"], name="round_sample_grid"),
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.resident_id}"


class RoundGridStats(models.Model):
    """A grid's expected figures in a round, counted from the registry.

    Recounted when the grid's registry changed since (`Area.registry_changed_at`) or an
    exemption was recorded, so the live coverage of a city never scans the registry.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="grid_stats")
    grid = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    expected = models.PositiveIntegerField(default=0)
    home_visit_expected = models.PositiveIntegerField(default=0)
    counted_at = models.DateTimeField()

    class Meta:
        verbose_name = _("grid figures of a round")
        constraints = [
            models.UniqueConstraint(fields=["round", "grid"], name="round_grid_stats_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.grid_id}"


class ClosedRoundFigures(models.Model):
    """How many people a grid had sampled in a round when the round closed: the record.

    Written by the close in the same transaction, so a closed round's pages read these rows
    rather than counting samples, and they still read the same after retention has removed
    the samples themselves. Expected figures stay in RoundGridStats.
    """

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="closed_figures")
    grid = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="+")
    sampled = models.PositiveIntegerField(default=0)
    home_visit_sampled = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("figures of a closed round")
        constraints = [
            models.UniqueConstraint(fields=["round", "grid"], name="closed_round_figures_unique")
        ]

    def __str__(self) -> str:
        return f"{self.round_id}:{self.grid_id}"


class Exemption(models.Model):
    """A resident excused from a round, with the reason and who recorded it."""

    scope_path_lookup = "resident__grid__path"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="exemptions")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="exemptions")
    reason = models.CharField(_("reason"), max_length=20, choices=ExemptionReason.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("exemption")
        verbose_name_plural = _("exemptions")
        constraints = [
            models.UniqueConstraint(fields=["round", "resident"], name="exemption_unique")
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.get_reason_display()}"


class FollowUp(models.Model):
    """One attempt to reach an untested resident during a round (催检): how it went, who
    tried and when. Attempts are kept, not overwritten: the latest is the person's state
    on the untested list, the earlier ones are its history."""

    scope_path_lookup = "resident__grid__path"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="followups")
    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="followups")
    outcome = models.CharField(_("outcome"), max_length=12, choices=FollowUpOutcome.choices)
    # When a resident who "will come" said they would (only then).
    come_at = models.DateTimeField(_("will come at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome=FollowUpOutcome.WILL_COME, come_at__isnull=False)
                | (~Q(outcome=FollowUpOutcome.WILL_COME) & Q(come_at__isnull=True)),
                name="followup_come_at_with_will_come",
            )
        ]
        # The latest attempt per person is read with the list: (round, resident, time).
        indexes = [
            models.Index(fields=["round", "resident", "-recorded_at"], name="followup_latest")
        ]

    def __str__(self) -> str:
        return f"{self.resident} · {self.get_outcome_display()}"


class HomeVisit(models.Model):
    """A door-to-door team's knock on a household: sampled, nobody home, or refused."""

    scope_path_lookup = "household__grid__path"

    client_id = models.UUIDField(unique=True)
    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="home_visits")
    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="+")
    team = models.ForeignKey(
        DoorToDoorTeam, on_delete=models.SET_NULL, null=True, blank=True, related_name="visits"
    )
    outcome = models.CharField(_("outcome"), max_length=12, choices=VisitOutcome.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    visited_at = models.DateTimeField(_("visited"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("home visit")
        verbose_name_plural = _("home visits")

    def __str__(self) -> str:
        return f"{self.household} · {self.get_outcome_display()}"


class LabResult(models.Model):
    """The laboratory's result for one tube, as it arrived (file or API)."""

    scope_path_lookup = "tube__area__path"

    tube = models.OneToOneField(Tube, on_delete=models.PROTECT, related_name="lab_result")
    result = models.CharField(_("result"), max_length=10, choices=TestResult.choices)
    ct_values = models.JSONField(_("Ct values"), default=dict, blank=True)
    tested_at = models.DateTimeField(_("tested"))
    source = models.CharField(_("source"), max_length=10, choices=ResultSource.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("laboratory result")
        verbose_name_plural = _("laboratory results")

    def __str__(self) -> str:
        return f"{self.tube} · {self.get_result_display()}"


class Recall(models.Model):
    """A member of a positive or invalid pool, to be retested alone (单采复核).

    Open until the person has an individual (capacity 1) result in the round.
    """

    scope_path_lookup = "area__path"

    round = models.ForeignKey(Round, on_delete=models.CASCADE, related_name="recalls")
    source_tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="recalls")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="recalls"
    )
    walk_in = models.ForeignKey(
        WalkIn, on_delete=models.PROTECT, null=True, blank=True, related_name="recalls"
    )
    # The resident's grid, or the walk-in's registration area: who must find them.
    # Indexed by `recall_area_round_status` (area first): a grid's list reads it.
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+", db_index=False)
    status = models.CharField(
        _("status"), max_length=10, choices=RecallStatus.choices, default=RecallStatus.OPEN
    )
    opened_at = models.DateTimeField(_("opened"))
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    closing_tube = models.ForeignKey(
        Tube, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.CharField(_("outcome"), max_length=10, choices=TestResult.choices, blank=True)
    # When the grid leader was told that this recall stayed open too long (once per recall).
    overdue_reported_at = models.DateTimeField(null=True, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("recall")
        verbose_name_plural = _("recalls")
        constraints = [
            models.UniqueConstraint(
                fields=["source_tube", "resident"],
                condition=Q(resident__isnull=False),
                name="recall_once_per_resident",
            ),
            models.UniqueConstraint(
                fields=["source_tube", "walk_in"],
                condition=Q(walk_in__isnull=False),
                name="recall_once_per_walk_in",
            ),
        ]
        indexes = [
            models.Index(fields=["round", "status"], name="recall_round_status"),
            # A grid's (or community's) list right after a positive pool: its areas, then
            # the round and status, without walking every open recall of the round.
            models.Index(fields=["area", "round", "status"], name="recall_area_round_status"),
        ]

    def __str__(self) -> str:
        return f"{self.source_tube} · {self.resident or self.walk_in}"


class PositiveCase(models.Model):
    """A positive individual result: the hand-over to closed-loop control and incidents."""

    scope_path_lookup = "area__path"

    round = models.ForeignKey(Round, on_delete=models.PROTECT, related_name="cases")
    tube = models.ForeignKey(Tube, on_delete=models.PROTECT, related_name="+")
    resident = models.ForeignKey(
        Resident, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    walk_in = models.ForeignKey(
        WalkIn, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    area = models.ForeignKey(Area, on_delete=models.PROTECT, related_name="+")
    detected_at = models.DateTimeField(_("detected"))

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("positive case")
        verbose_name_plural = _("positive cases")
        constraints = [models.UniqueConstraint(fields=["tube"], name="positive_case_per_tube")]

    def __str__(self) -> str:
        return f"{self.tube} · {self.resident or self.walk_in}"


class UnknownResult(models.Model):
    """A positive or invalid laboratory result for a barcode no tube in the uploader's
    areas has: an alarm until someone finds the tube (or the typing slip) and resolves it.

    The result itself cannot be stored (there is no tube to hold it), yet it means people
    somewhere must be recalled or are a case: it is kept here so that it is never lost in a
    list of "skipped" rows. It belongs to the area of the upload (the device's area, or the
    uploader's area), so the command centre of that area sees it; with no area (a superuser
    uploading) only superusers do.
    """

    scope_path_lookup = "area__path"

    barcode = models.CharField(_("barcode"), max_length=40)
    result = models.CharField(_("result"), max_length=10, choices=TestResult.choices)
    source = models.CharField(_("source"), max_length=10, choices=ResultSource.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported"))
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("result for an unknown barcode")
        verbose_name_plural = _("results for unknown barcodes")
        constraints = [
            # A batch sent again raises no second alarm while the first is open.
            models.UniqueConstraint(
                fields=["barcode", "result", "area"],
                condition=Q(resolved_at__isnull=True),
                name="unknown_result_open_once",
            )
        ]
        indexes = [
            models.Index(
                fields=["area"], condition=Q(resolved_at__isnull=True), name="unknown_result_open"
            )
        ]

    def __str__(self) -> str:
        return f"{self.barcode} · {self.get_result_display()}"
