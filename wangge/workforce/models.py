"""People at work, their teams, and who answers for which area (包联)."""

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from wangge.areas.models import Area
from wangge.core.personal_data import PersonalPhone
from wangge.core.scoping import ScopedQuerySet
from wangge.residents.models import Household
from wangge.workforce.choices import Committee, DutyLevel, SentFrom, TeamKind, WorkerKind


class Worker(PersonalPhone):
    """Someone who works in the response, whether or not they sign in: a stationed cadre, a
    community worker, a grid leader, a doctor, a volunteer. `area` is where they are based
    (who may see and manage them); the areas they answer for are their responsibilities.
    The phone is personal data, sealed like a resident's."""

    scope_path_lookup = "area__path"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(_("name"), max_length=50)
    kind = models.CharField(_("kind"), max_length=20, choices=WorkerKind.choices)
    sent_from = models.CharField(
        _("sent from"),
        max_length=10,
        choices=SentFrom.choices,
        blank=True,
        help_text=_("For a stationed cadre: the level of the office that sent them."),
    )
    committee = models.CharField(
        _("committee"), max_length=20, choices=Committee.choices, blank=True
    )
    party_member = models.BooleanField(_("party member"), default=False)
    sent_down = models.BooleanField(
        _("sent down"),
        default=False,
        help_text=_("Works in a community or village away from their own unit (下沉)."),
    )
    unit = models.CharField(pgettext_lazy("employer", "Unit"), max_length=100, blank=True)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="workers", verbose_name=_("based in")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="worker",
        verbose_name=_("login"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("worker")
        verbose_name_plural = _("workers")
        indexes = [models.Index(fields=["area", "kind"], name="worker_area_kind")]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A team of workers serving an area: a party vanguard team, a women's volunteer team,
    a "blue vest" team. Its leader runs its daily dispatch board."""

    scope_path_lookup = "area__path"

    name = models.CharField(_("name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=20, choices=TeamKind.choices)
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="teams", verbose_name=_("serves")
    )
    leader = models.ForeignKey(
        Worker,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="teams_led",
        verbose_name=_("leader"),
    )
    members = models.ManyToManyField(
        Worker, through="TeamMembership", related_name="teams", verbose_name=_("members")
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        constraints = [
            models.UniqueConstraint(fields=["area", "name"], name="team_unique_name_per_area")
        ]

    def __str__(self) -> str:
        return self.name


class TeamMembership(models.Model):
    """A worker in a team."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    worker = models.ForeignKey(Worker, on_delete=models.CASCADE, related_name="memberships")
    joined_at = models.DateTimeField(_("joined"))

    class Meta:
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [
            models.UniqueConstraint(fields=["team", "worker"], name="team_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.team_id} · {self.worker_id}"


class Duty(models.Model):
    """A kind of responsibility at one level of the tree (包村领导, 驻守干部, 网格长, 联户):
    the configurable set ("六包") of duties each area of a level must have someone for.
    Duties are data, not code, so their names are stored in both languages."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name (Chinese)"), max_length=50)
    name_en = models.CharField(_("name (English)"), max_length=80)
    level = models.PositiveSmallIntegerField(_("level"), choices=DutyLevel.choices)
    required = models.BooleanField(
        _("required"),
        default=True,
        help_text=_("Every area of its level must have someone for it; one without is a gap."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("duty")
        verbose_name_plural = _("duties")
        ordering = ["level", "order", "code"]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        language = get_language() or ""
        return self.name if language.startswith("zh") else self.name_en


class ResponsibilityQuerySet(ScopedQuerySet):
    def active_at(self, at: dt.datetime) -> "ResponsibilityQuerySet":
        """The responsibilities that hold at `at`: started, not yet ended."""
        held: ResponsibilityQuerySet = self.filter(
            Q(ended_at__isnull=True) | Q(ended_at__gt=at), started_at__lte=at
        )
        return held


class Responsibility(models.Model):
    """包联: a worker answers for an area (or, for a household duty, for one household of a
    grid) with a duty, from a time until a time. Ending one keeps the row: the history of
    who covered what, when, is these rows."""

    scope_path_lookup = "area__path"

    worker = models.ForeignKey(
        Worker, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("worker")
    )
    duty = models.ForeignKey(
        Duty, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("duty")
    )
    # For a household duty, the household's grid (so that scoping needs no join).
    area = models.ForeignKey(
        Area, on_delete=models.PROTECT, related_name="responsibilities", verbose_name=_("area")
    )
    household = models.ForeignKey(
        Household,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="responsibilities",
        verbose_name=_("household"),
    )
    started_at = models.DateTimeField(_("from"))
    ended_at = models.DateTimeField(_("until"), null=True, blank=True)

    objects = ResponsibilityQuerySet.as_manager()

    class Meta:
        verbose_name = _("responsibility")
        verbose_name_plural = _("responsibilities")
        constraints = [
            models.CheckConstraint(
                condition=Q(ended_at__isnull=True) | Q(ended_at__gt=models.F("started_at")),
                name="responsibility_ends_after_start",
            ),
        ]
        indexes = [
            models.Index(fields=["area", "duty"], name="responsibility_area_duty"),
            models.Index(fields=["household"], name="responsibility_household"),
            models.Index(fields=["worker"], name="responsibility_worker"),
            # The gaps of a district (workforce/selectors.py, chain_gaps) read every held
            # (area, duty) pair under a path range: covering, partial indexes ordered by
            # duty then area make that an index-only read of the pairs, without the
            # household rows for the areas' own duties, and grouped by grid for those.
            models.Index(
                fields=["duty", "area", "started_at", "ended_at"],
                condition=Q(household__isnull=True),
                name="responsibility_held_areas",
            ),
            models.Index(
                fields=["duty", "area", "household", "started_at", "ended_at"],
                condition=Q(household__isnull=False),
                name="responsibility_held_homes",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.worker} · {self.duty} · {self.area}"
